import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Choice, Params } from '../../flows/types';
import { buttonLabel, normalise, shortLabelKey } from '../../src/conversation/render';
import { englishTemplate, placeholders, resources, translator } from '../support/english';
import { testDeps, testFlows } from '../support/flows';
import { offeredByEngine, offeredByFlows, type Offered } from '../support/offered';

/**
 * Every button fits the tightest channel: WhatsApp's Cloud API cuts reply
 * buttons and list rows at 20 characters, counted as the renderer counts
 * (String.length). A label longer than that is shown in its short form
 * (`locales/<lang>/short.json`, under `<namespace>.<key>`), written for the
 * language that needs it; without one the whole message falls back to a
 * numbered list, which works but is harder to use on a phone.
 *
 * Messages with more than 10 choices are exempt: no channel shows more than
 * 10 as buttons or list rows (WhatsApp lists hold at most 10), so they are a
 * numbered list everywhere and their labels may be as long as they need.
 */
const MAX_LABEL = 20;
const MAX_CHOICES = 10;

const LANGUAGES = translator.locales;
const SHORT = 'short';

let offered: Offered[] = [];
/** Messages that become buttons on some channel: at most 10 choices. */
let asButtons: Offered[] = [];

beforeAll(async () => {
  offered = [
    ...offeredByFlows(testFlows, testDeps.countries),
    ...(await offeredByEngine(testFlows, testDeps.countries, translator)),
  ];
  asButtons = offered.filter((o) => (o.output.choices ?? []).length <= MAX_CHOICES);
}, 180_000);

const choicesOf = (messages: readonly Offered[]): Choice[] => messages.flatMap((o) => o.output.choices ?? []);

// ------------------------------------------------------------ what is found

/**
 * Choice labels written in the engine's code (src, channels aside: they show
 * choices, they do not offer them), `label: 'ns:key'` or `label: \`ns:${x}\``,
 * as patterns over label keys.
 */
