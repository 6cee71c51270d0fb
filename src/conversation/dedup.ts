/**
 * A fast, shared memory of messages already handled (Redis), asked before a
 * turn takes the conversation's lock, so that a platform resending a message
 * is answered without queueing behind the conversation or reading it.
 *
 * Only a "yes" is trusted, and `mark` is called only after the turn's commit,
 * so a yes always means the store holds the message's processed mark. A "no"
 * (never marked, expired, or lost with Redis's data) falls through to the
 * store, which stays the one source of truth: losing this memory costs a
 * database read, never a message.
 */
export interface Deduper {
  /** Whether this message of this user was marked; false when unsure. */
  seen(channel: string, userId: string, messageId: string): Promise<boolean>;
  /** Called once the message's turn is committed. */
  mark(channel: string, userId: string, messageId: string): Promise<void>;
  /** "Delete my data": forgets every mark of the user on the channel. */
  forget(channel: string, userId: string): Promise<void>;
}
