import type { FastifyPluginAsync } from 'fastify';
import { registerApi, type WebchatDeps } from './api';
import { loadPage, servePage } from './page';

/** The web chat: its page at `/` and its JSON API under `/api/webchat`. */
export function webchatRoutes(deps: WebchatDeps): FastifyPluginAsync {
  const page = loadPage();
  return async (app) => {
    servePage(app, page);
    registerApi(app, deps);
  };
}
