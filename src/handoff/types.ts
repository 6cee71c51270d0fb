/** Where the person is: enough to write to them later (a ConversationRef). */
export interface PersonRef {
  channel: string;
  conversationId: string;
  userId: string;
}

/** Why a person asked for a caseworker; the offer that opened the case says it. */
export const CATEGORIES = ['danger', 'passport', 'recruitment', 'familyEmergency', 'rfl', 'wellbeing', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Danger (and any SOS during a case) is urgent; everything else waits its turn. */
export type Priority = 'urgent' | 'normal';
export type CaseStatus = 'waiting' | 'assigned' | 'closed';

/** What the person agreed to, kept with the case as evidence of informed consent. */
export interface Consent {
  /** The locale key of the explanation shown, e.g. `handoff:consent.explain`; bump the key when the wording changes meaning. */
  version: string;
  /** The language the explanation was shown in. */
  locale: string;
  /** The explanation exactly as the person read it (encrypted at rest). */
  text: string;
  at: number;
}

/** A National Society (or one of its branches) that takes cases. */
export interface Organisation {
  id: string;
  name: string;
  /** Languages its caseworkers answer in (locale codes). */
  languages: string[];
  /** ISO country codes it serves: people currently there, or from there. */
  countries: string[];
  /** How soon a caseworker usually answers, told to the person. */
  expectedResponseMinutes: number;
  /** Where time-limit alerts go; none: the inbox only. */
  alertTarget: AlertTarget | null;
  createdAt: number;
}

export type AlertTarget =
  /** POSTs a JSON alert (no personal content) to this https URL. */
  | { kind: 'webhook'; url: string }
  /** Posts to a Teams channel or chat through the Teams adapter's stored reference (its conversation key). */
  | { kind: 'teams'; conversationKey: string };

export interface Case {
  /** Short, unguessable, safe in URLs. */
  id: string;
  organisationId: string;
  category: Category;
  priority: Priority;
  status: CaseStatus;
  /** The person's conversation: channel, conversation and user ids. */
  ref: PersonRef;
  conversationKey: string;
  locale: string;
  country: { current?: string; origin?: string };
  consent: Consent;
  /** The family-tracing request for RFL cases (encrypted at rest). */
  tracing: unknown | null;
  assignedTo: string | null;
  createdAt: number;
  updatedAt: number;
  /** Last time a message from the person arrived. */
  lastPersonMessageAt: number | null;
  closedAt: number | null;
  /** Who closed it: a caseworker, or the person with `stop`. */
  closedBy: 'caseworker' | 'person' | null;
  /** When the time-limit alert was raised (once per case and priority). */
  alertedAt: number | null;
}

export type Author = 'person' | 'bot' | 'caseworker' | 'system';

/** One line of a case's transcript (text encrypted at rest). */
export interface CaseMessage {
  id: number;
  caseId: string;
  author: Author;
  /** The caseworker who wrote it, for `caseworker` lines. */
  userId: string | null;
  text: string;
  /** The language the person wrote in or was answered in. */
  locale: string | null;
  /** The channel message id it came from (person) or the outbox id it went out as (caseworker): makes writes idempotent. */
  sourceId: string;
  /** Delivery of a caseworker's reply: pending until the channel took it. */
  delivery: 'pending' | 'delivered' | 'failed' | null;
  deliveryError: string | null;
  createdAt: number;
}

/** An internal note: seen by caseworkers only, never sent (text encrypted at rest). */
export interface CaseNote {
  id: number;
  caseId: string;
  userId: string;
  text: string;
  createdAt: number;
}

export interface CaseTransfer {
  id: number;
  caseId: string;
  from: string;
  to: string;
  userId: string;
  note: string;
  at: number;
}

export type Role = 'caseworker' | 'admin';

/** A caseworker or admin of the console. */
export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string;
  /** scrypt, as `scrypt$N$r$p$salt$hash` (base64). */
  passwordHash: string;
  disabled: boolean;
  createdAt: number;
}

/** Who did what to which case; never the content itself. */
export interface AuditEntry {
  id: number;
  at: number;
  /** The staff user, or null for the system (the person's own erasure, an alert). */
  userId: string | null;
  action: string;
  caseId: string | null;
  /** Non-personal detail: a status, an organisation id, a count. */
  detail: Record<string, string | number | boolean | null>;
}
