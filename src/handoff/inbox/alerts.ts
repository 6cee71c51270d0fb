import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../../http/errors';
import type { AlertDraft, AlertSender } from '../../alerts/sender';
import { requireAdmin, whoIs } from './auth';
import type { ConsoleContext } from './context';
import { parseInput } from './http-errors';

export const ALERT_TEXT_MAX = 1000;

/** What the console's alert routes need besides the shared context. */
export interface ConsoleAlerts {
  sender: AlertSender;
  /** The directory's countries, in code order: any of them for the default organisation. */
  countries: readonly { code: string; name: string }[];
  /** Flows an alert may link to, with their English label. */
  flows: readonly { id: string; label: string }[];
}

const ALERT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const NoBody = z.strictObject({}).optional();

function alertId(params: unknown): string {
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !ALERT_ID.test(id)) throw new HttpError(404, 'not_found', 'no such alert');
  return id;
}

/**
 * The draft as the admin may send it: countries their organisation may
 * alert, text in languages the bot speaks (a blank one counts as none), at
 * least one text, and a flow that can be linked.
 */
function draftSchema(targetable: ReadonlySet<string>, locales: readonly string[], flows: readonly string[]) {
  return z
    .strictObject({
      countries: z
        .array(
          z
            .string({ error: 'must be text' })
            .regex(/^[A-Z]{2}$/, 'must be an ISO country code in capitals, e.g. NP')
            .refine((c) => targetable.has(c), { error: 'is not a country your organisation may alert' }),
          { error: 'must be a list of country codes' },
        )
        .min(1, 'give at least one country')
        .max(300, 'at most 300 countries'),
      texts: z
        .record(
          z.string().refine((l) => locales.includes(l), { error: `must be a language the bot speaks: ${locales.join(', ')}` }),
          z.string({ error: 'must be text' }).trim().max(ALERT_TEXT_MAX, `at most ${ALERT_TEXT_MAX} characters`),
          { error: 'must be an object of texts by language' },
        )
        .transform((texts) => Object.fromEntries(Object.entries(texts).filter(([, text]) => text !== '')))
        .refine((texts) => Object.keys(texts).length > 0, { error: 'give the text in at least one language' }),
      flow: z
        .string({ error: 'must be text or null' })
        .refine((f) => flows.includes(f), { error: `must be one of ${flows.join(', ')}` })
        .nullable()
        .default(null),
    })
    .transform((d): AlertDraft => ({ countries: [...new Set(d.countries)], texts: d.texts, flow: d.flow }));
}

/** Alert broadcasts (API.md, Alerts): admins only, within their organisation. */
export function registerAlerts(app: FastifyInstance, ctx: ConsoleContext, alerts: ConsoleAlerts): void {
  const { sender } = alerts;
  const flowIds = alerts.flows.map((f) => f.id);

  app.addHook('onRequest', requireAdmin);

  async function countriesFor(request: Parameters<typeof whoIs>[0]) {
    const may = await sender.targetable(whoIs(request).user);
    return may.any ? alerts.countries : alerts.countries.filter((c) => may.countries.includes(c.code));
  }

  async function draft(request: Parameters<typeof whoIs>[0]): Promise<AlertDraft> {
    const countries = new Set((await countriesFor(request)).map((c) => c.code));
    return parseInput(draftSchema(countries, ctx.locales, flowIds), request.body);
  }

  app.get('/alerts/options', async (request) => ({
    countries: await countriesFor(request),
    locales: [...ctx.locales],
    flows: alerts.flows,
  }));

  app.post('/alerts/preview', async (request) => sender.preview(whoIs(request).user, await draft(request)));

  app.post('/alerts', async (request, reply) => {
    const alert = await sender.send(whoIs(request).user, await draft(request));
    return reply.status(201).send({ alert });
  });

  app.get('/alerts', async (request) => ({ alerts: await sender.list(whoIs(request).user) }));

  app.get('/alerts/:id', async (request) => ({ alert: await sender.get(whoIs(request).user, alertId(request.params)) }));

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post(`/alerts/:id/${action}`, async (request) => {
      const id = alertId(request.params);
      parseInput(NoBody, request.body);
      return { alert: await sender[action](whoIs(request).user, id) };
    });
  }
}
