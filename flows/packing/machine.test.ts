import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { packingMachine } from './machine';
import { PACKING_STEPS } from './steps';

const env: FlowEnv = { locale: 'en' };
const next: FlowEvent = { type: 'nav.next', env };
const back: FlowEvent = { type: 'nav.back', env };
const yes: FlowEvent = { type: 'answer.yes', env };

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] =>
  actions.filter((a) => a.type === 'say').map((a) => a.params as Output);

function start() {
  return initialTransition(packingMachine, { env });
}

/** The snapshot after the intro's "yes" and `steps` presses of Next. */
function atStep(steps: number): AnyMachineSnapshot {
  let [snapshot] = start();
  [snapshot] = transition(packingMachine, snapshot, yes);
  for (let i = 0; i < steps; i++) [snapshot] = transition(packingMachine, snapshot, next);
  return snapshot;
}

describe('packing machine', () => {
  it('starts with the intro, offering the checklist or the main menu', () => {
    const [snapshot, actions] = start();
    expect(snapshot.value).toBe('intro');
    const [intro] = said(actions);
    expect(intro?.key).toBe('packing:intro');
    expect(intro?.params).toEqual({ total: PACKING_STEPS.length });
    expect(intro?.choices?.map((c) => c.payload)).toEqual(['answer.yes', 'cmd.menu']);
  });

  it('leaves back at the intro to the engine, which shows the menu', () => {
    const [snapshot] = start();
    expect(snapshot.can(back)).toBe(false);
    expect(snapshot.can(next)).toBe(false);
  });

  it('ignores free text, so the engine can say it did not understand', () => {
    const text: FlowEvent = { type: 'user.text', text: 'yes please', env };
    expect(start()[0].can(text)).toBe(false);
    expect(atStep(0).can(text)).toBe(false);
  });

  it('walks every step in order with Next, each saying one message with Next, Back and Main menu', () => {
    let [snapshot] = start();
    let actions: Actions;
    [snapshot, actions] = transition(packingMachine, snapshot, yes);
    PACKING_STEPS.forEach((step, i) => {
      expect(snapshot.value).toBe(step);
      const outputs = said(actions);
      expect(outputs).toHaveLength(1);
      expect(outputs[0]).toEqual({
        key: `packing:${step}`,
        params: { step: i + 1, total: PACKING_STEPS.length },
        choices: [
          { label: 'common:choice.next', payload: 'nav.next' },
          { label: 'common:choice.back', payload: 'nav.back' },
          { label: 'common:choice.menu', payload: 'cmd.menu' },
        ],
      });
      [snapshot, actions] = transition(packingMachine, snapshot, next);
    });
    expect(snapshot.value).toBe('done');
    expect(snapshot.status).toBe('done');
    expect(said(actions).map((o) => o.key)).toEqual(['packing:done']);
  });

  it.each(PACKING_STEPS.map((step, i) => [step, i] as const))('goes back from %s to the step before', (step, i) => {
    const here = atStep(i);
    expect(here.value).toBe(step);
    const [before, actions] = transition(packingMachine, here, back);
    const previous = PACKING_STEPS[i - 1] ?? 'intro';
    expect(before.value).toBe(previous);
    expect(said(actions).map((o) => o.key)).toEqual([`packing:${previous}`]);
  });

  it('keeps a snapshot that can be saved and restored in the middle of the checklist', () => {
    const here = atStep(3);
    const saved = JSON.parse(JSON.stringify(packingMachine.getPersistedSnapshot(here))) as { value: string };
    const restored = packingMachine.resolveState({ value: saved.value, context: {} });
    const [after] = transition(packingMachine, restored, next);
    expect(after.value).toBe(PACKING_STEPS[4]);
  });
});
