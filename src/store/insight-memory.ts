import type { Day, InsightCount, InsightIncrement, InsightStore } from '../insight/store';
import { checkDay, checkIncrements, compareFields, distinctSeen, sumByKey, type CountKey } from './insight-rows';

interface Mark {
  day: Day;
  pseudonym: string;
}

/** Insight counts in process memory: for tests and the terminal chat with `memory:`. */
export class MemoryInsightStore implements InsightStore {
  private readonly counted = new Map<string, InsightCount>();
  /** Keyed like the seen table's primary key. */
  private readonly seen = new Map<string, Mark>();

  async add(increments: readonly InsightIncrement[]): Promise<void> {
    checkIncrements(increments);
    const counted: CountKey[] = increments.filter((inc) => inc.pseudonym === undefined);
    for (const mark of distinctSeen(increments)) {
      const id = JSON.stringify([mark.day, mark.organisationId, mark.metric, mark.dimension, mark.pseudonym]);
      if (this.seen.has(id)) continue;
      this.seen.set(id, { day: mark.day, pseudonym: mark.pseudonym });
      counted.push(mark);
    }
    for (const sum of sumByKey(counted)) {
      const id = JSON.stringify([sum.organisationId, sum.day, sum.metric, sum.dimension]);
      const current = this.counted.get(id);
      if (current) current.count += sum.amount;
      else this.counted.set(id, { day: sum.day, organisationId: sum.organisationId, metric: sum.metric, dimension: sum.dimension, count: sum.amount });
    }
  }

  async counts(organisationId: string, from: Day, to: Day): Promise<InsightCount[]> {
    checkDay(from, 'from');
    checkDay(to, 'to');
    const fields = (c: InsightCount) => [c.day, c.metric, c.dimension];
    return [...this.counted.values()]
      .filter((c) => c.organisationId === organisationId && c.day >= from && c.day <= to)
      .map((c) => ({ ...c }))
      .sort((a, b) => compareFields(fields(a), fields(b)));
  }

  async forget(pseudonym: string): Promise<number> {
    return this.drop((mark) => mark.pseudonym === pseudonym);
  }

  async prune(before: Day): Promise<number> {
    checkDay(before, 'before');
    return this.drop((mark) => mark.day < before);
  }

  private drop(match: (mark: Mark) => boolean): number {
    let removed = 0;
    for (const [id, mark] of this.seen) {
      if (!match(mark)) continue;
      this.seen.delete(id);
      removed++;
    }
    return removed;
  }
}
