import type { Cipher } from '../handoff/cipher';
import type { CaseExpectation, CasePatch, StaffSession } from '../handoff/store';
import type { AlertTarget, AuditEntry, Case, CaseMessage, CaseNote, CaseTransfer, Organisation, StaffUser } from '../handoff/types';
import { fromJson } from './guards';

/**
 * The handoff's rows as the SQL stores (SQLite, PostgreSQL) read them: the
 * same tables and columns in both, so one mapping to the handoff's types.
 * Personal text comes back only through the Cipher.
 */

export interface OrganisationRow {
  id: string;
  name: string;
  languages: string;
  countries: string;
  expected_response_minutes: number;
  alert_target: string | null;
  created_at: number;
}

/** A staff user's row: each store reads `disabled` its own way (SQLite has no boolean, only 0 and 1). */
export interface StaffUserRow<Flag> {
  id: string;
  email: string;
  name: string;
  role: StaffUser['role'];
  organisation_id: string;
  password_hash: string;
  disabled: Flag;
  created_at: number;
}

export interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface CaseRow {
  id: string;
  organisation_id: string;
  category: Case['category'];
  priority: Case['priority'];
  status: Case['status'];
  channel: string;
  conversation_id: string;
  user_id: string;
  conversation_key: string;
  locale: string;
  country_current: string | null;
  country_origin: string | null;
  consent_version: string;
  consent_locale: string;
  consent_text: string;
  consent_at: number;
  tracing: string | null;
  assigned_to: string | null;
  created_at: number;
  updated_at: number;
  last_person_message_at: number | null;
  closed_at: number | null;
  closed_by: Case['closedBy'];
  alerted_at: number | null;
}

export interface MessageRow {
  id: number;
  case_id: string;
  author: CaseMessage['author'];
  user_id: string | null;
  text: string;
  locale: string | null;
  source_id: string;
  delivery: CaseMessage['delivery'];
  delivery_error: string | null;
  created_at: number;
}

export interface NoteRow {
  id: number;
  case_id: string;
  user_id: string;
  text: string;
  created_at: number;
}

export interface TransferRow {
  id: number;
  case_id: string;
  from_organisation: string;
  to_organisation: string;
  user_id: string;
  note: string;
  at: number;
}

export interface AuditRow {
  id: number;
  at: number;
  user_id: string | null;
  action: string;
  case_id: string | null;
  detail: string;
}

/** Every field a patch may change, and its column: a field missing here fails to compile. */
export const PATCH_COLUMNS: Readonly<Record<keyof CasePatch, string>> = {
  organisationId: 'organisation_id',
  priority: 'priority',
  status: 'status',
  assignedTo: 'assigned_to',
  updatedAt: 'updated_at',
  lastPersonMessageAt: 'last_person_message_at',
  closedAt: 'closed_at',
  closedBy: 'closed_by',
  alertedAt: 'alerted_at',
};

export const EXPECT_COLUMNS: Readonly<Record<keyof CaseExpectation, string>> = {
  status: 'status',
  assignedTo: 'assigned_to',
  organisationId: 'organisation_id',
  alertedAt: 'alerted_at',
};

export function organisationFromRow(r: OrganisationRow): Organisation {
  const row = `organisation ${r.id}`;
  return {
    id: r.id,
    name: r.name,
    languages: fromJson(r.languages, { table: 'organisations', column: 'languages', row }) as string[],
    countries: fromJson(r.countries, { table: 'organisations', column: 'countries', row }) as string[],
    expectedResponseMinutes: r.expected_response_minutes,
    alertTarget:
      r.alert_target === null
        ? null
        : (fromJson(r.alert_target, { table: 'organisations', column: 'alert_target', row }) as AlertTarget),
    createdAt: r.created_at,
  };
}

export function userFromRow(r: StaffUserRow<unknown>, disabled: boolean): StaffUser {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    organisationId: r.organisation_id,
    passwordHash: r.password_hash,
    disabled,
    createdAt: r.created_at,
  };
}

export function sessionFromRow(r: SessionRow): StaffSession {
  return {
    idHash: r.id_hash,
    userId: r.user_id,
    csrfToken: r.csrf_token,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

export function caseFromRow(r: CaseRow, cipher: Cipher): Case {
  const country: Case['country'] = {};
  if (r.country_current !== null) country.current = r.country_current;
  if (r.country_origin !== null) country.origin = r.country_origin;
  return {
    id: r.id,
    organisationId: r.organisation_id,
    category: r.category,
    priority: r.priority,
    status: r.status,
    ref: { channel: r.channel, conversationId: r.conversation_id, userId: r.user_id },
    conversationKey: r.conversation_key,
    locale: r.locale,
    country,
    consent: {
      version: r.consent_version,
      locale: r.consent_locale,
      text: cipher.decrypt(r.consent_text),
      at: r.consent_at,
    },
    tracing:
      r.tracing === null
        ? null
        : fromJson(cipher.decrypt(r.tracing), { table: 'cases', column: 'tracing', row: `case ${r.id}` }),
    assignedTo: r.assigned_to,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastPersonMessageAt: r.last_person_message_at,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    alertedAt: r.alerted_at,
  };
}

export function messageFromRow(r: MessageRow, cipher: Cipher): CaseMessage {
  return {
    id: r.id,
    caseId: r.case_id,
    author: r.author,
    userId: r.user_id,
    text: cipher.decrypt(r.text),
    locale: r.locale,
    sourceId: r.source_id,
    delivery: r.delivery,
    deliveryError: r.delivery_error,
    createdAt: r.created_at,
  };
}

export function noteFromRow(r: NoteRow, cipher: Cipher): CaseNote {
  return { id: r.id, caseId: r.case_id, userId: r.user_id, text: cipher.decrypt(r.text), createdAt: r.created_at };
}

export function transferFromRow(r: TransferRow, cipher: Cipher): CaseTransfer {
  return {
    id: r.id,
    caseId: r.case_id,
    from: r.from_organisation,
    to: r.to_organisation,
    userId: r.user_id,
    note: cipher.decrypt(r.note),
    at: r.at,
  };
}

export function auditFromRow(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    userId: r.user_id,
    action: r.action,
    caseId: r.case_id,
    detail: fromJson(r.detail, { table: 'audit_log', column: 'detail', row: `id ${r.id}` }) as AuditEntry['detail'],
  };
}
