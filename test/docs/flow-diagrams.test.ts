import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, not, setup } from 'xstate';
import { flowDiagram, guardName, type EnglishText } from '../../flows/diagram';
import { mermaidText, STATE_TEXT_MAX } from '../../flows/mermaid';
import { flowActions, type FlowEvent, type FlowInput } from '../../flows/types';
import { COMMAND, DOCS_DIR, flowDocs, generatedDocs } from '../../scripts/flows-docs';

/**
 * docs/flows is generated from the machines: these tests keep the committed
 * files in step with the flows, pin the generator's output on small machines,
 * and check the Mermaid against the subset of the state-diagram grammar the
 * generator promises to write. No Mermaid parser is available offline; the
 * subset was read off Mermaid's state-diagram lexers (stateDiagram.jison and
 * its chevrotain port, state.tokens.ts): what a label may hold, which ids
 * read as keywords, and the whole-line rules.
 */

// ---------------------------------------------------------------- Mermaid subset

const ID = '[A-Za-z_][A-Za-z0-9_]*';
/** Label text: none of the characters the state-diagram lexer gives a meaning to. */
const TEXT = '[^:;"#%(){}<>`\\\\\\s](?:[^:;"#%(){}<>`\\\\\\n]*[^:;"#%(){}<>`\\\\\\s])?';
const LINE_FORMS: readonly RegExp[] = [
  new RegExp(`^\\[\\*\\] --> (${ID})$`),
  new RegExp(`^(${ID}) --> \\[\\*\\]$`),
  new RegExp(`^(${ID}) --> (${ID})(?: : ${TEXT})?$`),
  new RegExp(`^(${ID})(?: : ${TEXT})?$`),
  new RegExp(`^state (${ID}) \\{$`),
];
/** Words the lexer takes as keywords at the start of a statement, and ids it splits ("default..."). */
const KEYWORDS = /^(?:state|note|class|classdef|scale|direction|end|hide|as|acctitle|accdescr|style|click|href)$|^default/i;

/**
 * Problems with a diagram, by line number; empty when every line is one of
 * the forms above, blocks balance, an edge inside a block names only states
 * of that block (otherwise Mermaid makes a second state of that name there),
 * and nothing trips the lexer's whole-line rules (`direction LR` anywhere,
 * `%%` comments).
 */
function mermaidProblems(diagram: string): string[] {
  const problems: string[] = [];
  const lines = diagram.replace(/\n$/, '').split('\n');
  if (lines[0] !== 'stateDiagram-v2') problems.push('1: must start with stateDiagram-v2');
  interface Block {
    declared: Set<string>;
    named: { at: string; id: string }[];
  }
  const blocks: Block[] = [{ declared: new Set(), named: [] }];
  const close = (block: Block) => {
    for (const { at, id } of block.named) if (!block.declared.has(id)) problems.push(`${at}: ${id} is not a state of this block`);
  };
  lines.slice(1).forEach((raw, i) => {
    const at = `${i + 2}`;
    const depth = blocks.length - 1;
    const indent = /^ */.exec(raw)![0].length;
    const line = raw.trim();
    const expected = 2 * (line === '}' ? depth : depth + 1);
    if (indent !== expected) problems.push(`${at}: indented ${indent}, expected ${expected}`);
    if (line === '}') {
      if (depth === 0) problems.push(`${at}: } without a block`);
      else close(blocks.pop()!);
      return;
    }
    if (line === '--') {
      if (depth === 0) problems.push(`${at}: -- outside a block`);
      return;
    }
    const form = LINE_FORMS.map((re) => re.exec(line)).find(Boolean);
    if (!form) return void problems.push(`${at}: not a known statement: ${line}`);
    const ids = form.slice(1).filter((g): g is string => g !== undefined);
    for (const id of ids) if (KEYWORDS.test(id)) problems.push(`${at}: id ${id} reads as a keyword`);
    const block = blocks[depth]!;
    if (line.includes(' --> ')) block.named.push(...ids.map((id) => ({ at, id })));
    else block.declared.add(ids[0]!);
    if (line.endsWith('{')) blocks.push({ declared: new Set(), named: [] });
  });
  if (blocks.length > 1) problems.push('end: unclosed block');
  if (/direction\s+(?:tb|bt|rl|lr)/i.test(diagram)) problems.push('a "direction" statement hides in the text');
  if (diagram.includes('%%')) problems.push('%% starts a comment');
  return problems;
}

