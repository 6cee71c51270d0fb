import {
  createActor,
  initialTransition,
  transition,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type EventObject,
  type ExecutableActionObject,
} from 'xstate';
import { isEmptyObject } from '../util/objects';

export type Step = [AnyMachineSnapshot, ExecutableActionObject[]];

/**
 * XState's pure `transition()` and `initialTransition()`, without their cost:
 * each call of those builds a throwaway actor, which computes the machine's
 * initial state, and that costs several times the transition itself (about
 * 70 µs against 11 µs for the packing flow). One inert scope per machine
 * serves every call instead. That is safe because flows only decide: a
 * machine that invokes actors gets XState's own functions, and the calls are
 * synchronous, so two of them never share the list of actions they collect.
 */
export class PureMachine {
  private readonly scope: AnyActorScope | null;
  private actions: ExecutableActionObject[] = [];
  /** First steps by input: a flow's first step depends on its input alone, and most inputs repeat. */
  private readonly firstSteps = new Map<string, Step>();

  constructor(readonly machine: AnyStateMachine) {
    if (invokesActors(machine.root)) {
      this.scope = null;
      return;
    }
    const self = createActor(machine);
    this.scope = {
      self,
      id: '',
      sessionId: '',
      system: self.system,
      logger: () => undefined,
      defer: () => undefined,
      emit: () => undefined,
      stopChild: () => undefined,
      actionExecutor: (action) => {
        this.actions.push(action);
      },
    };
  }

  /**
   * The first step for `input`, computed once per input: flows are pure, so
   * the same input always gives the same step. What is handed out is shared
   * between turns, so the data in it (the context and each action's params)
   * is frozen: a change in place throws instead of leaking into the next
   * conversation. XState itself never changes a snapshot; it makes new ones.
   */
  initial(input: unknown): Step {
    if (!this.scope) return initialTransition(this.machine, input as never);
    const id = JSON.stringify(input);
    let step = this.firstSteps.get(id);
    if (!step) {
      step = this.collect(() => this.machine.getInitialSnapshot(this.scope!, input) as AnyMachineSnapshot);
      deepFreeze(step[0].context);
      for (const action of step[1]) deepFreeze(action.params);
      Object.freeze(step[1]);
      // Inputs are a language and two countries: few. Forgotten all at once should there be more.
      if (this.firstSteps.size >= MAX_FIRST_STEPS) this.firstSteps.clear();
      this.firstSteps.set(id, step);
    }
    return step;
  }

  transition(snapshot: AnyMachineSnapshot, event: EventObject): Step {
    if (!this.scope) return transition(this.machine, snapshot, event);
    return this.collect(() => this.machine.transition(snapshot, event, this.scope!) as AnyMachineSnapshot);
  }

  /**
   * XState's `getPersistedSnapshot`, built directly when there is nothing for
   * it to convert (no child actors, no history): XState spreads the snapshot
   * and then adds fields, and Node 20's V8 takes about a microsecond for each
   * field added after a spread. The same fields, the same values.
   */
  persisted(snapshot: AnyMachineSnapshot): Record<string, unknown> {
    if (!this.scope || !isEmptyObject(snapshot.children) || !isEmptyObject(snapshot.historyValue)) {
      return this.machine.getPersistedSnapshot(snapshot) as Record<string, unknown>;
    }
    // In XState's order, so that the stored JSON is the same.
    return {
      status: snapshot.status,
      output: snapshot.output,
      error: snapshot.error,
      value: snapshot.value,
      historyValue: {},
      context: snapshot.context,
      children: {},
    };
  }

  private collect(run: () => AnyMachineSnapshot): Step {
    this.actions = [];
    const snapshot = run();
    const actions = this.actions;
    this.actions = [];
    return [snapshot, actions];
  }
}

const MAX_FIRST_STEPS = 1000;

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

function invokesActors(node: AnyStateNode): boolean {
  return node.invoke.length > 0 || Object.values(node.states).some(invokesActors);
}
