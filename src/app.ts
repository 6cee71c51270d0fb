import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createFlows } from '../flows';
import { webchatChannel } from './channels/webchat/channel';
import { webchatRoutes } from './channels/webchat/routes';
import { sqlitePath, type Config } from './config/env';
import type { ChannelPort } from './conversation/channel';
import { Engine } from './conversation/engine';
import { FlowRegistry } from './conversation/flows';
import { Translator, loadLocaleResources, loadLocaleStatus } from './conversation/i18n';
import { MemoryLock } from './conversation/lock';
import { flowDeps } from './flow-deps';
import { buildHttpServer } from './http/server';
import { MemoryStore } from './store/memory';
import { SqliteStore } from './store/sqlite';
import type { Store } from './store/store';

export interface AppOptions {
  /** Channels served by this process besides the web chat (the terminal chat adds its own). */
  channels?: ChannelPort[];
  /** Serve HTTP (web chat, health). The terminal chat runs without. */
  http?: boolean;
  /** Where pino writes; defaults to standard output. */
  logDestination?: pino.DestinationStream;
}

export interface App {
  config: Config;
  engine: Engine;
  store: Store;
  http: FastifyInstance | null;
  log: pino.Logger;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops taking requests, then closes the store. Safe to call twice. */
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..');

/**
 * The composition root: the one place that picks implementations (store,
 * lock, channels) from the settings and wires them together.
 */
export function createApp(config: Config, options: AppOptions = {}): App {
  const log = pino({ level: config.LOG_LEVEL, base: { app: 'virtual-volunteer' } }, options.logDestination);
  const path = sqlitePath(config);
  const store: Store = path === null ? new MemoryStore() : new SqliteStore(path);
  const channels = [...(config.WEBCHAT_ENABLED ? [webchatChannel] : []), ...(options.channels ?? [])];
  const deps = flowDeps(config);
  const engine = new Engine({
    store,
    lock: new MemoryLock(),
    flows: new FlowRegistry(createFlows(deps)),
    countries: deps.countries,
    tr: new Translator(loadLocaleResources(join(ROOT, 'locales')), loadLocaleStatus(join(ROOT, 'locales'))),
    channels,
    log,
  });

  let http: FastifyInstance | null = null;
  if (options.http !== false) {
    http = buildHttpServer({ log, bodyLimit: config.HTTP_BODY_LIMIT });
    if (config.WEBCHAT_ENABLED) void http.register(webchatRoutes({ engine, store }));
  }

  let closed: Promise<void> | null = null;
  return {
    config,
    engine,
    store,
    http,
    log,
    async listen() {
      if (!http) throw new Error('this app was created without HTTP');
      const address = await http.listen({ host: config.HOST, port: config.PORT });
      return address;
    },
    close() {
      closed ??= (async () => {
        if (http) await http.close();
        await store.close();
      })();
      return closed;
    },
  };
}