/** The Mermaid blocks of a Markdown page. */
function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('the Mermaid subset check', () => {
  it('accepts the statements the generator writes', () => {
    expect(
      mermaidProblems(
        'stateDiagram-v2\n  [*] --> a\n  a : Hello there\n  state b {\n    [*] --> c\n    c\n    c --> [*]\n  }\n  a --> b : Next - nav.next [isX]\n  c --> a : nav.back\n',
      ),
    ).toEqual([]);
  });

  it('rejects what the state-diagram lexer would misread', () => {
    expect(mermaidProblems('graph TD\n  a --> b\n')).toEqual(['1: must start with stateDiagram-v2']);
    expect(mermaidProblems('stateDiagram-v2\n  a --> b : Police: 999\n')).toEqual(['2: not a known statement: a --> b : Police: 999']);
    expect(mermaidProblems('stateDiagram-v2\n  a : call (now)\n')).toEqual(['2: not a known statement: a : call (now)']);
    expect(mermaidProblems('stateDiagram-v2\n  a-b --> c\n')).toEqual(['2: not a known statement: a-b --> c']);
    expect(mermaidProblems('stateDiagram-v2\n  a : say "hi"; bye\n')).toEqual(['2: not a known statement: a : say "hi"; bye']);
    expect(mermaidProblems('stateDiagram-v2\n  note --> defaultStep\n  href\n')).toEqual([
      '2: id note reads as a keyword',
      '2: id defaultStep reads as a keyword',
      '3: id href reads as a keyword',
    ]);
    expect(mermaidProblems('stateDiagram-v2\n  state a {\n    b\n')).toEqual(['end: unclosed block']);
    expect(mermaidProblems('stateDiagram-v2\n  c\n  state a {\n    b\n    b --> c\n  }\n  b --> c\n')).toEqual([
      '5: c is not a state of this block',
    ]);
    expect(mermaidProblems('stateDiagram-v2\n  a : which direction LR\n')).toEqual(['a "direction" statement hides in the text']);
    expect(mermaidProblems('stateDiagram-v2\n  a : 50%% off\n')).toEqual(['2: not a known statement: a : 50%% off', '%% starts a comment']);
    expect(mermaidProblems('stateDiagram-v2\n   a\n')).toEqual(['2: indented 3, expected 2']);
  });
});

// ---------------------------------------------------------------- the generator

const words: Record<string, string> = {
  'tiny:ask': 'Do you want the numbers?\nI can show them.',
  'tiny:numbers': 'Call {{number}}: it is free (24 h); "really".',
  'tiny:done': 'Goodbye.',
  'tiny:yes': 'Yes',
  'tiny:no': 'No, thanks',
  'tiny:person': 'Talk to a person',
  'common:choice.next': 'Next',
};
const text: EnglishText = (key) => words[key];

/** States, a guard on the person's country, a flow started, text said on entry (fixed or computed) or on the way, and a final state. */
const tinyMachine = setup({
  types: { events: {} as FlowEvent, input: {} as FlowInput },
  actions: flowActions,
  guards: { hasCountry: ({ event }) => event.env.country !== undefined },
}).createMachine({
  id: 'tiny',
  initial: 'ask',
  states: {
    ask: {
      entry: {
        type: 'say',
        params: {
          key: 'tiny:ask',
          choices: [
            { label: 'tiny:yes', payload: 'answer.yes' },
            { label: 'tiny:no', payload: 'answer.no' },
            { label: 'tiny:person', payload: 'person.ask' },
          ],
        },
      },
      on: {
        'answer.yes': [{ guard: 'hasCountry', target: 'numbers' }, { target: 'country' }],
        // The goodbye is said on the way: the final step's text comes from the transition into it.
        'answer.no': { target: 'done', actions: { type: 'say', params: { key: 'tiny:done', aside: true } } },
        'person.ask': { actions: { type: 'startFlow', params: { flow: 'person' } } },
      },
    },
    country: { on: { 'user.text': { target: 'numbers' } } },
    numbers: {
      // Computed when said, as flows do for country numbers.
      entry: {
        type: 'say',
        params: ({ event }) => ({
          key: 'tiny:numbers',
          params: { number: event.env.country ?? '' },
          choices: [{ label: 'common:choice.next', payload: 'nav.next' }],
        }),
      },
      on: { 'nav.next': { target: 'done' }, 'nav.back': { target: 'ask' } },
    },
    done: { type: 'final' },
  },
});

