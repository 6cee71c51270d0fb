import type { ConnectionSnapshot, ConnectionState } from './connection';
import { qrSvg } from './qr-svg';

export const QR_PATH = '/whatsapp-web/qr';
/** Seconds between two reloads of the page: WhatsApp replaces the code every 20 seconds or so. */
export const REFRESH_SECONDS = 5;

const HEADINGS: Readonly<Record<ConnectionState, string>> = {
  starting: 'Starting',
  qr: 'Waiting for the QR code to be scanned',
  authenticated: 'Linked, loading the chats',
  ready: 'Connected',
  disconnected: 'Disconnected',
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const clock = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

function explanation(s: ConnectionSnapshot, now: number): string {
  switch (s.state) {
    case 'starting':
      return 'The browser is opening WhatsApp Web. A QR code appears here when the number needs linking; with a saved session, the bot connects without one.';
    case 'qr':
      return 'On the phone that has the bot’s number: open WhatsApp, then Settings (on Android: ⋮) → Linked devices → Link a device, and point the camera at this code.';
    case 'authenticated':
      return 'The phone accepted the link. WhatsApp Web is loading the chats; this can take a minute.';
    case 'ready':
      return 'The bot answers messages sent to this number. To unlink it, remove this device under WhatsApp → Linked devices on the phone.';
    case 'disconnected': {
      const retry =
        s.retryAt === null ? 'It will try again shortly.' : `It tries again in ${Math.max(0, Math.ceil((s.retryAt - now) / 1000))} seconds.`;
      return `The connection to WhatsApp Web was lost or could not be made (${s.failures} time${s.failures === 1 ? '' : 's'} in a row; see the log). ${retry}`;
    }
  }
}

/**
 * The login page: the state of the connection and, while linking, the QR
 * code drawn as inline SVG. It loads nothing else and runs no script (the
 * server's content policy allows neither), and reloads itself with a meta
 * refresh, which keeps the `?token=` it was opened with.
 */
export function qrPage(s: ConnectionSnapshot, now: number): string {
  const heading = HEADINGS[s.state];
  const code = s.state === 'qr' && s.qr !== null ? `<p>${qrSvg(s.qr)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<title>WhatsApp Web: ${escapeHtml(heading)}</title>
</head>
<body data-state="${s.state}">
<h1>Virtual Volunteer on WhatsApp Web</h1>
<p><strong>State: ${s.state}</strong> (${escapeHtml(heading)}, since ${clock(s.since)})</p>
<p>${escapeHtml(explanation(s, now))}</p>
${code}
<p><small>This page reloads every ${REFRESH_SECONDS} seconds. Anyone who scans the code links their WhatsApp to this server: do not share this page or its address.</small></p>
</body>
</html>
`;
}
