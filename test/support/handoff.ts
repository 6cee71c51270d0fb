import { randomBytes, randomUUID } from 'node:crypto';
import { FlowRegistry, FlowRunner } from '../../src/conversation/flows';
import { silentLogger } from '../../src/conversation/logger';
import { AesGcmCipher } from '../../src/handoff/cipher';
import { HandoffService } from '../../src/handoff/handoff';
import { handoffStep } from '../../src/handoff/middleware';
import type { HandoffEvent } from '../../src/handoff/service';
import type { HandoffStore } from '../../src/handoff/store';
import type { Case, Organisation, Role, StaffUser } from '../../src/handoff/types';
import { MemoryHandoffStore } from '../../src/store/handoff-memory';
import { createTestBot, type TestBot, type TestBotOptions } from './bot';
import { translator } from './english';
import { testDeps, testFlows } from './flows';

export const DEFAULT_ORGANISATION = 'Test caseworkers';

export interface HandoffBotOptions extends TestBotOptions {
  /** A store shared with another bot (two people, one set of cases). */
  handoffStore?: MemoryHandoffStore;
}

export interface HandoffBot extends TestBot {
  handoff: HandoffService;
  handoffStore: MemoryHandoffStore;
  /** Every HandoffEvent published, in order. */
  events: HandoffEvent[];
  /** The case the conversation's record names, as stored; null when none. */
  currentCase(): Promise<Case | null>;
  /** Waits for the delivery reports the engine has handed to the service so far. */
  settled(): Promise<void>;
}

/**
 * The test bot with the handoff wired as the app wires it: the handoff step
 * after safety, the service connected to the engine, delivery reports and
 * "delete my data" going to the service. Cases are kept encrypted in memory.
 */
export function createHandoffBot(options: HandoffBotOptions = {}): HandoffBot {
  const handoffStore = options.handoffStore ?? new MemoryHandoffStore(new AesGcmCipher(randomBytes(32)));
  const handoff = new HandoffService({
    store: handoffStore,
    log: silentLogger,
    defaultOrganisation: DEFAULT_ORGANISATION,
    languages: translator.locales,
  });
  const runner = new FlowRunner(new FlowRegistry(options.flows ?? testFlows));
  const bot = createTestBot({
    ...options,
    before: [...(options.before ?? []), handoffStep({ handoff, flows: runner, countries: testDeps.countries })],
    onErase: async (channel, userId) => {
      await handoff.erasePerson(channel, userId);
    },
  });
  handoff.connect(bot.engine);
  const reports = new Set<Promise<void>>();
  bot.engine.onDelivery((entries, outcome) => {
    const report = handoff.deliveryReported(entries, outcome);
    reports.add(report);
    void report.finally(() => reports.delete(report));
  });
  const events: HandoffEvent[] = [];
  handoff.subscribe((event) => events.push(event));
  return {
    ...bot,
    handoff,
    handoffStore,
    events,
    async currentCase() {
      const caseId = (await bot.record())?.caseId;
      return caseId === undefined ? null : handoffStore.getCase(caseId);
    },
    async settled() {
      while (reports.size > 0) await Promise.all([...reports]);
    },
  };
}

/** An organisation serving these countries. */
export async function addOrganisation(
  store: HandoffStore,
  name: string,
  countries: string[],
  expectedResponseMinutes = 30,
): Promise<Organisation> {
  const org: Organisation = {
    id: `org-${randomUUID().slice(0, 8)}`,
    name,
    languages: ['en'],
    countries,
    expectedResponseMinutes,
    alertTarget: null,
    createdAt: Date.now(),
  };
  await store.saveOrganisation(org);
  return org;
}

/** A staff user of an organisation (the console's login is not under test here, so no real password). */
export async function addStaff(store: HandoffStore, org: Organisation, role: Role = 'caseworker'): Promise<StaffUser> {
  const id = `user-${randomUUID().slice(0, 8)}`;
  const user: StaffUser = {
    id,
    email: `${id}@example.org`,
    name: `Caseworker ${id}`,
    role,
    organisationId: org.id,
    passwordHash: 'scrypt$not-used',
    disabled: false,
    createdAt: Date.now(),
  };
  await store.saveUser(user);
  return user;
}
