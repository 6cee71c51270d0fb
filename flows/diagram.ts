import {
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type AnyTransitionDefinition,
  type StateValue,
} from 'xstate';
import { CHOICE_TEXT_MAX, MermaidIds, mermaidText, STATE_TEXT_MAX } from './mermaid';
import type { Choice, FlowEvent, FlowInput, Output } from './types';

/**
 * A flow's machine as a Mermaid state diagram, for people who review the
 * conversation without reading XState. Drawn from the machine's config, and
 * where the config holds functions (dynamic `say` params, guards, a flow
 * chosen at run time) by asking XState's pure `transition()` what they do for
 * an English-speaking person whose country is unknown. No I/O; the English
 * wording comes from the caller's `text`.
 */

/** English text of a locale key, nested keys resolved and `{{placeholders}}` left in; undefined when missing. */
export type EnglishText = (key: string) => string | undefined;

/** Above this many choices for one event, the label counts them instead of listing them. */
const LISTED_CHOICES = 3;

/** The person the diagram is drawn for: English, country unknown. */
const ENV = { locale: 'en' };

/**
 * What the diagram may assume when it computes what a step says: the flow's
 * initial context and a plain `nav.next`. Steps whose text depends on more
 * (an answer given on the way) show whatever keys this gives only if they
 * exist in English, and nothing otherwise.
 */
interface Assumed {
  context: unknown;
  event: FlowEvent;
}

/** The `say` outputs in a list of actions, computing dynamic ones from what is assumed. */
function says(actions: readonly unknown[], assumed: Assumed | undefined, text: EnglishText): Output[] {
  return actions.flatMap((a) => {
    const action = a as { type?: unknown; params?: unknown } | null;
    if (action?.type !== 'say') return [];
    let output: unknown = action.params;
    if (typeof output === 'function') {
      try {
        output = assumed ? (output as (args: Assumed) => unknown)(assumed) : undefined;
      } catch {
        output = undefined;
      }
      const key = (output as Partial<Output> | undefined)?.key;
      if (typeof key !== 'string' || text(key) === undefined) return [];
    }
    if (typeof output !== 'object' || output === null) return [];
    return typeof (output as Partial<Output>).key === 'string' ? [output as Output] : [];
  });
}

/**
 * The outputs of `say` actions as XState resolved them. Asides (replies to
 * what was just done) count only when nothing else is said, as on arriving
 * in a final step.
 */
function spoken(actions: readonly unknown[]): Output[] {
  const outputs = actions.flatMap((a) => {
    const action = a as { type?: unknown; params?: Partial<Output> } | null;
    return action?.type === 'say' && typeof action.params?.key === 'string' ? [action.params as Output] : [];
  });
  const main = outputs.filter((o) => !o.aside);
  return main.length > 0 ? main : outputs;
}

/** The flow a `startFlow` action starts: its id, `null` when computed at run time, undefined when none. */
function startedFlow(actions: readonly unknown[]): string | null | undefined {
  for (const a of actions) {
    const action = a as { type?: unknown; params?: unknown } | null;
    if (action?.type !== 'startFlow') continue;
    const flow = (action.params as { flow?: unknown } | undefined)?.flow;
    return typeof action.params === 'object' && typeof flow === 'string' ? flow : null;
  }
  return undefined;
}

type Guard = AnyTransitionDefinition['guard'];

/** A guard as written: its name, or `not x`, `x and y`, `x or y` for XState's combinators. */
export function guardName(guard: Guard | string): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = (guard as { guards?: unknown }).guards;
    if (Array.isArray(parts)) {
      const names = parts.map((g) => guardName(g as Guard) ?? 'guard');
      if (guard.name === 'not') return `not ${names[0] ?? 'guard'}`;
      if (guard.name === 'and' || guard.name === 'or') return names.join(` ${guard.name} `);
    }
    return guard.name || 'guard';
  }
  const type = (guard as { type?: unknown }).type;
  return typeof type === 'string' ? type : typeof type === 'function' ? type.name || 'guard' : 'guard';
}

