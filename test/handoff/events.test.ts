import { HandoffEvents } from '../../src/handoff/events';
import type { HandoffEvent } from '../../src/handoff/service';
import { RecordingLogger } from './alert-fixtures';

const alert: HandoffEvent = { type: 'case.alert', caseId: 'c1', organisationId: 'o1', priority: 'urgent', waitingMinutes: 5 };

test('every subscriber gets each event until it unsubscribes; one that throws is logged and does not stop the others', () => {
  const log = new RecordingLogger();
  const events = new HandoffEvents(log);
  const first: HandoffEvent[] = [];
  const second: HandoffEvent[] = [];
  events.subscribe(() => {
    throw new Error('listener broke');
  });
  const stopFirst = events.subscribe((e) => first.push(e));
  events.subscribe((e) => second.push(e));

  events.publish(alert);
  stopFirst();
  events.publish({ ...alert, caseId: 'c2' });

  expect(first.map((e) => e.caseId)).toEqual(['c1']);
  expect(second.map((e) => e.caseId)).toEqual(['c1', 'c2']);
  expect(log.lines.filter((l) => l.fields.event === 'handoff-listener-failed')).toHaveLength(2);
  expect(log.lines[0]!.fields).toMatchObject({ type: 'case.alert', err: { message: 'listener broke' } });
});

test('the same function subscribed twice is called twice and needs two unsubscribes', () => {
  const events = new HandoffEvents(new RecordingLogger());
  const seen: string[] = [];
  const listener = (e: HandoffEvent) => seen.push(e.caseId);
  const a = events.subscribe(listener);
  events.subscribe(listener);
  events.publish(alert);
  a();
  events.publish(alert);
  expect(seen).toEqual(['c1', 'c1', 'c1']);
});
