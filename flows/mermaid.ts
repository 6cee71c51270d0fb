/**
 * Mermaid state-diagram text that the state-diagram lexer cannot misread.
 * The generator writes a deliberately small subset: ids of letters, digits
 * and `_` that are never keywords, one statement per line, and labels
 * stripped of every character the lexer treats specially (`:` `;` `#` `%`
 * quotes, braces, angle brackets). Parentheses become brackets so labels
 * never look like shapes to a reader or to an older parser.
 */

/** How long a state's text and a transition's choice label may be before they are cut. */
export const STATE_TEXT_MAX = 60;
export const CHOICE_TEXT_MAX = 40;

/** Words Mermaid's state-diagram lexers (the jison one and its chevrotain port) read as keywords where an id is expected. */
const RESERVED = new Set([
  'state', 'note', 'class', 'classdef', 'scale', 'direction', 'end', 'hide', 'as', 'acctitle', 'accdescr', 'style', 'click', 'href',
]);

/**
 * Text made safe for a Mermaid label: one line, placeholders as `[name]`,
 * specials replaced, cut at a word boundary with "...". Undefined when
 * nothing readable is left.
 */
export function mermaidText(raw: string, max: number): string | undefined {
  let s = raw
    .replace(/\{\{\s*([^,}\s]+)[^}]*\}\}/g, '[$1]')
    .replace(/\s+/g, ' ')
    .replace(/:/g, ' -')
    .replace(/;/g, ',')
    .replace(/\(/g, '[')
    .replace(/\)/g, ']')
    .replace(/["`]/g, "'")
    .replace(/&/g, ' and ')
    .replace(/%/g, ' percent')
    .replace(/\\/g, '/')
    .replace(/[#{}<>]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  // `direction tb` (and lr, rl, bt) anywhere on a line is a layout statement to Mermaid.
  s = s.replace(/\bdirection(?=\s|$)/gi, '$&,');
  if (s.length > max) {
    const cut = s.slice(0, max - 3);
    const space = cut.lastIndexOf(' ');
    s = `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.-]+$/, '')}...`;
  }
  return s === '' ? undefined : s;
}

/** Mermaid ids for states (from their paths) and other boxes: unique, and never read as a keyword. */
export class MermaidIds {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();

  get(key: string, wanted: string): string {
    const known = this.byKey.get(key);
    if (known) return known;
    let base = wanted.replace(/[^A-Za-z0-9_]/g, '') || 'state';
    if (RESERVED.has(base.toLowerCase()) || /^(default|[0-9])/i.test(base)) base = `s_${base}`;
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}${n}`;
    this.taken.add(id);
    this.byKey.set(key, id);
    return id;
  }
}
