/** Message ids kept per chat: the newest this many. */
export const TRACKED_PER_CHAT = 100;
/** Telegram lets a bot delete messages in a private chat for this long after they were sent. */
export const DELETABLE_FOR_MS = 48 * 60 * 60 * 1000;

interface Tracked {
  id: number;
  /** When the message was sent (ms since epoch). */
  at: number;
}

/**
 * The recent message ids of each chat (the bot's and the person's), so that
 * discreet mode can delete them. Kept in memory only: they are lost on a
 * restart, and then only later messages can be deleted.
 */
export class MessageTracker {
  private readonly chats = new Map<string, Tracked[]>();

  constructor(private readonly max = TRACKED_PER_CHAT) {}

  add(chatId: string, messageId: number, at: number): void {
    const list = this.chats.get(chatId) ?? [];
    if (list.some((m) => m.id === messageId)) return;
    list.push({ id: messageId, at });
    if (list.length > this.max) list.splice(0, list.length - this.max);
    this.chats.set(chatId, list);
  }

  /** The ids still young enough to delete, oldest first. */
  deletable(chatId: string, now: number): number[] {
    return (this.chats.get(chatId) ?? []).filter((m) => now - m.at < DELETABLE_FOR_MS).map((m) => m.id);
  }

  /** Forgets these ids of the chat (deleted, or tried); later ones stay. */
  forget(chatId: string, ids: readonly number[]): void {
    const gone = new Set(ids);
    const left = (this.chats.get(chatId) ?? []).filter((m) => !gone.has(m.id));
    if (left.length > 0) this.chats.set(chatId, left);
    else this.chats.delete(chatId);
  }
}
