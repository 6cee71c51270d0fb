import type { OutboxEntry, OutboxLease } from '../../store/store';
import type { ConversationRef } from '../record';

/**
 * Where committed replies go to be delivered. The engine calls `dispatch`
 * after each commit (saved before delivered); the worker behind it sends
 * them, retries what fails, and picks up what an earlier process left.
 */
export interface Outbox {
  /**
   * The replies one commit wrote (one conversation's, in order), with the
   * conversation's address when the committer knows it (it then need not be
   * read back). Never throws: they are saved either way.
   */
  dispatch(entries: readonly OutboxEntry[], ref?: ConversationRef, leased?: boolean): Promise<void>;
  /**
   * The lease the engine asks its commit to take on the replies (TurnCommit.lease)
   * when this outbox sends a commit's replies on `channel` itself, as one run
   * straight after the commit; `dispatch` is then told whether the commit
   * took it (`leased`). None where someone else sends them, later.
   */
  commitLease(channel: string): OutboxLease | undefined;
  /** Starts the background work: retries, and replies left by a stopped or crashed process. */
  start(): void;
  /** Stops taking work: sends in flight finish, then every lease this process holds is handed back. */
  stop(): Promise<void>;
}
