import type { OutboundButton, OutboundMessage } from '../../src/conversation/channel';
import { english } from './english';

/** All buttons offered by some replies, in order. */
export function buttonsOf(replies: readonly OutboundMessage[]): OutboundButton[] {
  return replies.flatMap((r) => r.buttons ?? []);
}

/**
 * The number a person would type for a choice shown as a numbered list
 * (`3. Before you go`), read from the text as the person sees it.
 */
export function numberOf(replies: readonly OutboundMessage[], labelKey: string): string | undefined {
  const label = english(labelKey);
  for (const reply of replies) {
    for (const line of reply.text.split('\n')) {
      const m = /^(\d+)\. (.*)$/.exec(line);
      if (m && m[2] === label) return m[1];
    }
  }
  return undefined;
}
