import * as qrcodeTerminal from 'qrcode-terminal';
import { printQr } from './terminal-qr';
import { qrMatrix, qrSvg } from './qr-svg';

/** A login QR string as WhatsApp Web makes it: ref, noise key, identity key, secret, platform. */
const LOGIN = '2@Xy7kQ3mN9pR1sT5vW8zA2cE4gH6jL0nP3rU5wY7bD9fK1mQ3sV5xZ7,Gk9mP2rT5vX8zB1dF4hJ7lN0qS3uW6yA9cE2gI5k=,Hf3kM6pR9tW2yB5dG8jL1nQ4sV7xZ0cE3gJ6mP9r=,Qw2eR4tY6uI8oP0aS2dF4gH6jK8lZ0xC2vB4nM6q=,1';

/** Reads the matrix back from qrcode-terminal's full-size drawing (two characters per module, ANSI colours). */
function fromTerminal(drawing: string): boolean[][] {
  const rows = drawing.split('\n').slice(1, -1);
  return rows.map((row) => {
    // eslint-disable-next-line no-control-regex
    const cells = [...row.matchAll(/\u001b\[(40|47)m {2}\u001b\[0m/g)].map((m) => m[1] === '40');
    return cells.slice(1, -1);
  });
}

/** Dark squares of the SVG's path, as "x,y" of each module (quiet zone included). */
function darkModules(svg: string): Set<string> {
  const d = /<path fill="#000" d="([^"]*)"/.exec(svg)?.[1] ?? '';
  const dark = new Set<string>();
  for (const [, x, y, w] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let i = 0; i < Number(w); i++) dark.add(`${Number(x) + i},${y}`);
  }
  return dark;
}

test('the matrix is the one qrcode-terminal draws for the same string', () => {
  let drawing = '';
  qrcodeTerminal.generate(LOGIN, { small: false }, (out) => (drawing = out));

  expect(qrMatrix(LOGIN)).toEqual(fromTerminal(drawing));
});

test('the smallest version that holds the login string, with the three finder patterns in their corners', () => {
  const m = qrMatrix(LOGIN);
  const size = m.length;
  // 184 bytes: version 7 holds 154 at level L, version 8 (49 modules a side) holds 192.
  expect(LOGIN).toHaveLength(184);
  expect(size).toBe(49);
  const finderAt = (row: number, col: number) =>
    [0, 1, 2, 3, 4, 5, 6].every((r) =>
      [0, 1, 2, 3, 4, 5, 6].every((c) => {
        const ring = r === 0 || r === 6 || c === 0 || c === 6;
        const core = r >= 2 && r <= 4 && c >= 2 && c <= 4;
        return m[row + r]![col + c] === (ring || core);
      }),
    );
  expect(finderAt(0, 0)).toBe(true);
  expect(finderAt(0, size - 7)).toBe(true);
  expect(finderAt(size - 7, 0)).toBe(true);
  expect(finderAt(size - 7, size - 7)).toBe(false);
});

test('the SVG draws exactly the dark modules, inside a quiet zone of four, on white', () => {
  const m = qrMatrix(LOGIN);
  const svg = qrSvg(LOGIN, 256);
  const expected = new Set(m.flatMap((row, y) => row.flatMap((dark, x) => (dark ? [`${x + 4},${y + 4}`] : []))));

  expect(darkModules(svg)).toEqual(expected);
  expect(svg).toContain(`viewBox="0 0 ${m.length + 8} ${m.length + 8}"`);
  expect(svg).toContain('width="256" height="256"');
  expect(svg).toContain(`<rect width="${m.length + 8}" height="${m.length + 8}" fill="#fff"/>`);
});

test('refuses text a QR byte segment here cannot carry', () => {
  expect(() => qrMatrix('')).toThrow('printable ASCII');
  expect(() => qrMatrix('नमस्ते')).toThrow('printable ASCII');
});

test('the terminal gets the small drawing of the same code, with what to do with it', () => {
  let written = '';
  printQr(LOGIN, { write: (text: string) => (written += text) });

  expect(written).toContain('Linked devices');
  expect(written).toContain('/whatsapp-web/qr?token=<WHATSAPP_WEB_ADMIN_TOKEN>');
  // Two module rows per line, in half blocks, under a top border; an odd last row is its own bottom border.
  const lines = written.split('\n').filter((l) => /^[█▀▄ ]+$/.test(l) && l.length > 20);
  expect(lines.length).toBe(Math.ceil(qrMatrix(LOGIN).length / 2) + 1);
});
