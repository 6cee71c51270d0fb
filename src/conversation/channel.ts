import type { ConversationRef } from './record';

/** What a channel can show; the renderer adapts every reply to it. */
export interface Capabilities {
  buttons: boolean;
  /** More choices than this become a numbered list. */
  maxButtons: number;
  /** Longest button label; longer labels become a numbered list. */
  maxButtonLabel: number;
  /** Whether links can be buttons; otherwise they are written into the text. */
  linkButtons: boolean;
  /** Longer text is split at line boundaries into several messages. */
  maxTextLength: number;
}

export interface OutboundButton {
  label: string;
  payload: string;
}

export interface OutboundLink {
  label: string;
  url: string;
}

/** A reply as a channel sends it: text already in the person's language. */
export interface OutboundMessage {
  text: string;
  buttons?: OutboundButton[];
  links?: OutboundLink[];
  locale: string;
  dir: 'ltr' | 'rtl';
  /**
   * Delete what the channel can of this chat before sending this message
   * (discreet mode). Channels that cannot delete messages ignore it.
   */
  clearBefore?: boolean;
}

/** The engine's view of a channel adapter. */
export interface ChannelPort {
  readonly name: string;
  readonly capabilities: Capabilities;
  /**
   * The bot serves this chat's history from its outbox, as the web chat page
   * does, so a delivered reply stays there. Elsewhere the platform keeps the
   * chat, and a delivered reply is deleted at once: no transcript of what
   * the bot told the person is kept about them, and about 3 KB less per
   * conversation. Default false.
   */
  readonly keepsHistory?: boolean;
  /**
   * The person gets the replies from the outbox itself, as the web chat page
   * does (in the answer to their message, or read back from the history):
   * saved is delivered. A commit saves them delivered, and nothing sends
   * them; `send` only serves what was saved undelivered before. Needs
   * `keepsHistory`. Default false.
   */
  readonly deliveredWhenSaved?: boolean;
  /** Sends replies in order. Throwing leaves them in the outbox, undelivered. */
  send(ref: ConversationRef, messages: OutboundMessage[]): Promise<void>;
}