describe('flowDiagram', () => {
  it('draws a small machine: states with their text, guards, choices, a started flow and the end', () => {
    expect(flowDiagram(tinyMachine, text)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> ask',
        '  ask : Do you want the numbers?',
        '  country',
        "  numbers : Call [number] - it is free [24 h], 'really'.",
        '  done : Goodbye.',
        '  ask --> done : No, thanks - answer.no',
        '  ask --> numbers : answer.yes [hasCountry]',
        '  ask --> country : Yes - answer.yes',
        '  ask --> flow_person : Talk to a person - person.ask',
        '  country --> numbers : user.text',
        '  numbers --> ask : nav.back',
        '  numbers --> done : Next - nav.next',
        '  done --> [*]',
        '  flow_person : starts the person flow',
        '',
      ].join('\n'),
    );
  });

  it('draws nested states in blocks, with ids from their paths, machine-wide events from "any step", and combined guards', () => {
    const machine = setup({
      types: { events: {} as FlowEvent, input: {} as FlowInput },
      actions: flowActions,
      guards: { isA: () => true, isB: () => false },
    }).createMachine({
      id: 'nested',
      initial: 'outer',
      on: { 'menu.open': { target: '.end' } },
      states: {
        outer: {
          initial: 'first',
          states: {
            first: { on: { 'nav.next': { target: 'second', guard: not('isA') } } },
            second: { always: { target: 'third', guard: and(['isA', 'isB']) } },
            third: { type: 'final' },
          },
          onDone: { target: 'end' },
        },
        end: { type: 'final' },
      },
    });
    expect(flowDiagram(machine, text)).toBe(
      [
        'stateDiagram-v2',
        '  [*] --> outer',
        '  state outer {',
        '    [*] --> outer_first',
        '    outer_first',
        '    outer_second',
        '    outer_third',
        '    outer_first --> outer_second : nav.next [not isA]',
        '    outer_second --> outer_third : always [isA and isB]',
        '    outer_third --> [*]',
        '  }',
        '  s_end',
        '  anyStep --> s_end : menu.open',
        '  outer --> s_end : done',
        '  s_end --> [*]',
        '  anyStep : from any step',
        '',
      ].join('\n'),
    );
  });

  it('makes ids from state names that Mermaid reads as plain ids, unique after cleaning', () => {
    const machine = setup({ types: { events: {} as FlowEvent, input: {} as FlowInput } }).createMachine({
      id: 'names',
      initial: 'note',
      states: {
        note: { on: { 'nav.next': { target: 'defaultStep' } } },
        defaultStep: { on: { 'nav.next': { target: 'a-b' } } },
        'a-b': { on: { 'nav.next': { target: 'ab' } } },
        ab: { type: 'final' },
      },
    });
    const diagram = flowDiagram(machine, text);
    expect(diagram).toContain('  [*] --> s_note\n');
    expect(diagram).toContain('  s_note --> s_defaultStep : nav.next\n');
    expect(diagram).toContain('  s_defaultStep --> ab : nav.next\n');
    expect(diagram).toContain('  ab --> ab2 : nav.next\n');
    expect(mermaidProblems(diagram)).toEqual([]);
  });

  it('writes the small machines in the Mermaid subset', () => {
    expect(mermaidProblems(flowDiagram(tinyMachine, text))).toEqual([]);
  });

  it('counts choices instead of listing many that take the same transition', () => {
    const machine = setup({ types: { events: {} as FlowEvent, input: {} as FlowInput }, actions: flowActions }).createMachine({
      id: 'many',
      initial: 'pick',
      states: {
        pick: {
          entry: {
            type: 'say',
            params: { key: 'tiny:ask', choices: ['PH', 'NP', 'ID', 'LK'].map((c) => ({ label: `countries:${c}`, payload: `country.set:${c}` })) },
          },
          on: { 'country.set': { target: 'done' } },
        },
        done: { type: 'final' },
      },
    });
    expect(flowDiagram(machine, text)).toContain('  pick --> done : 4 choices - country.set\n');
  });
});