function engineLabelPatterns(): { source: string; pattern: RegExp }[] {
  const src = join(__dirname, '..', '..', 'src');
  const files = (d: string): string[] =>
    readdirSync(d).flatMap((name) => {
      const path = join(d, name);
      if (statSync(path).isDirectory()) return path === join(src, 'channels') ? [] : files(path);
      return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
    });
  return files(src).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\blabel:\s*(['`])([\w.-]+:[^'`]+)\1/g)].map((m) => {
      const parts = m[2]!.split(/\$\{[^}]*\}/);
      const source = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^:]+');
      return { source: `${m[2]!} (${relative(src, file)})`, pattern: new RegExp(`^${source}$`) };
    }),
  );
}

describe('the choices checked', () => {
  it('come from every flow and from the engine', () => {
    const keys = new Set(choicesOf(offered).map((c) => c.label));
    expect(keys.size).toBeGreaterThan(50);
    for (const key of [
      'menu:audience.preparing',
      'rfl:choice.keep',
      'common:choice.language',
      'common:choice.help',
      'privacy:choice.confirm',
      'privacy:choice.cancel',
      'safety:choice.danger',
      'languages:en',
      'handoff:choice.yes',
    ]) {
      expect([key, keys.has(key)]).toEqual([key, true]);
    }
  });

  it('include every choice written in the engine (src), so none is missed', () => {
    const keys = [...new Set(choicesOf(offered).map((c) => c.label))];
    const missed = engineLabelPatterns()
      .filter(({ pattern }) => !keys.some((k) => pattern.test(k)))
      .map(({ source }) => `${source}: offered by the engine but not found by test/support/offered.ts`);
    expect(engineLabelPatterns().length).toBeGreaterThan(5);
    expect(missed).toEqual([]);
  });

  it('leave messages of more than 10 choices to the numbered list (country lists, the language list)', () => {
    const lists = offered.filter((o) => (o.output.choices ?? []).length > MAX_CHOICES);
    expect(lists.map((o) => o.output.key)).toEqual(expect.arrayContaining(['situation:where', 'common:chooseLanguage']));
  });
});

// ------------------------------------------------------------ every button fits

describe.each(LANGUAGES)('buttons in %s', (lng) => {
  it(`are at most ${MAX_LABEL} characters, in full or in a short form (locales/${lng}/short.json)`, () => {
    // One line per label and text, naming the first message that shows it.
    const problems = new Map<string, string>();
    for (const { where, output } of asButtons) {
      for (const choice of output.choices ?? []) {
        const label = buttonLabel(choice, lng, MAX_LABEL, translator);
        const id = `${choice.label} ${label}`;
        if (label.length <= MAX_LABEL || problems.has(id)) continue;
        const short = shortLabelKey(choice.label)!;
        const why = translator.hasOwn(short, lng)
          ? `its short form ${short} "${translator.t(short, lng, choice.params)}" is too long too`
          : `add ${short.slice(SHORT.length + 1)} to locales/${lng}/short.json`;
        problems.set(id, `${choice.label} [${lng}] "${label}" (${label.length} characters, in ${where}): ${why}`);
      }
    }
    expect([...problems.values()]).toEqual([]);
  });

  it('can be told apart within one message', () => {
    const problems = new Map<string, string>();
    for (const { where, output } of asButtons) {
      const labels = (output.choices ?? []).map((c) => buttonLabel(c, lng, MAX_LABEL, translator));
      const twice = labels.filter((l, i) => labels.findIndex((m) => normalise(m) === normalise(l)) !== i);
      for (const l of twice) if (!problems.has(l)) problems.set(l, `"${l}" [${lng}] on two buttons of ${where}`);
    }
    expect([...problems.values()]).toEqual([]);
  });
});

// ------------------------------------------------------------ the short forms themselves

/** Every string in a language's short.json, as `<namespace>:<key>` of the label it shortens. */
function shortForms(lng: string): { label: string; text: string }[] {
  const walk = (tree: unknown, path: string): { label: string; text: string }[] => {
    if (typeof tree === 'string') {
      const dot = path.indexOf('.');
      return [{ label: `${path.slice(0, dot)}:${path.slice(dot + 1)}`, text: tree }];
    }
    if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return [{ label: path, text: '' }];
    return Object.entries(tree).flatMap(([k, v]) => walk(v, path ? `${path}.${k}` : k));
  };
  return walk(resources[lng]?.[SHORT] ?? {}, '');
}

const sorted = (names: string[]) => [...new Set(names)].sort().join(', ');

describe.each(LANGUAGES)('short forms in %s', (lng) => {
  it('shorten an English label, with the same placeholders, where the label is shown as a button and does not fit', () => {
    const problems = shortForms(lng).flatMap(({ label, text }) => {
      const at = `locales/${lng}/short.json ${label.replace(':', '.')}`;
      const english = englishTemplate(label);
      if (english === undefined) return [`${at}: no English label ${label} to shorten`];
      if (sorted(placeholders(text)) !== sorted(placeholders(english))) {
        return [`${at}: uses {${sorted(placeholders(text))}}, the label uses {${sorted(placeholders(english))}}`];
      }
      // Every value the label is shown with (a country name, say), as buttons show it.
      const shown: (Params | undefined)[] = choicesOf(asButtons)
        .filter((c) => c.label === label)
        .map((c) => c.params);
      if (shown.length === 0) return [`${at}: no message of at most ${MAX_CHOICES} choices offers ${label}`];
      const short = shortLabelKey(label)!;
      const long = shown.map((params) => translator.t(short, lng, params)).filter((t) => t.length > MAX_LABEL);
      if (long.length > 0) return [...new Set(long)].map((t) => `${at}: "${t}" is ${t.length} characters, more than ${MAX_LABEL}`);
      const needed = shown.some((params) => translator.t(label, lng, params).length > MAX_LABEL);
      return needed ? [] : [`${at}: the label "${translator.t(label, lng, shown[0])}" fits already`];
    });
    expect(problems).toEqual([]);
  });
});
