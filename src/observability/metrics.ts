import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryOutcome, TurnObservation } from '../conversation/engine';
import { errorFields, type Logger } from '../conversation/logger';
import type { HandoffStore } from '../handoff/store';
import type { OutboxEntry, Store } from '../store/store';

export interface MetricsDeps {
  store: Pick<Store, 'outboxDepth'>;
  handoffStore: Pick<HandoffStore, 'countOpenCases'>;
  /** The channels this instance serves: each gets an outbox series, 0 when nothing waits. */
  channels: readonly string[];
  log: Logger;
  clock?: () => number;
}

export interface Metrics {
  readonly registry: Registry;
  turn(observed: TurnObservation): void;
  delivery(entries: readonly OutboxEntry[], outcome: DeliveryOutcome): void;
}

/** Upper bounds of the turn latency buckets, in seconds: a turn is milliseconds, a slow one (a slow database) seconds. */
const TURN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one instance, on a registry of their own (no
 * process defaults). Labels are channels, outcomes and priorities only:
 * nothing about a person. Outbox depth and open cases are read from the
 * stores when scraped, so every instance reports the shared totals.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const clock = deps.clock ?? Date.now;
  const failed = (what: string) => (err: unknown) => deps.log.warn({ event: 'metrics-collect-failed', what, ...errorFields(err) });

  const turns = new Counter({
    name: 'vv_turns_total',
    help: 'Inbound messages handled, by channel and outcome (processed, duplicate, failed).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const turnSeconds = new Histogram({
    name: 'vv_turn_duration_seconds',
    help: 'Time to handle one inbound message: lock, turn, commit and handing its replies to the outbox.',
    labelNames: ['channel'],
    buckets: TURN_BUCKETS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'vv_deliveries_total',
    help: 'Replies a channel took, by channel.',
    labelNames: ['channel'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'vv_delivery_failures_total',
    help: 'Delivery attempts that failed, by channel (each is retried after a back-off, or given up).',
    labelNames: ['channel'],
    registers: [registry],
  });
  const givenUp = new Counter({
    name: 'vv_deliveries_given_up_total',
    help: 'Replies the outbox gave up on after too many failed attempts, by channel.',
    labelNames: ['channel'],
    registers: [registry],
  });
  new Gauge({
    name: 'vv_outbox_pending',
    help: 'Replies saved and not yet delivered (nor given up), by channel, across all instances.',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const channel of deps.channels) this.set({ channel }, 0);
      try {
        for (const d of await deps.store.outboxDepth()) this.set({ channel: d.channel }, d.pending);
      } catch (err) {
        failed('outbox')(err);
      }
    },
  });
  new Gauge({
    name: 'vv_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest reply waiting to be delivered, by channel (0 when none waits).',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const channel of deps.channels) this.set({ channel }, 0);
      try {
        const now = clock();
        for (const d of await deps.store.outboxDepth()) this.set({ channel: d.channel }, Math.max(0, now - d.oldestCreatedAt) / 1000);
      } catch (err) {
        failed('outbox')(err);
      }
    },
  });
  new Gauge({
    name: 'vv_cases_open',
    help: 'Cases waiting for or assigned to a caseworker, by priority, across all instances.',
    labelNames: ['priority'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [priority, n] of Object.entries(await deps.handoffStore.countOpenCases())) this.set({ priority }, n);
      } catch (err) {
        failed('cases')(err);
      }
    },
  });

  // Each label set's series looked up once: prom-client hashes the labels on every call otherwise, several times a turn.
  const turnSeries = series((key) => turns.labels(...key.split('\u0000')));
  const latencySeries = series((channel) => turnSeconds.labels(channel));
  const deliverySeries = series((channel) => deliveries.labels(channel));
  const failureSeries = series((channel) => failures.labels(channel));
  const givenUpSeries = series((channel) => givenUp.labels(channel));
  return {
    registry,
    turn({ channel, outcome, seconds }) {
      turnSeries(`${channel}\u0000${outcome}`).inc();
      latencySeries(channel).observe(seconds);
    },
    delivery(entries, outcome) {
      for (const { channel } of entries) {
        if (outcome.ok) deliverySeries(channel).inc();
        else failureSeries(channel).inc();
        if (outcome.gaveUp) givenUpSeries(channel).inc();
      }
    },
  };
}

/** A memo of one metric's series by label values (channels and outcomes: a handful). */
function series<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let one = made.get(key);
    if (one === undefined) made.set(key, (one = make(key)));
    return one;
  };
}