describe('mermaidText', () => {
  it('replaces what the lexer reads specially and fills placeholders in as [name]', () => {
    expect(mermaidText('Police: 999; call {{ number, phone }} (free) "now" #1 50% <b>a & b</b> {x} `c` a\\b', 200)).toBe(
      "Police - 999, call [number] [free] 'now' 1 50 percent b a and b /b x 'c' a/b",
    );
  });

  it('keeps one line and cuts long text at a word with "..."', () => {
    const long = 'Before you go: a short checklist to help you stay safe while you travel and work abroad.';
    const cut = mermaidText(long, STATE_TEXT_MAX)!;
    expect(cut).toBe('Before you go - a short checklist to help you stay safe...');
    expect(cut.length).toBeLessThanOrEqual(STATE_TEXT_MAX);
    expect(mermaidText('one\ntwo', 20)).toBe('one two');
  });

  it('breaks up "direction LR", which Mermaid would take as a layout statement', () => {
    expect(mermaidText('Choose a direction LR', 60)).toBe('Choose a direction, LR');
  });

  it('gives nothing for text with nothing readable left', () => {
    expect(mermaidText('{}<>', 20)).toBeUndefined();
    expect(mermaidText(' \n ', 20)).toBeUndefined();
  });
});

describe('guardName', () => {
  it('names guards as written, including XState combinators and parameterised guards', () => {
    expect(guardName('isA')).toBe('isA');
    expect(guardName({ type: 'isB', params: { n: 1 } })).toBe('isB');
    expect(guardName(not('isA'))).toBe('not isA');
    expect(guardName(and(['isA', not('isB')]))).toBe('isA and not isB');
    expect(guardName(undefined)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- the committed docs

describe('docs/flows', () => {
  const docs = generatedDocs();
  const committed = existsSync(DOCS_DIR) ? readdirSync(DOCS_DIR).filter((f) => f.endsWith('.md')) : [];

  it(`match what \`${COMMAND}\` generates from the flows`, () => {
    const outOfDate = [...docs]
      .filter(([file, content]) => !committed.includes(file) || readFileSync(join(DOCS_DIR, file), 'utf8') !== content)
      .map(([file]) => `docs/flows/${file} is missing or out of date: run \`${COMMAND}\``);
    const stale = committed
      .filter((file) => !docs.has(file))
      .map((file) => `docs/flows/${file} belongs to no flow: run \`${COMMAND}\``);
    expect([...outOfDate, ...stale]).toEqual([]);
  });

  it('hold one page per flow, each in the Mermaid subset, and an index linking them all', () => {
    const pages = [...docs].filter(([file]) => file !== 'README.md');
    const problems = pages.flatMap(([file, content]) => {
      const blocks = mermaidBlocks(content);
      if (blocks.length !== 1) return [`${file}: ${blocks.length} mermaid blocks`];
      return mermaidProblems(blocks[0]!).map((p) => `${file}:${p}`);
    });
    expect(problems).toEqual([]);
    const index = docs.get('README.md') ?? '';
    expect(pages.filter(([file]) => !index.includes(`](${file})`)).map(([file]) => file)).toEqual([]);
    expect(pages.every(([, content]) => content.includes(COMMAND))).toBe(true);
  });

  it('are generated the same way every time', () => {
    expect([...generatedDocs()]).toEqual([...docs]);
  });

  it('put each flow on the page named after its id, with its own diagram', () => {
    const flowsDocs = flowDocs([{ id: 'tiny', version: 2, machine: tinyMachine }], text);
    expect([...flowsDocs.keys()]).toEqual(['README.md', 'tiny.md']);
    expect(flowsDocs.get('tiny.md')).toBe(
      `# Flow \`tiny\`\n\nGenerated from the flow's state machine by \`${COMMAND}\`. Do not edit this file by hand.\n\n\`\`\`mermaid\n${flowDiagram(tinyMachine, text)}\`\`\`\n`,
    );
    expect(flowsDocs.get('README.md')).toContain('| [tiny](tiny.md) | 2 | 4 |');
  });
});
