import type { FastifyInstance } from 'fastify';
import { insightCsv } from '../../insight/csv';
import { RangeQuery, resolveRange, type DayRange } from '../../insight/range';
import { insightSeries } from '../../insight/series';
import type { InsightStore } from '../../insight/store';
import { HttpError } from '../../http/errors';
import { whoIs } from './auth';
import type { ConsoleContext } from './context';
import { parseInput } from './http-errors';

/**
 * The insight dashboard's data (API.md, Insight): both roles, only the
 * user's own organisation, every count already suppressed.
 */
export function registerInsight(app: FastifyInstance, ctx: ConsoleContext, insight: InsightStore): void {
  function range(query: unknown): DayRange {
    const resolved = resolveRange(parseInput(RangeQuery, query, 'the query'), ctx.clock());
    if (typeof resolved === 'string') throw new HttpError(400, 'invalid_input', resolved, [resolved]);
    return resolved;
  }

  app.get('/insight', async (request) => {
    const { from, to } = range(request.query);
    const counts = await insight.counts(whoIs(request).user.organisationId, from, to);
    return insightSeries({ from, to }, counts);
  });

  app.get('/insight.csv', async (request, reply) => {
    const { from, to } = range(request.query);
    const counts = await insight.counts(whoIs(request).user.organisationId, from, to);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="insight-${from}-to-${to}.csv"`)
      .send(insightCsv(counts));
  });
}
