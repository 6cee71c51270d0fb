import { randomInt } from 'node:crypto';
import type { App } from '../../src/app';
import type { WhatsAppCloudChannel } from '../../src/channels/whatsapp-cloud/channel';
import { createStaffUser } from '../../src/handoff/staff';
import type { StaffUser } from '../../src/handoff/types';
import { buttonReply, payload, postWebhook, text, type MessageContent } from '../channels/whatsapp-cloud/payloads';
import { PASSWORD, loggedIn, type ConsoleClient } from '../handoff/console-support';
import type { RunningApp } from '../support/server';
import { SETTINGS as CLOUD } from '../channels/whatsapp-cloud/harness';

/** The WhatsApp Cloud settings the privacy tests run the app with (the channel tests' own), against a fake Graph API. */
export { CLOUD };
export { cloudEnv } from '../channels/whatsapp-cloud/harness';

/** A phone number no other test run uses: Nepal's code, then random digits. */
export function randomWaId(): string {
  return `97798${String(randomInt(10_000_000, 99_999_999))}`;
}

/** Resolves once `done` holds, checking every 20 ms, or fails after `ms` saying what was awaited. */
export async function eventually(what: string, done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until webhook work is done, every reply saved in the outbox has been delivered, and the insight counts are written. */
export async function settle(app: App): Promise<void> {
  // Turns answered once saved (Telegram, Teams) send their replies after.
  await app.engine.idle();
  const cloud = app.channels.find((c) => c.name === 'whatsapp-cloud') as WhatsAppCloudChannel | undefined;
  await eventually('the outbox to be empty', async () => {
    await cloud?.idle();
    return (await app.store.pendingOutbox(1)).length === 0;
  });
  await cloud?.idle();
  await app.insight.flush();
}

let nextMessage = 1;

/** One person on WhatsApp, writing to the bot through signed webhook requests as Meta sends them. */
export class CloudPerson {
  /** The wamids of the messages this person sent. */
  readonly sent: string[] = [];

  constructor(
    private readonly server: RunningApp,
    readonly waId: string,
    readonly profileName: string,
  ) {}

  get conversationKey(): string {
    return `whatsapp-cloud:${this.waId}`;
  }

  say(body: string): Promise<void> {
    return this.send(text(body));
  }

  press(id: string): Promise<void> {
    return this.send(buttonReply(id));
  }

  /** Delivery statuses of messages the bot sent this person, as Meta reports them. */
  async statuses(wamids: readonly string[], status: string, errors?: { code: number; title: string }[]): Promise<void> {
    const statuses = wamids.map((id) => ({ id, status, recipient: this.waId, at: Date.now(), ...(errors ? { errors } : {}) }));
    await this.post(payload(CLOUD.phoneNumberId, { statuses }));
  }

  private async send(content: MessageContent): Promise<void> {
    const id = `wamid.HBgM${String(nextMessage++).padStart(8, '0')}${this.waId}`;
    this.sent.push(id);
    await this.post(payload(CLOUD.phoneNumberId, { messages: [{ from: { waId: this.waId, name: this.profileName }, id, at: Date.now(), content }] }));
  }

  private async post(body: object): Promise<void> {
    const res = await postWebhook(this.server.url, body, CLOUD.appSecret);
    if (res.status !== 200) throw new Error(`the webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
    await settle(this.server.app);
  }
}

/** A caseworker of the default organisation, signed in to the console over HTTP. */
export async function caseworker(server: RunningApp, email: string, name: string): Promise<{ user: StaffUser; console: ConsoleClient }> {
  const org = await server.app.handoff.ensureDefaultOrganisation();
  const user = await createStaffUser(
    server.app.handoffStore,
    { email, name, password: PASSWORD, role: 'caseworker', organisationId: org.id },
    Date.now(),
  );
  return { user, console: await loggedIn(server.url, email) };
}

/** The answers to the family-tracing questions, in the order the flow asks them. */
export function tracingAnswers(marker: string): string[] {
  return [
    `Zanubia ${marker} Qorvath`,
    '34',
    `Wexmoor Street ${marker}, Doha`,
    'March 2024',
    `Her phone stopped working near Quillfeather ${marker}`,
    'I am her sister',
    '+63 917 555 0199',
  ];
}

/**
 * Walks a person through a family-tracing request handed to a caseworker:
 * the topic, the yes to tracing, every answer, then the yes to a caseworker.
 */
export async function requestTracing(person: CloudPerson, answers: readonly string[]): Promise<void> {
  await person.press('flow.start:rfl');
  await person.press('nav.next');
  await person.press('rfl.consent');
  for (const answer of answers) await person.say(answer);
  await person.press('handoff.offer:rfl');
  await person.press('handoff.consent.yes:rfl');
}
