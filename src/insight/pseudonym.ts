import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { parseKey } from '../handoff/cipher';

/** HKDF's `info`: a key derived for insight can never equal one derived for anything else from the same key. */
export const INSIGHT_HKDF_LABEL = 'virtual-volunteer insight';

/** Where the secret came from, so the app can warn when per-person counts will not survive a restart. */
export type SecretSource = 'INSIGHT_SECRET' | 'DATA_ENCRYPTION_KEY' | 'random';

export interface InsightSecret {
  key: Buffer;
  source: SecretSource;
}

/**
 * The secret pseudonyms are keyed with: INSIGHT_SECRET; else one derived from
 * DATA_ENCRYPTION_KEY (so a deployment with a key needs no new setting); else,
 * in local development, a random one that lives as long as the process.
 */
export function insightSecret(settings: { INSIGHT_SECRET?: string; DATA_ENCRYPTION_KEY?: string }): InsightSecret {
  if (settings.INSIGHT_SECRET !== undefined) return { key: Buffer.from(settings.INSIGHT_SECRET, 'utf8'), source: 'INSIGHT_SECRET' };
  if (settings.DATA_ENCRYPTION_KEY !== undefined) {
    const derived = hkdfSync('sha256', parseKey(settings.DATA_ENCRYPTION_KEY), Buffer.alloc(0), INSIGHT_HKDF_LABEL, 32);
    return { key: Buffer.from(derived), source: 'DATA_ENCRYPTION_KEY' };
  }
  return { key: randomBytes(32), source: 'random' };
}

/** A person's pseudonym: the same person on the same channel always gets the same one, and it cannot be turned back into the id. */
export type Pseudonymise = (channel: string, userId: string) => string;

/**
 * HMAC-SHA256 of `channel:userId`, base64url. Keyed, unlike a plain hash: ids
 * such as phone numbers are few enough to hash them all and look one up.
 */
export function pseudonymiser(key: Buffer): Pseudonymise {
  // Asked on every turn: the people writing now are remembered, all forgotten at once when there are many.
  const recent = new Map<string, string>();
  return (channel, userId) => {
    const id = `${channel}:${userId}`;
    let pseudonym = recent.get(id);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', key).update(id, 'utf8').digest('base64url');
      if (recent.size >= 10_000) recent.clear();
      recent.set(id, pseudonym);
    }
    return pseudonym;
  };
}
