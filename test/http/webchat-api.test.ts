import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../../src/conversation/channel';
import { english } from '../support';
import { getJson, postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

interface PostAnswer {
  status: 'processed' | 'duplicate';
  replies: (OutboundMessage & { seq: number })[];
  lastSeq: number | null;
}

interface HistoryAnswer {
  messages: (OutboundMessage & { seq: number })[];
  lastSeq: number;
}

const TOTAL = 8;
const STEPS = ['documents', 'copies', 'memorise', 'tellFamily', 'ageId', 'contract', 'recruiter', 'numbers'];

/** One web chat user, talking to a running app over HTTP the way the page does. */
class Person {
  readonly conversationId = randomUUID();
  last: OutboundMessage[] = [];

  constructor(public server: RunningApp) {}

  async say(fields: { text: string } | { payload: string }, messageId = randomUUID()): Promise<PostAnswer> {
    const res = await postJson<PostAnswer>(`${this.server.url}/api/webchat/messages`, {
      conversationId: this.conversationId,
      messageId,
      locale: 'en-GB',
      ...fields,
    });
    expect(res.status).toBe(200);
    this.last = res.body.replies;
    return res.body;
  }

  /** Presses the button with this English label among the last replies. */
  async press(label: string): Promise<PostAnswer> {
    const button = this.last.flatMap((r) => r.buttons ?? []).find((b) => b.label === label);
    if (!button) throw new Error(`no button '${label}' in ${JSON.stringify(this.last.map((r) => r.buttons))}`);
    return this.say({ payload: button.payload });
  }

  async history(after: number): Promise<HistoryAnswer> {
    const res = await getJson<HistoryAnswer>(
      `${this.server.url}/api/webchat/messages?conversationId=${this.conversationId}&after=${after}`,
    );
    expect(res.status).toBe(200);
    return res.body;
  }
}

const texts = (replies: readonly OutboundMessage[]) => replies.map((r) => r.text);
const withoutSeqs = (replies: readonly (OutboundMessage & { seq: number })[]) => replies.map(({ seq: _seq, ...r }) => r);
const step = (i: number) => english(`packing:${STEPS[i]}`, { step: i + 1, total: TOTAL });

let db: TempDatabase;
let server: RunningApp;

beforeEach(async () => {
  db = tempDatabase();
  server = await startApp(db.path);
});

afterEach(async () => {
  await server.close();
  db.remove();
});

/** hi, then the menu, then packing by its payload: the way in that does not depend on the menu's screens. */
async function openPacking(person: Person): Promise<void> {
  const hello = await person.say({ text: 'hi' });
  expect(hello.status).toBe('processed');
  expect(hello.replies).toContainKey('common:welcome', { language: 'English' });
  expect(hello.replies.every((r) => r.locale === 'en' && r.dir === 'ltr')).toBe(true);

  await person.say({ payload: 'cmd.menu' });
  expect(person.last).toContainKey('menu:prompt');

  await person.say({ payload: 'topic.open:packing' });
  expect(texts(person.last)).toEqual([english('packing:intro', { total: TOTAL })]);
}

test('a whole packing conversation, from hello to the menu', async () => {
  const person = new Person(server);
  await openPacking(person);

  await person.press(english('common:choice.yes'));
  expect(texts(person.last)).toEqual([step(0)]);
  for (let i = 1; i < TOTAL; i++) {
    await person.press(english('common:choice.next'));
    expect(texts(person.last)).toEqual([step(i)]);
  }

  const done = await person.press(english('common:choice.next'));
  expect(texts(done.replies)[0]).toBe(english('packing:done'));
  expect(done.replies).toContainKey('menu:prompt');
});

test('a conversation resumes where it stopped after the server restarts on the same database', async () => {
  const person = new Person(server);
  await openPacking(person);
  await person.press(english('common:choice.yes'));
  await person.press(english('common:choice.next'));
  expect(texts(person.last)).toEqual([step(1)]);
  const before = await person.history(0);

  await server.close();
  server = await startApp(db.path);
  person.server = server;

  expect(await person.history(0)).toEqual(before);
  await person.press(english('common:choice.next'));
  expect(texts(person.last)).toEqual([step(2)]);
  await person.press(english('common:choice.back'));
  expect(texts(person.last)).toEqual([step(1)]);
});

test('a message sent twice with the same id is answered once', async () => {
  const person = new Person(server);
  const id = randomUUID();

  const first = await person.say({ text: 'hi' }, id);
  const second = await person.say({ text: 'hi' }, id);

  expect(first.status).toBe('processed');
  expect(second).toEqual({ ...first, status: 'duplicate' });
  const history = await person.history(0);
  expect(texts(history.messages)).toEqual(texts(first.replies));
  expect(await server.app.store.getConversation(`webchat:${person.conversationId}`)).toMatchObject({ rev: 1 });
});

test('the goodbye after "delete my data" carries no seq: it is not kept, so the history never shows it', async () => {
  const person = new Person(server);
  const hello = await person.say({ text: 'hi' });
  expect(hello.replies.every((r) => Number.isInteger(r.seq))).toBe(true);
  await person.say({ text: 'delete my data' });

  const goodbye = await person.say({ payload: 'data.erase.confirm' });

  expect(goodbye.status).toBe('processed');
  expect(goodbye.replies).toContainKey('privacy:erased');
  expect(goodbye.replies.every((r) => r.seq === undefined)).toBe(true);
  expect(goodbye.lastSeq).toBeNull();
  expect((await person.history(0)).messages).toEqual([]);
});

test('one client cannot reuse another conversation message id to read its replies', async () => {
  const alice = new Person(server);
  const mallory = new Person(server);
  const id = randomUUID();
  await alice.say({ text: 'hi' });
  await alice.say({ payload: 'topic.open:packing' }, id);

  const own = await mallory.say({ text: 'hi' }, id);

  expect(own.status).toBe('processed');
  expect(own.replies).toContainKey('common:welcome', { language: 'English' });
  expect(texts(own.replies)).not.toContain(english('packing:intro', { total: TOTAL }));
});

test('50 messages at once to one conversation are each handled, one at a time', async () => {
  const person = new Person(server);
  const hello = await person.say({ text: 'hi' });
  const ids = Array.from({ length: 50 }, () => randomUUID());

  const answers = await Promise.all(ids.map((id) => person.say({ text: 'help' }, id)));

  for (const answer of answers) {
    expect(answer.status).toBe('processed');
    expect(answer.replies).toContainKey('common:help');
    expect(withoutSeqs(answer.replies)).toEqual(withoutSeqs(answers[0]!.replies));
  }
  const key = `webchat:${person.conversationId}`;
  expect(await server.app.store.getConversation(key)).toMatchObject({ rev: 51 });

  // One at a time: each message's replies are consecutive in the outbox, never interleaved with another's.
  const outbox = await server.app.store.outboxSince(key, 0, 1000);
  expect(outbox).toHaveLength(hello.replies.length + answers.reduce((n, a) => n + a.replies.length, 0));
  const runs = outbox.map((e) => e.messageId).filter((id, i, all) => id !== all[i - 1]);
  expect(runs).toHaveLength(51);
  expect(new Set(runs).size).toBe(51);
  // And each answer carries the seqs of its own replies.
  for (const [i, id] of ids.entries()) {
    const own = outbox.filter((e) => e.messageId === `${person.conversationId}:${id}`);
    expect(answers[i]!.replies.map((r) => r.seq)).toEqual(own.map((e) => e.seq));
    expect(answers[i]?.lastSeq).toBe(own.at(-1)?.seq);
  }
});

test('the history lists replies in order, after a given seq, a hundred at a time', async () => {
  const person = new Person(server);
  const hello = await person.say({ text: 'hi' });
  const menu = await person.say({ payload: 'cmd.menu' });
  const packing = await person.say({ payload: 'topic.open:packing' });
  const all = [...hello.replies, ...menu.replies, ...packing.replies];

  const history = await person.history(0);
  // The same replies with the same seqs: a client reading both shows each once.
  expect(history.messages).toEqual(all);
  const seqs = history.messages.map((m) => m.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(seqs.length);
  expect(history.lastSeq).toBe(packing.lastSeq);
  expect(hello.lastSeq).toBe(seqs[hello.replies.length - 1]);

  const later = await person.history(hello.lastSeq!);
  expect(texts(later.messages)).toEqual(texts([...menu.replies, ...packing.replies]));
  expect(await person.history(history.lastSeq)).toEqual({ messages: [], lastSeq: history.lastSeq });

  let total = all.length;
  let lastPost = packing;
  while (total <= 100) {
    lastPost = await person.say({ text: 'help' });
    total += lastPost.replies.length;
  }
  const firstPage = await person.history(0);
  expect(firstPage.messages).toHaveLength(100);
  const secondPage = await person.history(firstPage.lastSeq);
  expect(secondPage.messages).toHaveLength(total - 100);
  expect(texts(secondPage.messages).at(-1)).toBe(texts(person.last).at(-1));
  expect(secondPage.lastSeq).toBe(lastPost.lastSeq);
});

test('history of a conversation that never started is empty, not an error', async () => {
  const stranger = new Person(server);
  expect(await stranger.history(0)).toEqual({ messages: [], lastSeq: 0 });
});
