import type { Logger } from '../../src/conversation/logger';
import { AlertMonitor, type AlertMonitorOptions } from '../../src/handoff/alerts';
import type { AlertTarget, Case, Category, Organisation, Priority } from '../../src/handoff/types';

export const MINUTE = 60_000;
export const T0 = Date.UTC(2025, 2, 1, 8, 0, 0);

/** Personal text a case carries; none of it may reach an alert. */
export const PERSONAL = {
  consent: 'Ana Reyes agreed; her number is +63 912 345 6789',
  tracing: { name: 'Maria Reyes', lastSeen: 'Riyadh', phone: '+966 55 123 4567' },
  message: 'my employer in Riyadh took my passport, call me on +63 912 345 6789',
};

export function organisation(id: string, alertTarget: AlertTarget | null, name = `${id} Red Cross`): Organisation {
  return { id, name, languages: ['en'], countries: ['SA'], expectedResponseMinutes: 30, alertTarget, createdAt: T0 - 100 * MINUTE };
}

/**
 * A monitor with the default time limits (5 minutes urgent, 60 any case) and
 * console links to https://bot.example.org; the store, hub, sender, log and
 * clock are the test's, and any other option may be given too.
 */
export function alertMonitor(
  opts: Pick<AlertMonitorOptions, 'store' | 'events' | 'sender' | 'log' | 'clock'> & Partial<AlertMonitorOptions>,
): AlertMonitor {
  return new AlertMonitor({
    urgentMinutes: 5,
    normalMinutes: 60,
    consoleUrl: (id) => `https://bot.example.org/console/#/cases/${id}`,
    ...opts,
  });
}

let n = 0;

/** A waiting case of `organisationId`, opened at `createdAt`, with personal text in every encrypted field. */
export function waitingCase(organisationId: string, priority: Priority, createdAt: number, category: Category = 'passport'): Case {
  n++;
  return {
    id: `case${n}x${createdAt.toString(36)}`,
    organisationId,
    category,
    priority,
    status: 'waiting',
    ref: { channel: 'webchat', conversationId: `conv-${n}`, userId: `user-${n}` },
    conversationKey: `webchat:conv-${n}`,
    locale: 'fil',
    country: { current: 'SA', origin: 'PH' },
    consent: { version: 'handoff:consent.explain', locale: 'fil', text: PERSONAL.consent, at: createdAt },
    tracing: category === 'rfl' ? PERSONAL.tracing : null,
    assignedTo: null,
    createdAt,
    updatedAt: createdAt,
    lastPersonMessageAt: createdAt,
    closedAt: null,
    closedBy: null,
    alertedAt: null,
  };
}

/** A Logger that keeps every line (level, fields), to check what is logged and what is not. */
export class RecordingLogger implements Logger {
  constructor(readonly lines: { level: string; fields: Record<string, unknown> }[] = [], private readonly bindings: object = {}) {}
  info(obj: object): void {
    this.lines.push({ level: 'info', fields: { ...this.bindings, ...obj } });
  }
  warn(obj: object): void {
    this.lines.push({ level: 'warn', fields: { ...this.bindings, ...obj } });
  }
  error(obj: object): void {
    this.lines.push({ level: 'error', fields: { ...this.bindings, ...obj } });
  }
  child(bindings: object): Logger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings });
  }
  events(): string[] {
    return this.lines.map((l) => String(l.fields.event));
  }
  text(): string {
    return JSON.stringify(this.lines);
  }
}