/** An event type as a reader knows it: XState's internal events get plain names. */
function eventName(type: string): string {
  if (type === '') return 'always';
  if (type === '*') return 'any event';
  const after = /^xstate\.after\.(\d+)\./.exec(type);
  if (after) return `after ${after[1]} ms`;
  if (type.startsWith('xstate.done.state.')) return 'done';
  if (type.startsWith('xstate.done.actor.')) return 'actor done';
  if (type.startsWith('xstate.error.actor.')) return 'actor error';
  return type;
}

/** The event a choice sends, as the engine builds it from the payload (`type[:value]`). */
function choiceEvent(choice: Choice): FlowEvent {
  const colon = choice.payload.indexOf(':');
  const env = ENV;
  return (colon === -1
    ? { type: choice.payload, env }
    : { type: choice.payload.slice(0, colon), value: choice.payload.slice(colon + 1), env }) as FlowEvent;
}

function valueOf(path: readonly string[]): StateValue {
  const [head, ...rest] = path;
  return rest.length === 0 ? head! : { [head!]: valueOf(rest) };
}

/** A choice as a step offers it. */
interface Offer {
  at: AnyStateNode;
  choice: Choice;
}

/** What a choice does where it is offered: the transitions it takes and the flow it starts, if any. */
interface Outcome {
  taken: readonly AnyTransitionDefinition[];
  flow?: string;
}

/**
 * Asks the machine itself (guards included) what each offered choice does,
 * from a snapshot in the step that offers it, with the flow's initial
 * context and an English-speaking person whose country is unknown. A guard
 * that needs more (a known country) sends the choice down the other branch;
 * the branch it misses still shows its event and guard. Undefined when the
 * machine cannot be asked this way (a guard reading context set on the way).
 */
function outcomes(machine: AnyStateMachine, initial: AnyMachineSnapshot | undefined): (offer: Offer) => Outcome | undefined {
  const known = new Map<Offer, Outcome | undefined>();
  const ask = ({ at, choice }: Offer): Outcome | undefined => {
    if (!initial) return undefined;
    try {
      const snapshot = machine.resolveState({ value: valueOf(at.path), context: initial.context });
      const event = choiceEvent(choice);
      const taken = machine.getTransitionData(snapshot, event) as AnyTransitionDefinition[];
      const flow = startedFlow(transition(machine, snapshot, event)[1]);
      return { taken, flow: flow ?? undefined };
    } catch {
      return undefined;
    }
  };
  return (offer) => {
    if (!known.has(offer)) known.set(offer, ask(offer));
    return known.get(offer);
  };
}

/** The English labels of some choices: listed when few, counted when many. */
function choiceLabels(offers: readonly Offer[], text: EnglishText): string | undefined {
  const labels = [...new Set(offers.map(({ choice: c }) => mermaidText(text(c.label) ?? c.label, CHOICE_TEXT_MAX) ?? c.payload))];
  if (labels.length === 0) return undefined;
  return labels.length > LISTED_CHOICES ? `${labels.length} choices` : labels.join(' / ');
}

interface Edge {
  from: string;
  to: string;
  label: string;
}

