import type { AnyMachineSnapshot } from 'xstate';
import type { FlowDefinition, FlowEvent, Output, Situation, Submission } from '../../flows/types';
import { PureMachine, type Step } from './pure-machine';
import type { Turn } from './turn';

export const MENU_FLOW = 'menu';

export class FlowRegistry {
  private readonly byId = new Map<string, FlowDefinition>();

  constructor(definitions: readonly FlowDefinition[]) {
    for (const def of definitions) {
      if (this.byId.has(def.id)) throw new Error(`flow '${def.id}' is registered twice`);
      this.byId.set(def.id, def);
    }
    if (!this.byId.has(MENU_FLOW)) throw new Error(`no '${MENU_FLOW}' flow registered`);
  }

  get(id: string): FlowDefinition | undefined {
    return this.byId.get(id);
  }

  all(): FlowDefinition[] {
    return [...this.byId.values()];
  }
}

/** A snapshot that the current machine cannot take: the flow changed since it was saved. */
export class StaleFlowError extends Error {
  constructor(readonly flowId: string, reason: string) {
    super(`stale snapshot of flow '${flowId}': ${reason}`);
    this.name = 'StaleFlowError';
  }
}

type Actions = Step[1];

/**
 * Runs flows with XState's pure transition functions: no actor per message,
 * only decide → collect outputs → persist the snapshot on the turn's record.
 */
export class FlowRunner {
  private readonly pure = new WeakMap<FlowDefinition, PureMachine>();

  constructor(private readonly flows: FlowRegistry) {}

  private pureOf(def: FlowDefinition): PureMachine {
    let pure = this.pure.get(def);
    if (!pure) this.pure.set(def, (pure = new PureMachine(def.machine)));
    return pure;
  }

  has(flowId: string): boolean {
    return this.flows.get(flowId) !== undefined;
  }

  /** Starts a flow, replacing the current one, and says its first step. */
  start(turn: Turn, flowId: string): void {
    const def = this.flows.get(flowId);
    if (!def) throw new Error(`unknown flow '${flowId}'`);
    const left = turn.record.flow;
    // The menu is where people come and go; leaving it is not leaving a task.
    if (left && left.id !== MENU_FLOW) turn.facts.push({ type: 'flow.left', flow: left.id, step: stepName(left.snapshot) });
    turn.facts.push({ type: 'flow.started', flow: flowId });
    const [snapshot, actions] = this.pureOf(def).initial({ env: turn.env() });
    this.settle(turn, def, snapshot, actions, true);
  }

  /**
   * Sends an event to the current flow. Returns false, changing nothing, when
   * the current state has no transition for it.
   */
  send(turn: Turn, event: FlowEvent): boolean {
    const current = turn.record.flow;
    if (!current) return false;
    const def = this.flows.get(current.id);
    const snapshot = this.restore(def, current);
    if (!snapshot.can(event)) return false;
    const [next, actions] = this.pureOf(def!).transition(snapshot, event);
    this.settle(turn, def!, next, actions, false);
    return true;
  }

  /** Whether the current flow (if any) would take this event. Throws StaleFlowError. */
  accepts(turn: Turn, event: FlowEvent): boolean {
    const current = turn.record.flow;
    if (!current) return false;
    return this.restore(this.flows.get(current.id), current).can(event);
  }

  private restore(
    def: FlowDefinition | undefined,
    stored: { id: string; version: number; snapshot: unknown },
  ): AnyMachineSnapshot {
    if (!def) throw new StaleFlowError(stored.id, 'flow no longer exists');
    if (def.version !== stored.version) {
      throw new StaleFlowError(stored.id, `saved with version ${stored.version}, now ${def.version}`);
    }
    const saved = stored.snapshot as { value?: unknown; context?: unknown; status?: unknown } | null;
    if (!saved || typeof saved !== 'object' || saved.status !== 'active') {
      throw new StaleFlowError(stored.id, 'snapshot is not an active state');
    }
    try {
      // resolveState throws on a state that no longer exists; it does not
      // check the context, so machines must tolerate missing context fields.
      const snapshot = def.machine.resolveState({ value: saved.value as never, context: saved.context as never });
      if (snapshot.status !== 'active') throw new Error(`status ${snapshot.status}`);
      return snapshot;
    } catch (err) {
      throw new StaleFlowError(stored.id, (err as Error).message);
    }
  }

  private settle(turn: Turn, def: FlowDefinition, snapshot: AnyMachineSnapshot, actions: Actions, started: boolean): void {
    const said: Output[] = [];
    let startNext: string | undefined;
    for (const action of actions) {
      if (action.type === 'say') said.push(action.params as Output);
      else if (action.type === 'startFlow') startNext = (action.params as { flow: string }).flow;
      else if (action.type === 'remember') remember(turn, action.params as Situation);
      else if (action.type === 'submit') turn.submissions.push(action.params as Submission);
    }
    turn.say(...said);
    // A step that says nothing keeps the previous prompt, so its choices still answer to numbers.
    if (said.length > 0 || started) turn.record.prompt = said.filter((o) => !o.aside);

    if (snapshot.status === 'done') turn.facts.push({ type: 'flow.finished', flow: def.id });
    if (startNext) {
      // Handing over to another flow is finishing this one, not leaving it.
      if (snapshot.status !== 'done') turn.facts.push({ type: 'flow.finished', flow: def.id });
      turn.record.flow = null;
      this.start(turn, startNext);
    } else if (snapshot.status === 'done') {
      turn.record.flow = null;
      if (def.id !== MENU_FLOW) this.start(turn, MENU_FLOW);
    } else {
      turn.record.flow = {
        id: def.id,
        version: def.version,
        snapshot: this.pureOf(def).persisted(snapshot),
      };
    }
  }
}

/** The state a stored snapshot was in, as one dotted name (`ask.country`): where a person left a flow. */
export function stepName(snapshot: unknown): string {
  const value = (snapshot as { value?: unknown } | null)?.value;
  const parts: string[] = [];
  let at: unknown = value;
  while (at !== null && typeof at === 'object') {
    const [first] = Object.keys(at);
    if (first === undefined) break;
    parts.push(first);
    at = (at as Record<string, unknown>)[first];
  }
  if (typeof at === 'string') parts.push(at);
  return parts.join('.') || 'unknown';
}

function remember(turn: Turn, situation: Situation): void {
  const country = { ...turn.record.country };
  if (situation.country !== undefined) country.current = situation.country ?? undefined;
  if (situation.origin !== undefined) country.origin = situation.origin ?? undefined;
  // Keep the stored object free of `undefined`, which JSON would drop anyway.
  turn.record.country = Object.fromEntries(Object.entries(country).filter(([, v]) => v !== undefined));
}
