import * as qrcodeTerminal from 'qrcode-terminal';
import { QR_PATH } from './qr-page';

export interface TextOutput {
  write(text: string): unknown;
}

/**
 * Draws the login QR code in the terminal, in half-height blocks so that it
 * fits an ordinary window, with what to do with it. It goes to the terminal
 * (standard error by default), never into the JSON log: the code is a login secret.
 */
export function printQr(qr: string, out: TextOutput): void {
  qrcodeTerminal.generate(qr, { small: true }, (drawing) => {
    out.write(
      `\nWhatsApp Web: scan this code with the bot's phone (WhatsApp → Settings → Linked devices → Link a device),\n` +
        `or open ${QR_PATH}?token=<WHATSAPP_WEB_ADMIN_TOKEN> on this server. It changes every 20 seconds or so.\n` +
        `${drawing}\n`,
    );
  });
}
