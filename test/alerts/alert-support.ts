import type { App } from '../../src/app';
import type { SubscriptionScope } from '../../src/alerts/subscriptions';
import type { AlertView } from '../../src/alerts/sender';
import type { ConversationRef } from '../../src/conversation/record';
import type { ConsoleClient } from '../handoff/console-support';
import type { Person } from '../handoff/people';

/**
 * Subscribes a person who has already talked to the bot (an alert is written
 * into an existing conversation), as their yes to the offer would.
 */
export async function subscribe(
  app: App,
  person: Person,
  country: string,
  locale: string,
  scope: SubscriptionScope = 'current',
): Promise<void> {
  const stored = await app.store.getConversation(person.conversationKey);
  if (!stored) throw new Error(`${person.conversationKey} has not talked to the bot yet`);
  const { ref } = stored.data as { ref: ConversationRef };
  await app.subscriptions.upsert({ conversationKey: person.conversationKey, ref, scope, country, locale, now: Date.now() });
}

/** Asks for the alert until `done` says it is where the test wants it (the sending runs in the background). */
export async function alertWhen(client: ConsoleClient, id: string, done: (a: AlertView) => boolean, ms = 10_000): Promise<AlertView> {
  const until = Date.now() + ms;
  for (;;) {
    const res = await client.get<{ alert: AlertView }>(`/alerts/${id}`);
    if (res.status !== 200) throw new Error(`GET /alerts/${id} answered ${res.status}`);
    if (done(res.body.alert)) return res.body.alert;
    if (Date.now() > until) throw new Error(`alert ${id} did not get there: ${JSON.stringify(res.body.alert)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until `check` holds, polling. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
