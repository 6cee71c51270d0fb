import type { OutboundMessage } from '../../conversation/channel';

/** WhatsApp's limits on interactive messages (Cloud API reference, "Interactive messages"). */
export const LIMITS = {
  /** Reply buttons per message; more choices become a list. */
  replyButtons: 3,
  /** Rows of a list, across its sections. */
  listRows: 10,
  buttonId: 256,
  buttonTitle: 20,
  rowId: 200,
  rowTitle: 24,
  /** The label of the button that opens a list. */
  listButton: 20,
  /** Body text of an interactive message (a plain text message takes 4096). */
  interactiveBody: 1024,
} as const;

interface Addressed {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** The person's WhatsApp id (phone number, digits). */
  to: string;
}

export interface TextRequest extends Addressed {
  type: 'text';
  text: { body: string; preview_url?: true };
}

export interface ButtonRequest extends Addressed {
  type: 'interactive';
  interactive: {
    type: 'button';
    body: { text: string };
    action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
  };
}

export interface ListRequest extends Addressed {
  type: 'interactive';
  interactive: {
    type: 'list';
    body: { text: string };
    action: { button: string; sections: { rows: { id: string; title: string }[] }[] };
  };
}

export interface TemplateRequest extends Addressed {
  type: 'template';
  template: { name: string; language: { code: string } };
}

/** The JSON body of one `POST /<phone number id>/messages`. */
export type GraphMessage = TextRequest | ButtonRequest | ListRequest | TemplateRequest;

export interface OutboundResult {
  /** The requests to make, in order: one, or a text and then the interactive message. */
  requests: GraphMessage[];
  /** Payloads left out because WhatsApp cannot carry them as an id. */
  skipped: string[];
}

const URL_IN_TEXT = /\bhttps?:\/\/\S/i;

/**
 * One reply as Graph API requests. Without choices: a text message, with a
 * link preview when the text has a URL. With one to three choices: reply
 * buttons; four to ten: a list with one section, opened by `listButton` (the
 * localised "Choose"). A choice's id is its payload; a payload too long for
 * an id is left out and reported. An interactive body holds 1024 characters:
 * longer text is split (see splitBody) and its first part goes ahead as a
 * plain text message. `clearBefore` is ignored: the Cloud API cannot delete
 * messages from the person's phone.
 */
export function toOutbound(message: OutboundMessage, to: string, listButton: string): OutboundResult {
  const addressed: Addressed = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  let text = message.text;
  // The renderer writes links into the text for this channel; any given anyway are kept the same way.
  if (message.links && message.links.length > 0) {
    text += '\n\n' + message.links.map((l) => `${l.label}: ${l.url}`).join('\n');
  }
  const choices = message.buttons ?? [];
  const asList = choices.length > LIMITS.replyButtons;
  const idLimit = asList ? LIMITS.rowId : LIMITS.buttonId;
  const skipped: string[] = [];
  const kept = choices.filter((c) => {
    const fits = chars(c.payload) <= idLimit && c.payload !== '';
    if (!fits) skipped.push(c.payload);
    return fits;
  });
  // More than a list holds cannot be shown as choices; the renderer never gives this many.
  for (const extra of kept.splice(LIMITS.listRows)) skipped.push(extra.payload);

  if (kept.length === 0) return { requests: [textRequest(addressed, text)], skipped };

  const { before, body } = splitBody(text, LIMITS.interactiveBody);
  const interactive: ButtonRequest | ListRequest = asList
    ? {
        ...addressed,
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: body },
          action: {
            button: clip(listButton.trim(), LIMITS.listButton) || '☰',
            sections: [{ rows: kept.map((c) => ({ id: c.payload, title: clip(c.label, LIMITS.rowTitle) })) }],
          },
        },
      }
    : {
        ...addressed,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: body },
          action: {
            buttons: kept.map((c) => ({ type: 'reply', reply: { id: c.payload, title: clip(c.label, LIMITS.buttonTitle) } })),
          },
        },
      };
  const requests: GraphMessage[] = before === null ? [interactive] : [textRequest(addressed, before), interactive];
  return { requests, skipped };
}

/** The approved template that tells the person a reply is waiting (it has no parameters). */
export function templateRequest(to: string, name: string, languageCode: string): TemplateRequest {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: { name, language: { code: languageCode } },
  };
}

/**
 * Text too long for an interactive body, cut in two: `body` is the longest
 * tail of whole paragraphs that fits in `max` characters (else of whole
 * lines, else of whole words, else the last `max` characters), so the
 * question the choices answer, which ends the text, stays with them;
 * `before` is the rest, sent first as plain text. Text that fits is all body.
 */
export function splitBody(text: string, max: number): { before: string | null; body: string } {
  if (chars(text) <= max) return { before: null, body: text };
  for (const separator of ['\n\n', '\n', ' ']) {
    let at = text.indexOf(separator);
    while (at !== -1) {
      const body = text.slice(at + separator.length).trim();
      const before = text.slice(0, at).trimEnd();
      if (body !== '' && before !== '' && chars(body) <= max) return { before, body };
      at = text.indexOf(separator, at + separator.length);
    }
  }
  const points = [...text];
  return { before: points.slice(0, -max).join(''), body: points.slice(-max).join('') };
}

function textRequest(addressed: Addressed, body: string): TextRequest {
  return { ...addressed, type: 'text', text: URL_IN_TEXT.test(body) ? { body, preview_url: true } : { body } };
}

/** Length in characters as a person counts them (code points), not UTF-16 units. */
function chars(s: string): number {
  return [...s].length;
}

/** Cut to `max` characters with an ellipsis; the renderer keeps labels within limits, so this is a guard. */
function clip(s: string, max: number): string {
  const points = [...s];
  return points.length <= max ? s : points.slice(0, max - 1).join('') + '…';
}
