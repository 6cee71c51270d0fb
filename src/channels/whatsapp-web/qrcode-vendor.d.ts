/**
 * The QR code generator that qrcode-terminal carries (Kazuhiko Arase's,
 * MIT) and uses to draw in a terminal. Its package declares only the terminal
 * printer; these are the parts of the generator the login page uses.
 */
declare module 'qrcode-terminal/vendor/QRCode' {
  class QRCode {
    /** `typeNumber` -1 picks the smallest version that fits the data. */
    constructor(typeNumber: number, errorCorrectLevel: number);
    /** Data as 8-bit bytes: one character each, so only characters up to U+00FF. */
    addData(data: string): void;
    make(): void;
    getModuleCount(): number;
    isDark(row: number, col: number): boolean;
  }
  export = QRCode;
}

declare module 'qrcode-terminal/vendor/QRCode/QRErrorCorrectLevel' {
  const levels: { readonly L: number; readonly M: number; readonly Q: number; readonly H: number };
  export = levels;
}
