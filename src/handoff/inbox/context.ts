import type { Logger } from '../../conversation/logger';
import type { Handoff } from '../service';
import type { HandoffStore } from '../store';
import type { LiveStreams } from './live';
import type { FailureLimiterFactory } from './rate-limit';
import type { ConsoleSessions } from './sessions';

/** What the console's routes share. */
export interface ConsoleContext {
  store: HandoffStore;
  handoff: Handoff;
  sessions: ConsoleSessions;
  live: LiveStreams;
  /** Whether cookies carry `Secure` (served over https). */
  secure: boolean;
  /** The origin of PUBLIC_URL, also accepted for a login behind a TLS proxy. */
  publicOrigin: string | null;
  /** The languages the bot speaks: an organisation's languages are among them. */
  locales: readonly string[];
  clock: () => number;
  log: Logger;
  /** Counts failed logins: in memory, or in Redis shared by every instance. */
  failureLimiter: FailureLimiterFactory;
}
