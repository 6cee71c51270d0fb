import type { Organisation } from '../handoff/types';

export interface RoutingOptions {
  /** Every organisation, as the handoff store lists them (by name). */
  list: () => Promise<Organisation[]>;
  /** The organisation of countries no other serves. */
  fallback: () => Promise<Organisation>;
  /** How long a read list is used; organisations change rarely, turns come many a second. */
  ttlMs?: number;
}

/**
 * The organisation a person's counts go to: the one serving the country they
 * are in now, else the default, as the handoff routes a new case
 * (PersonSide.organisationFor), from a list read at most every few seconds.
 */
export function organisationRouter(opts: RoutingOptions): (country: { current?: string }) => Promise<string> {
  const ttl = opts.ttlMs ?? 10_000;
  let cached: { until: number; list: Promise<Organisation[]> } | null = null;
  return async (country) => {
    // Real time, not the app's clock: a test's frozen clock must not freeze the cache.
    const now = performance.now();
    if (!cached || now >= cached.until) {
      const reading = opts.list();
      cached = { until: now + ttl, list: reading };
      // A failed read is not kept: the next turn reads again.
      reading.catch(() => {
        if (cached?.list === reading) cached = null;
      });
    }
    const { list } = cached;
    const here = country.current;
    const serving = here === undefined ? undefined : (await list).find((o) => o.countries.includes(here));
    return (serving ?? (await opts.fallback())).id;
  };
}