export function flowDiagram(machine: AnyStateMachine, text: EnglishText): string {
  const root = machine.root;
  const ids = new MermaidIds();
  const idOf = (node: AnyStateNode) => ids.get(node.id, node.path.join('_'));
  // Named in document order first, so ids never depend on the order edges are found.
  const nodes: AnyStateNode[] = [];
  const walk = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      nodes.push(child);
      idOf(child);
      walk(child);
    }
  };
  walk(root);

  let initial: AnyMachineSnapshot | undefined;
  let initialActions: readonly unknown[] = [];
  try {
    [initial, initialActions] = initialTransition(machine, { env: ENV } satisfies FlowInput) as [AnyMachineSnapshot, unknown[]];
  } catch {
    initial = undefined;
  }
  const assumed: Assumed | undefined = initial && { context: initial.context, event: { type: 'nav.next', env: ENV } };

  /**
   * What the bot says on arriving in a step whose entry is more than `say`
   * actions (say in a loop, compute first) or says nothing (the transition
   * into it speaks): found by taking a transition into it from a step that
   * has one, with the choice offered there.
   */
  const arriving = (node: AnyStateNode): Output[] => {
    if (!initial) return [];
    const value = valueOf(node.path);
    if (initial.matches(value)) return spoken(initialActions);
    for (const from of nodes.filter((n) => n.type === 'atomic')) {
      for (let owner: AnyStateNode | undefined = from; owner; owner = owner.parent) {
        for (const [event, ts] of owner.transitions as Map<string, AnyTransitionDefinition[]>) {
          if (!ts.some((t) => (t.target ?? []).includes(node)) || event.startsWith('xstate.')) continue;
          const offered = said(from).flatMap((o) => o.choices ?? []).filter((c) => c.payload.split(':', 1)[0] === event);
          const plain = (event === 'user.text' ? { type: event, text: '', env: ENV } : { type: event, env: ENV }) as FlowEvent;
          for (const e of [...offered.map(choiceEvent), plain]) {
            try {
              const snapshot = machine.resolveState({ value: valueOf(from.path), context: initial.context });
              const [next, actions] = transition(machine, snapshot, e);
              const heard = next.matches(value) ? spoken(actions) : [];
              if (heard.length > 0) return heard;
            } catch {
              // This way in needs more than the assumed context; try the next.
            }
          }
        }
      }
    }
    return [];
  };

  const heardBefore = new Map<AnyStateNode, Output[]>();
  const said = (node: AnyStateNode): Output[] => {
    const known = heardBefore.get(node);
    if (known) return known;
    // Set first, so that a loop of steps reached only through each other ends.
    const configured = says(node.entry, assumed, text);
    heardBefore.set(node, configured);
    const plainSays = node.entry.every((a) => (a as { type?: unknown } | null)?.type === 'say');
    if ((!plainSays || configured.length === 0) && (node.type === 'atomic' || node.type === 'final')) {
      const heard = arriving(node);
      if (heard.length > 0) heardBefore.set(node, heard);
    }
    return heardBefore.get(node)!;
  };

  const pseudo = new Map<string, string>();
  const pseudoId = (key: string, wanted: string, description: string) => {
    const id = ids.get(`\u0000${key}`, wanted);
    pseudo.set(id, description);
    return id;
  };
  const flowId = (flow: string | undefined) =>
    flow === undefined
      ? pseudoId('flow', 'anotherFlow', 'starts another flow')
      : pseudoId(`flow:${flow}`, `flow_${flow}`, mermaidText(`starts the ${flow} flow`, STATE_TEXT_MAX)!);

  // Every choice, where it is offered; a state's transitions also serve the steps inside it.
  const offers: Offer[] = nodes
    .filter((n) => n.type === 'atomic')
    .flatMap((at) => said(at).flatMap((o) => (o.choices ?? []).map((choice) => ({ at, choice }))));
  const within = (source: AnyStateNode, at: AnyStateNode) => source.path.every((part, i) => at.path[i] === part);
  const outcome = outcomes(machine, initial);

  const edges = new Map<AnyStateNode, Edge[]>();
  const addEdge = (scope: AnyStateNode, edge: Edge) => edges.set(scope, [...(edges.get(scope) ?? []), edge]);

  for (const source of [root, ...nodes]) {
    if (source.transitions.size === 0 && !source.always?.length) continue;
    const from = source === root ? pseudoId('any', 'anyStep', 'from any step') : idOf(source);
    const byEvent = [...(source.transitions as Map<string, AnyTransitionDefinition[]>).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, ts]) => ts);
    for (const t of [...byEvent.flat(), ...((source.always ?? []) as AnyTransitionDefinition[])]) {
      const event = String(t.eventType);
      const guard = guardName(t.guard);
      const labelFor = (chosen: readonly Offer[]) =>
        `${[choiceLabels(chosen, text), eventName(event)].filter(Boolean).join(' - ')}${guard ? ` [${mermaidText(guard, CHOICE_TEXT_MAX) ?? 'guard'}]` : ''}`;
      // The choices that take this transition: those the machine says do, or all for its event when it cannot say.
      const chosen = offers.filter((o) => {
        if (!within(source, o.at) || o.choice.payload.split(':', 1)[0] !== event) return false;
        const known = outcome(o);
        return known === undefined || known.taken.includes(t);
      });
      const targets = (t.target ?? []) as AnyStateNode[];
      for (const target of targets) {
        addEdge(source === root ? root : commonParent(source, target, root), { from, to: idOf(target), label: labelFor(chosen) });
      }
      if (targets.length > 0) continue;
      const flow = startedFlow(t.actions);
      if (flow === undefined) {
        addEdge(source.parent ?? root, { from, to: from, label: labelFor(chosen) });
      } else if (typeof flow === 'string') {
        addEdge(root, { from, to: flowId(flow), label: labelFor(chosen) });
      } else {
        // Computed at run time: one edge per flow the offered choices start.
        const byFlow = new Map<string, Offer[]>();
        for (const o of chosen) {
          const to = flowId(outcome(o)?.flow);
          byFlow.set(to, [...(byFlow.get(to) ?? []), o]);
        }
        if (byFlow.size === 0) byFlow.set(flowId(undefined), []);
        for (const [to, some] of [...byFlow].sort(([a], [b]) => (a < b ? -1 : 1))) addEdge(root, { from, to, label: labelFor(some) });
      }
    }
  }

  const describe = (node: AnyStateNode): string | undefined => {
    if (node.type === 'history') return 'history';
    const first = said(node)[0];
    return first && mermaidText((text(first.key) ?? first.key).split('\n')[0]!, STATE_TEXT_MAX);
  };

  const lines = (node: AnyStateNode, depth: number): string[] => {
    const pad = '  '.repeat(depth);
    const children = Object.values(node.states) as AnyStateNode[];
    const regions = node.type === 'parallel';
    const initial = regions ? [] : ((node.initial?.target ?? []) as AnyStateNode[]);
    const out = initial.map((start) => `${pad}[*] --> ${idOf(start)}`);
    children.forEach((child, i) => {
      if (regions && i > 0) out.push(`${pad}--`);
      if (child.type === 'compound' || child.type === 'parallel') {
        out.push(`${pad}state ${idOf(child)} {`, ...lines(child, depth + 1), `${pad}}`);
        return;
      }
      const description = describe(child);
      out.push(description ? `${pad}${idOf(child)} : ${description}` : `${pad}${idOf(child)}`);
    });
    for (const e of edges.get(node) ?? []) out.push(`${pad}${e.from} --> ${e.to} : ${e.label}`);
    for (const child of children) if (child.type === 'final') out.push(`${pad}${idOf(child)} --> [*]`);
    return out;
  };

  const body = lines(root, 1);
  const pseudoLines = [...pseudo.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, d]) => `  ${id} : ${d}`);
  return ['stateDiagram-v2', ...body, ...pseudoLines, ''].join('\n');
}

/** The innermost state containing both ends of a transition, where Mermaid needs the edge declared. */
function commonParent(a: AnyStateNode, b: AnyStateNode, root: AnyStateNode): AnyStateNode {
  const ancestors = new Set<AnyStateNode>();
  for (let n: AnyStateNode | undefined = a.parent; n; n = n.parent) ancestors.add(n);
  for (let n: AnyStateNode | undefined = b.parent; n; n = n.parent) if (ancestors.has(n)) return n;
  return root;
}
