import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HandoffStore, StaffSession } from '../store';
import type { StaffUser } from '../types';

/** The cookie's value: 32 random bytes, base64url (43 characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** A session's expiry moves forward at most this often, so that a busy page does not write on every request. */
const REFRESH_EVERY_MS = 60_000;
/** How often expired sessions are swept from the store (on a login). */
const SWEEP_EVERY_MS = 10 * 60_000;

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** Compares two secrets without leaking, through timing, how much of them matched. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SignedIn {
  session: StaffSession;
  user: StaffUser;
}

/**
 * Console sessions on the HandoffStore: the cookie carries a random id and
 * the store only its SHA-256 hash, so a copy of the database opens no
 * session. Each use moves the expiry forward (sliding expiry).
 */
export class ConsoleSessions {
  private readonly lengthMs: number;
  private readonly clock: () => number;
  private readonly refreshing = new Map<string, Promise<void>>();
  private lastSweep = 0;

  constructor(
    private readonly store: HandoffStore,
    opts: { hours: number; clock: () => number },
  ) {
    this.lengthMs = Math.round(opts.hours * 3_600_000);
    this.clock = opts.clock;
  }

  /** Starts a session; the returned id goes into the cookie and is not kept anywhere. */
  async start(userId: string): Promise<{ id: string; session: StaffSession }> {
    const now = this.clock();
    if (now - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now;
      await this.store.deleteSessions({ expiredAt: now });
    }
    const id = randomBytes(32).toString('base64url');
    const session: StaffSession = {
      idHash: hashSessionId(id),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.lengthMs,
    };
    await this.store.createSession(session);
    return { id, session };
  }

  /**
   * The session and its user, or null: unknown or expired id, or a user
   * removed or disabled (whose sessions then all go at once).
   */
  async resolve(id: string | null): Promise<SignedIn | null> {
    if (id === null || !SESSION_ID.test(id)) return null;
    const idHash = hashSessionId(id);
    const session = await this.read(idHash);
    if (!session) return null;
    const now = this.clock();
    if (session.expiresAt <= now) {
      await this.store.deleteSession(idHash);
      return null;
    }
    const user = await this.store.getUser(session.userId);
    if (!user || user.disabled) {
      await this.store.deleteSessions({ userId: session.userId });
      return null;
    }
    const expiresAt = now + this.lengthMs;
    if (expiresAt - session.expiresAt < REFRESH_EVERY_MS) return { session, user };
    const fresh = { ...session, expiresAt };
    await this.refresh(fresh);
    return { session: fresh, user };
  }

  /**
   * Whether a session (by its hash) is still good, without moving its
   * expiry: a live stream left open in a forgotten tab must not keep a
   * session alive forever. Gives the user as they are now.
   */
  async check(idHash: string): Promise<StaffUser | null> {
    const session = await this.read(idHash);
    if (!session || session.expiresAt <= this.clock()) return null;
    const user = await this.store.getUser(session.userId);
    return user && !user.disabled ? user : null;
  }

  async end(id: string | null): Promise<void> {
    if (id === null || !SESSION_ID.test(id)) return;
    await this.store.deleteSession(hashSessionId(id));
  }

  /**
   * A session missing may be one between the two writes of a refresh (in
   * flight, or just finished): read once more after it before saying no.
   */
  private async read(idHash: string): Promise<StaffSession | null> {
    const session = await this.store.getSession(idHash);
    if (session) return session;
    await this.refreshing.get(idHash);
    return this.store.getSession(idHash);
  }

  /**
   * The store has no "touch": the session is written again under the same
   * hash. Refreshes of one session are serialised in this process, and
   * `read` looks again after one, so a parallel request never finds the
   * session missing between the two writes. (Across instances, issue 8 needs
   * a store method that moves the expiry in one write.)
   */
  private refresh(session: StaffSession): Promise<void> {
    const pending = this.refreshing.get(session.idHash);
    if (pending) return pending;
    const done = (async () => {
      await this.store.deleteSession(session.idHash);
      await this.store.createSession(session);
    })().finally(() => this.refreshing.delete(session.idHash));
    this.refreshing.set(session.idHash, done);
    return done;
  }
}
