import { CONTENDERS, LABELS, type ContenderName } from '../contenders';
import type { ThroughputCell } from '../sections/throughput';
import { fmt } from '../stats';

const COLOURS: Record<ContenderName, string> = { engine: '#c8102e', botframework: '#3d6fb4', table: '#8a8a8a' };
const WIDTH = 960;
const LEFT = 190;
const RIGHT = 90;
const BAR = 16;
const GAP = 4;
const GROUP_GAP = 18;
const TOP = 64;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Turns a second per contender, store and level as horizontal bars (the
 * median) with whiskers (min to max), on a logarithmic axis: the contenders
 * differ by orders of magnitude, and equal ratios then look equally far apart.
 */
export function throughputChart(cells: readonly ThroughputCell[], title: string): string {
  const groups: { label: string; cells: ThroughputCell[] }[] = [];
  for (const c of cells) {
    const label = `${c.store}, N = ${c.concurrency.toLocaleString('en-GB')}`;
    let group = groups.find((g) => g.label === label);
    if (!group) groups.push((group = { label, cells: [] }));
    group.cells.push(c);
  }
  const measured = cells.filter((c) => Number.isFinite(c.turnsPerSecond.max) && c.turnsPerSecond.min > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...measured.map((c) => c.turnsPerSecond.min), 1000)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...measured.map((c) => c.turnsPerSecond.max), 10_000)));
  const plot = WIDTH - LEFT - RIGHT;
  const x = (v: number) => LEFT + (Math.log10(Math.max(v, lo) / lo) / Math.log10(hi / lo)) * plot;
  const groupHeight = CONTENDERS.length * (BAR + GAP);
  const height = TOP + groups.length * (groupHeight + GROUP_GAP) + 40;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
  );
  // Legend.
  let lx = LEFT;
  for (const c of CONTENDERS) {
    out.push(`<rect x="${lx}" y="34" width="12" height="12" fill="${COLOURS[c]}"/>`, `<text x="${lx + 17}" y="44">${escape(LABELS[c])}</text>`);
    // About 6.5 px a character at 12 px: enough room that no label runs into the next.
    lx += 17 + Math.ceil(LABELS[c].length * 6.5) + 24;
  }
  // Grid: one line per power of ten.
  const bottom = height - 34;
  for (let v = lo; v <= hi; v *= 10) {
    const gx = x(v).toFixed(1);
    out.push(
      `<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${bottom}" stroke="#dddddd"/>`,
      `<text x="${gx}" y="${bottom + 14}" text-anchor="middle" fill="#555555">${escape(fmt(v))}</text>`,
    );
  }
  out.push(`<text x="${LEFT + plot / 2}" y="${bottom + 29}" text-anchor="middle" fill="#555555">turns a second (log scale; bar = median, whisker = min to max)</text>`);

  groups.forEach((group, g) => {
    const gy = TOP + g * (groupHeight + GROUP_GAP);
    out.push(`<text x="${LEFT - 10}" y="${gy + groupHeight / 2 + 4}" text-anchor="end" font-weight="bold">${escape(group.label)}</text>`);
    CONTENDERS.forEach((name, i) => {
      const c = group.cells.find((cell) => cell.contender === name);
      const y = gy + i * (BAR + GAP);
      if (!c || !Number.isFinite(c.turnsPerSecond.median)) return;
      const { min, median, max } = c.turnsPerSecond;
      const wrong = c.mismatches > 0;
      out.push(
        `<rect class="bar" x="${LEFT}" y="${y}" width="${(x(median) - LEFT).toFixed(1)}" height="${BAR}" fill="${COLOURS[name]}"${wrong ? ' fill-opacity="0.3"' : ''}/>`,
        `<line x1="${x(min).toFixed(1)}" y1="${y + BAR / 2}" x2="${x(max).toFixed(1)}" y2="${y + BAR / 2}" stroke="#222222"/>`,
        `<line x1="${x(min).toFixed(1)}" y1="${y + 3}" x2="${x(min).toFixed(1)}" y2="${y + BAR - 3}" stroke="#222222"/>`,
        `<line x1="${x(max).toFixed(1)}" y1="${y + 3}" x2="${x(max).toFixed(1)}" y2="${y + BAR - 3}" stroke="#222222"/>`,
        `<text x="${(x(max) + 6).toFixed(1)}" y="${y + BAR - 4}">${escape(fmt(median))}${wrong ? ' (wrong replies)' : ''}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
