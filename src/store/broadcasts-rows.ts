import type { Broadcast, BroadcastStatus, Recipient, RecipientState } from '../alerts/broadcasts';
import { BROADCAST_STATUSES } from '../alerts/broadcasts';
import { fromJson } from './guards';

/** A broadcast as SQLite and PostgreSQL give it back (booleans as 0/1 or true/false). */
export interface BroadcastRow {
  id: string;
  organisation_id: string;
  created_by: string;
  countries: string;
  texts: string;
  flow: string | null;
  status: string;
  audience_done: number | boolean;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface RecipientRow {
  id: number;
  broadcast_id: string;
  conversation_key: string;
  subscription_id: number;
  channel: string;
  conversation_id: string;
  user_id: string;
  locale: string;
  state: string;
  error: string | null;
}

const RECIPIENT_STATES: readonly RecipientState[] = ['pending', 'sent', 'failed'];

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${what} is not a list of strings`);
  return value;
}

function textMap(value: unknown, what: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} is not an object`);
  for (const v of Object.values(value)) if (typeof v !== 'string') throw new Error(`${what} holds a value that is not text`);
  return value as Record<string, string>;
}

function status(value: string, id: string): BroadcastStatus {
  if (!(BROADCAST_STATUSES as readonly string[]).includes(value)) throw new Error(`alert_broadcasts.status of ${id} is '${value}'`);
  return value as BroadcastStatus;
}

export function broadcastFromRow(row: BroadcastRow): Broadcast {
  const source = (column: string) => ({ table: 'alert_broadcasts', column, row: `broadcast ${row.id}` });
  return {
    id: row.id,
    organisationId: row.organisation_id,
    createdBy: row.created_by,
    countries: stringList(fromJson(row.countries, source('countries')), 'alert_broadcasts.countries'),
    texts: textMap(fromJson(row.texts, source('texts')), 'alert_broadcasts.texts'),
    flow: row.flow,
    status: status(row.status, row.id),
    audienceDone: row.audience_done === true || row.audience_done === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function recipientFromRow(row: RecipientRow): Recipient {
  if (!(RECIPIENT_STATES as readonly string[]).includes(row.state)) throw new Error(`alert_recipients.state of ${row.id} is '${row.state}'`);
  return {
    id: row.id,
    broadcastId: row.broadcast_id,
    conversationKey: row.conversation_key,
    subscriptionId: row.subscription_id,
    ref: { channel: row.channel, conversationId: row.conversation_id, userId: row.user_id },
    locale: row.locale,
    state: row.state as RecipientState,
    error: row.error,
  };
}
