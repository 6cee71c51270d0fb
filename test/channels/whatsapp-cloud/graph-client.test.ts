import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphClient, GraphError, graphErrorFields } from '../../../src/channels/whatsapp-cloud/graph-client';
import { templateRequest, type GraphMessage } from '../../../src/channels/whatsapp-cloud/to-outbound';
import { FakeGraphApi, GRAPH_ERRORS } from './fake-graph-api';

const PHONE_ID = '106540352242922';
const TOKEN = 'EAAG-test-token';
const message: GraphMessage = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '97455512345', type: 'text', text: { body: 'hi' } };

let graph: FakeGraphApi;
const client = (opts: { retryDelaysMs?: number[]; timeoutMs?: number; apiRoot?: string } = {}) =>
  new GraphClient({ apiRoot: opts.apiRoot ?? graph.url, phoneNumberId: PHONE_ID, token: TOKEN, retryDelaysMs: opts.retryDelaysMs ?? [10, 10], timeoutMs: opts.timeoutMs });

beforeEach(async () => {
  graph = new FakeGraphApi(PHONE_ID);
  await graph.start();
});

afterEach(async () => {
  await graph.stop();
});

test('a send is a POST of the JSON to /<phone number id>/messages with the token, and resolves to the wamid', async () => {
  const wamid = await client().send(message);
  expect(graph.calls).toEqual([expect.objectContaining({ method: 'POST', path: `/v23.0/${PHONE_ID}/messages`, authorization: `Bearer ${TOKEN}`, body: message })]);
  expect(wamid).toBe(graph.calls[0]!.wamid);
});

test('a trailing slash on the API root makes no difference', async () => {
  await client({ apiRoot: `${graph.url}/` }).send(templateRequest('97455512345', 'reply_waiting', 'en'));
  expect(graph.calls[0]!.path).toBe(`/v23.0/${PHONE_ID}/messages`);
});

test.each([
  ['a 500', GRAPH_ERRORS.serverError],
  ['a 429', GRAPH_ERRORS.rateLimited],
])('%s is retried, and the retry succeeds', async (_name, error) => {
  graph.queue(error);
  expect(await client().send(message)).toMatch(/^wamid\./);
  expect(graph.calls).toHaveLength(2);
});

test('the retries are limited: the last failure is thrown with its status and code', async () => {
  graph.queue(GRAPH_ERRORS.serverError, GRAPH_ERRORS.serverError, GRAPH_ERRORS.rateLimited, GRAPH_ERRORS.serverError);
  await expect(client().send(message)).rejects.toEqual(expect.objectContaining({ name: 'GraphError', status: 429, code: 130429 }));
  expect(graph.calls).toHaveLength(3);
});

test('a refusal that waiting would not change (re-engagement) is thrown at once, with its code only', async () => {
  graph.queue(GRAPH_ERRORS.reengagement);
  const err = (await client().send(message).catch((e: unknown) => e)) as GraphError;
  expect(err).toBeInstanceOf(GraphError);
  expect([err.status, err.code]).toEqual([400, 131047]);
  expect(graph.calls).toHaveLength(1);
  expect(err.message).not.toContain('24 hours');
  expect(graphErrorFields(err)).toEqual({ status: 400, code: 131047, subcode: null });
});

describe('without an answer', () => {
  let server: Server;
  let url: string;
  let requests = 0;

  beforeEach(async () => {
    requests = 0;
    // Takes requests and never answers.
    server = createServer(() => {
      requests++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v23.0`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a send times out, is retried, and fails with no status', async () => {
    const err = (await client({ apiRoot: url, timeoutMs: 100, retryDelaysMs: [10] }).send(message).catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.status).toBeNull();
    expect(requests).toBe(2);
  });

  test('a server that is not there fails the same way', async () => {
    await graph.stop();
    const err = (await client({ retryDelaysMs: [] }).send(message).catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.status).toBeNull();
  });
});
