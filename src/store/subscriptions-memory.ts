import type {
  AudienceFilter,
  Subscription,
  SubscriptionScope,
  SubscriptionStore,
  SubscriptionUpsert,
} from '../alerts/subscriptions';
import { checkLimit } from './guards';
import { checkCountry, checkUpsert } from './subscription-rows';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * Each conversation's first matching subscription, so a person subscribed
 * about both countries gets one alert, and paging by id never shows them twice.
 */
export function firstPerConversation(matching: readonly Subscription[]): Subscription[] {
  const seen = new Set<string>();
  const first: Subscription[] = [];
  for (const sub of [...matching].sort((a, b) => a.id - b.id)) {
    if (seen.has(sub.conversationKey)) continue;
    seen.add(sub.conversationKey);
    first.push(sub);
  }
  return first;
}

/** Alert subscriptions in process memory: for tests and the terminal chat. */
export class MemorySubscriptionStore implements SubscriptionStore {
  private readonly rows = new Map<string, Subscription>();
  private nextId = 1;

  async upsert(sub: SubscriptionUpsert): Promise<Subscription> {
    checkUpsert(sub);
    const id = rowKey(sub.conversationKey, sub.scope);
    const existing = this.rows.get(id);
    const row: Subscription = existing
      ? { ...existing, ref: clone(sub.ref), country: sub.country, locale: sub.locale, updatedAt: sub.now }
      : {
          id: this.nextId++,
          conversationKey: sub.conversationKey,
          ref: clone(sub.ref),
          scope: sub.scope,
          country: sub.country,
          locale: sub.locale,
          createdAt: sub.now,
          updatedAt: sub.now,
        };
    this.rows.set(id, row);
    return clone(row);
  }

  async listFor(conversationKey: string): Promise<Subscription[]> {
    return this.all()
      .filter((s) => s.conversationKey === conversationKey)
      .map(clone);
  }

  async remove(conversationKey: string, scope?: SubscriptionScope): Promise<number> {
    return this.removeWhere((s) => s.conversationKey === conversationKey && (scope === undefined || s.scope === scope));
  }

  async setLocale(conversationKey: string, locale: string, now: number): Promise<void> {
    for (const sub of this.rows.values()) {
      if (sub.conversationKey === conversationKey && sub.locale !== locale) {
        sub.locale = locale;
        sub.updatedAt = now;
      }
    }
  }

  async setCountry(conversationKey: string, scope: SubscriptionScope, country: string, now: number): Promise<void> {
    checkCountry(country);
    const sub = this.rows.get(rowKey(conversationKey, scope));
    if (sub && sub.country !== country) {
      sub.country = country;
      sub.updatedAt = now;
    }
  }

  async audience(filter: AudienceFilter, afterId: number, limit: number): Promise<Subscription[]> {
    checkLimit(limit);
    return this.matching(filter)
      .filter((s) => s.id > afterId)
      .slice(0, limit)
      .map(clone);
  }

  async countAudience(filter: AudienceFilter): Promise<{ channel: string; locale: string; count: number }[]> {
    const counts = new Map<string, { channel: string; locale: string; count: number }>();
    for (const sub of this.matching(filter)) {
      const key = JSON.stringify([sub.ref.channel, sub.locale]);
      const entry = counts.get(key) ?? { channel: sub.ref.channel, locale: sub.locale, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    return [...counts.values()].sort(
      (a, b) => compare(a.channel, b.channel) || compare(a.locale, b.locale),
    );
  }

  async subscribedKeys(): Promise<string[]> {
    return [...new Set(this.all().map((s) => s.conversationKey))].sort(compare);
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    return this.removeWhere((s) => s.ref.channel === channel && s.ref.userId === userId);
  }

  private all(): Subscription[] {
    return [...this.rows.values()].sort((a, b) => a.id - b.id);
  }

  private matching(filter: AudienceFilter): Subscription[] {
    const countries = new Set(filter.countries);
    const locales = new Set(filter.locales);
    return firstPerConversation(this.all().filter((s) => countries.has(s.country) && locales.has(s.locale)));
  }

  private removeWhere(test: (sub: Subscription) => boolean): number {
    let removed = 0;
    for (const [key, sub] of this.rows) {
      if (test(sub)) {
        this.rows.delete(key);
        removed += 1;
      }
    }
    return removed;
  }
}

function rowKey(conversationKey: string, scope: SubscriptionScope): string {
  return JSON.stringify([conversationKey, scope]);
}

/** Code-point order, as the databases compare with `COLLATE "C"` / BINARY, so every store sorts alike. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
