import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app';
import { createStaffUser } from '../../src/handoff/staff';
import type { Case, Category, Organisation, Role, StaffUser } from '../../src/handoff/types';
import { newOrganisationId } from '../../src/handoff/organisation-admin';
import { postJson } from '../support/server';

export const PASSWORD = 'correct horse battery staple';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A browser's view of the console API: keeps the session cookie and sends
 * the CSRF token on changes, unless a test says otherwise.
 */
export class ConsoleClient {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(readonly base: string) {}

  async login(email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await this.send('POST', '/login', { email, password }, { csrf: null, headers });
    const setCookie = res.headers.get('set-cookie');
    if (res.status === 200 && setCookie) {
      this.cookie = setCookie.split(';')[0]!;
      this.csrf = (res.body as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  get<T = Record<string, unknown>>(path: string): Promise<Answer<T>> {
    return this.send<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, opts?: { csrf?: string | null }): Promise<Answer<T>> {
    return this.send<T>('POST', path, body, opts);
  }

  patch<T = Record<string, unknown>>(path: string, body?: unknown, opts?: { csrf?: string | null }): Promise<Answer<T>> {
    return this.send<T>('PATCH', path, body, opts);
  }

  async send<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (method !== 'GET' && csrf !== null) headers['x-csrf-token'] = csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}/console/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
  }
}

/** A client of the console at `base`, logged in as this user (with PASSWORD). */
export async function loggedIn(base: string, email: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(base);
  const res = await client.login(email);
  if (res.status !== 200) throw new Error(`${email} could not log in: ${res.status} ${JSON.stringify(res.body)}`);
  return client;
}

export async function addOrganisation(app: App, name: string, countries: string[]): Promise<Organisation> {
  const org: Organisation = {
    id: newOrganisationId(),
    name,
    languages: ['en'],
    countries,
    expectedResponseMinutes: 30,
    alertTarget: null,
    createdAt: Date.now(),
  };
  await app.handoffStore.saveOrganisation(org);
  return org;
}

export async function addUser(app: App, org: Organisation, email: string, role: Role = 'caseworker'): Promise<StaffUser> {
  return createStaffUser(app.handoffStore, { email, name: `Name of ${email}`, password: PASSWORD, role, organisationId: org.id }, Date.now());
}

/**
 * A web chat conversation (so that a reply has somewhere to go) with a case
 * opened on it through the handoff service, as the consent step does.
 */
export async function openCase(
  app: App,
  url: string,
  opts: { country: string; category?: Category; conversationId?: string } ,
): Promise<{ case: Case; conversationId: string }> {
  const conversationId = opts.conversationId ?? randomUUID();
  const hello = await postJson(`${url}/api/webchat/messages`, { conversationId, text: 'hello' });
  if (hello.status !== 200) throw new Error(`web chat answered ${hello.status}`);
  const ref = { channel: 'webchat', conversationId, userId: conversationId };
  const now = Date.now();
  const { case: opened } = await app.handoff.open({
    ref,
    conversationKey: `webchat:${conversationId}`,
    category: opts.category ?? 'other',
    locale: 'en',
    country: { current: opts.country },
    consent: { version: 'handoff:consent.explain', locale: 'en', text: 'You agreed to talk to a caseworker.', at: now },
    tracing: null,
    sourceId: `test-${randomUUID()}`,
    now,
  });
  return { case: opened, conversationId };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** A server-sent event stream read as a browser would, with the client's cookie. */
export class EventStream {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  contentType: string | null = null;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  private finished = false;

  private constructor(url: string, cookie: string | null) {
    this.ended = this.read(url, cookie);
  }

  /** Opens the stream and waits for its `ready` event (or its refusal). */
  static async open(client: ConsoleClient): Promise<EventStream> {
    const stream = new EventStream(`${client.base}/console/api/events`, client.cookie);
    await stream.waitFor((e) => e.event === 'ready', 10_000).catch(() => undefined);
    return stream;
  }

  private async read(url: string, cookie: string | null): Promise<void> {
    try {
      const res = await fetch(url, { headers: cookie ? { cookie } : {}, signal: this.abort.signal });
      this.status = res.status;
      this.contentType = res.headers.get('content-type');
      if (!res.ok || !res.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) throw err;
    } finally {
      this.finished = true;
      this.notify();
    }
  }

  private parse(frame: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) as unknown });
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The first event that matches, waiting up to `ms` for it. */
  async waitFor(match: (e: SseEvent) => boolean, ms = 5000): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.finished) throw new Error(`stream ended without the event; got ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such event within ${ms} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  get isOpen(): boolean {
    return !this.finished;
  }

  close(): void {
    this.abort.abort();
  }
}
