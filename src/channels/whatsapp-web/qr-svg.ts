import QRCode from 'qrcode-terminal/vendor/QRCode';
import QRErrorCorrectLevel from 'qrcode-terminal/vendor/QRCode/QRErrorCorrectLevel';

/** Light modules around the code, as the QR standard asks, so that cameras find its edges. */
const QUIET_ZONE = 4;

/**
 * The modules of a QR code for `data`, row by row (true = dark), from the
 * generator qrcode-terminal prints with, at its error correction level (L),
 * so that the page and the terminal show the same code.
 */
export function qrMatrix(data: string): boolean[][] {
  if (!/^[\x20-\x7e]+$/.test(data)) throw new Error('a login QR code is printable ASCII');
  const code = new QRCode(-1, QRErrorCorrectLevel.L);
  code.addData(data);
  code.make();
  const size = code.getModuleCount();
  return Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)));
}

/**
 * The code as an inline SVG: one path of dark squares on a white square,
 * drawn with attributes only (the server's content policy allows no inline
 * CSS), and scaled by the browser without blurring.
 */
export function qrSvg(data: string, pixels = 320): string {
  const matrix = qrMatrix(data);
  const side = matrix.length + 2 * QUIET_ZONE;
  let path = '';
  matrix.forEach((row, y) => {
    // Runs of dark modules on a row are one rectangle each: a shorter path.
    for (let x = 0; x < row.length; ) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x++;
      path += `M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h-${x - start}z`;
    }
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" width="${pixels}" height="${pixels}" ` +
    `shape-rendering="crispEdges" role="img" aria-label="QR code to link WhatsApp">` +
    `<rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
