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

  initial(input: unknown): Step {
    if (!this.scope) return initialTransition(this.machine, input as never);
    return this.collect(() => this.machine.getInitialSnapshot(this.scope!, input) as AnyMachineSnapshot);
  }

  transition(snapshot: AnyMachineSnapshot, event: EventObject): Step {
    if (!this.scope) return transition(this.machine, snapshot, event);
    return this.collect(() => this.machine.transition(snapshot, event, this.scope!) as AnyMachineSnapshot);
  }

  private collect(run: () => AnyMachineSnapshot): Step {
    this.actions = [];
    const snapshot = run();
    const actions = this.actions;
    this.actions = [];
    return [snapshot, actions];
  }
}

function invokesActors(node: AnyStateNode): boolean {
  return node.invoke.length > 0 || Object.values(node.states).some(invokesActors);
}
