import { ManualSleep, recordingLogger, settle } from '../../../test/channels/whatsapp-web/manual-sleep';
import { OrderedSender, SendError } from './sender';

const TIMING = { readyWaitMs: 30_000, sendAttempts: 4, sendRetryBaseMs: 1_000, sendRetryMaxMs: 3_000 };

let clock: ManualSleep;
let log: ReturnType<typeof recordingLogger>;
let sent: string[];
let failures: Map<string, number>;
let ready: boolean;
let stopper: AbortController;
let wakeReady: (() => void)[];
let sender: OrderedSender;

beforeEach(() => {
  clock = new ManualSleep();
  log = recordingLogger();
  sent = [];
  failures = new Map();
  ready = true;
  wakeReady = [];
  stopper = new AbortController();
  sender = new OrderedSender({
    client: {
      async sendMessage(chatId, text) {
        const left = failures.get(text) ?? 0;
        if (left > 0) {
          failures.set(text, left - 1);
          throw new Error(`Evaluation failed: no chat ${chatId}`);
        }
        sent.push(`${chatId} ${text}`);
      },
    },
    // Ready at once, or when the test says so, or never (the wait times out on the manual clock).
    waitReady: (ms) =>
      ready
        ? Promise.resolve(true)
        : Promise.race([new Promise<boolean>((resolve) => wakeReady.push(() => resolve(true))), clock.sleep(ms).then(() => false)]),
    log,
    timing: TIMING,
    sleep: clock.sleep,
    signal: stopper.signal,
  });
});

test('a failed send is tried again after 1, 2 and 3 seconds, and the texts after it wait their turn', async () => {
  failures.set('one', 3);
  const done = sender.send('1@c.us', ['one', 'two'], 'conv');
  await settle();

  for (const wait of [1_000, 2_000, 3_000]) {
    expect(sent).toEqual([]);
    await clock.elapse(wait);
  }
  await done;

  expect(sent).toEqual(['1@c.us one', '1@c.us two']);
  expect(log.events('whatsapp-web-send-failed').map((l) => [l.attempt, l.retryInMs])).toEqual([
    [1, 1_000],
    [2, 2_000],
    [3, 3_000],
  ]);
});

test('after the last attempt the batch stops there and rejects, with the chat hidden in the log', async () => {
  failures.set('one', TIMING.sendAttempts);
  const done = sender.send('6591234567@c.us', ['one', 'two'], 'conv-hash');
  const outcome = done.then(
    () => 'sent',
    (err: unknown) => err,
  );
  await settle();
  for (const wait of [1_000, 2_000, 3_000]) await clock.elapse(wait);

  const err = await outcome;
  expect(err).toBeInstanceOf(SendError);
  expect(sent).toEqual([]);
  expect(log.events('whatsapp-web-send-gave-up')).toEqual([
    expect.objectContaining({ level: 'error', conversation: 'conv-hash', attempts: 4, left: 2 }),
  ]);
  expect(JSON.stringify(log.lines)).not.toContain('6591234567');
});

test('batches to one chat go in order, even when the first is retrying; other chats do not wait', async () => {
  failures.set('first', 1);
  const first = sender.send('1@c.us', ['first'], 'a');
  const second = sender.send('1@c.us', ['second'], 'a');
  const elsewhere = sender.send('2@c.us', ['elsewhere'], 'b');
  await elsewhere;
  expect(sent).toEqual(['2@c.us elsewhere']);

  await clock.elapse(1_000);
  await Promise.all([first, second]);
  expect(sent).toEqual(['2@c.us elsewhere', '1@c.us first', '1@c.us second']);
});

test('a batch after one that failed still goes', async () => {
  failures.set('lost', TIMING.sendAttempts);
  const lost = sender.send('1@c.us', ['lost'], 'a').catch((err: unknown) => err);
  const next = sender.send('1@c.us', ['next'], 'a');
  await settle();
  for (const wait of [1_000, 2_000, 3_000]) await clock.elapse(wait);

  expect(await lost).toBeInstanceOf(SendError);
  await next;
  expect(sent).toEqual(['1@c.us next']);
});

test('while not connected, a text waits for the connection, and is sent once it is ready', async () => {
  ready = false;
  const done = sender.send('1@c.us', ['hello'], 'a');
  await settle();
  expect(sent).toEqual([]);

  ready = true;
  wakeReady.forEach((wake) => wake());
  await done;
  expect(sent).toEqual(['1@c.us hello']);
});

test('a text that waited the longest time given for a connection is not sent, and the batch rejects', async () => {
  ready = false;
  const done = sender.send('1@c.us', ['hello', 'again'], 'a').catch((err: unknown) => err);
  await settle();

  await clock.elapse(TIMING.readyWaitMs);

  expect(await done).toBeInstanceOf(SendError);
  expect(sent).toEqual([]);
  expect(log.events('whatsapp-web-send-not-ready')).toEqual([expect.objectContaining({ conversation: 'a', left: 2 })]);
});

test('once stopped, a batch waiting to retry gives up', async () => {
  failures.set('one', 1);
  const done = sender.send('1@c.us', ['one'], 'a').catch((err: unknown) => err);
  await settle();

  stopper.abort();

  expect(await done).toBeInstanceOf(SendError);
  expect(sent).toEqual([]);
});
