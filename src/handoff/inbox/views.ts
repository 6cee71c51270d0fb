import type { CaseView } from '../service';
import type { HandoffStore } from '../store';
import type { Case, CaseMessage, CaseNote, CaseTransfer, Organisation } from '../types';

/**
 * The shapes the console receives (API.md). The person's channel ids (a
 * phone number on WhatsApp, a Teams user id) stay on the server: a
 * caseworker answers through the case, never by contacting the person directly.
 */

/** Staff and organisation names for one answer, each looked up once. */
export class Names {
  private readonly users = new Map<string, Promise<string | null>>();
  private readonly orgs = new Map<string, Promise<string | null>>();

  constructor(private readonly store: HandoffStore) {}

  user(id: string | null): Promise<string | null> {
    if (id === null) return Promise.resolve(null);
    let name = this.users.get(id);
    if (!name) {
      name = this.store.getUser(id).then((u) => u?.name ?? null);
      this.users.set(id, name);
    }
    return name;
  }

  organisation(id: string): Promise<string | null> {
    let name = this.orgs.get(id);
    if (!name) {
      name = this.store.getOrganisation(id).then((o) => o?.name ?? null);
      this.orgs.set(id, name);
    }
    return name;
  }
}

const MINUTE = 60_000;

export async function caseSummary(c: Case, names: Names, now: number) {
  return {
    id: c.id,
    category: c.category,
    priority: c.priority,
    status: c.status,
    locale: c.locale,
    country: { current: c.country.current ?? null, origin: c.country.origin ?? null },
    assignedTo: c.assignedTo === null ? null : { id: c.assignedTo, name: await names.user(c.assignedTo) },
    createdAt: c.createdAt,
    waitingMinutes: Math.max(0, Math.floor(((c.closedAt ?? now) - c.createdAt) / MINUTE)),
    alert: c.alertedAt !== null && c.status === 'waiting',
    lastPersonMessageAt: c.lastPersonMessageAt,
  };
}

export async function caseDetail(c: Case, names: Names, now: number) {
  return {
    ...(await caseSummary(c, names, now)),
    channel: c.ref.channel,
    consent: { version: c.consent.version, locale: c.consent.locale, text: c.consent.text, at: c.consent.at },
    tracing: c.tracing,
    updatedAt: c.updatedAt,
    closedAt: c.closedAt,
    closedBy: c.closedBy,
  };
}

export async function messageView(m: CaseMessage, names: Names) {
  return {
    id: m.id,
    author: m.author,
    text: m.text,
    locale: m.locale,
    createdAt: m.createdAt,
    delivery: m.delivery,
    deliveryError: m.deliveryError,
    userName: await names.user(m.userId),
  };
}

export async function noteView(n: CaseNote, names: Names) {
  return { id: n.id, text: n.text, createdAt: n.createdAt, userName: await names.user(n.userId) };
}

export async function transferView(t: CaseTransfer, names: Names) {
  return {
    from: { id: t.from, name: await names.organisation(t.from) },
    to: { id: t.to, name: await names.organisation(t.to) },
    note: t.note,
    at: t.at,
    userName: await names.user(t.userId),
  };
}

export async function caseViewBody(view: CaseView, names: Names, now: number) {
  const org: Organisation = view.organisation;
  return {
    case: await caseDetail(view.case, names, now),
    organisation: { id: org.id, name: org.name },
    messages: await Promise.all(view.messages.map((m) => messageView(m, names))),
    notes: await Promise.all(view.notes.map((n) => noteView(n, names))),
    transfers: await Promise.all(view.transfers.map((t) => transferView(t, names))),
  };
}
