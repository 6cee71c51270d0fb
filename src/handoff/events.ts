import type { Logger } from '../conversation/logger';
import { errorFields } from '../conversation/logger';
import type { HandoffEvent } from './service';

export type HandoffListener = (event: HandoffEvent) => void;

/**
 * The one place handoff events meet in a process: the service publishes what
 * people and staff do, the alert monitor the alerts it raises, and the inbox's
 * live stream subscribes. A listener that throws is logged and does not keep
 * the event from the others (nor fail the action that raised it).
 */
export class HandoffEvents {
  private readonly listeners = new Set<HandoffListener>();

  constructor(private readonly log: Logger) {}

  subscribe(listener: HandoffListener): () => void {
    // A wrapper per call, so subscribing the same function twice needs two unsubscribes.
    const entry: HandoffListener = (event) => listener(event);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  publish(event: HandoffEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ event: 'handoff-listener-failed', type: event.type, ...errorFields(err) });
      }
    }
  }
}
