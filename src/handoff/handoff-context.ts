import type { Logger } from '../conversation/logger';
import type { HandoffEvents } from './events';
import type { HandoffEvent } from './service';
import type { HandoffStore } from './store';
import type { Organisation } from './types';

/** What both sides of the handoff (src/handoff/person-side.ts, staff-side.ts) write through. */
export class HandoffContext {
  constructor(
    readonly store: HandoffStore,
    readonly log: Logger,
    readonly events: HandoffEvents,
    readonly clock: () => number,
  ) {}

  publish(event: HandoffEvent): void {
    this.events.publish(event);
  }

  async audit(
    userId: string | null,
    action: string,
    caseId: string | null,
    detail: Record<string, string | number | boolean | null>,
    at: number,
  ): Promise<void> {
    await this.store.audit({ at, userId, action, caseId, detail });
  }

  /** The organisation a case names; one missing is a broken store, not a refusal. */
  async organisation(id: string): Promise<Organisation> {
    const org = await this.store.getOrganisation(id);
    if (!org) throw new Error(`organisation ${id} of a case is missing`);
    return org;
  }
}
