import type { CountryLookup } from '../../../flows/directory';
import { emergencyOutput } from '../../../flows/shared/numbers';
import { conversationKey } from '../inbound';
import { hashKey } from '../logger';
import type { MessageRateLimiter } from '../rate-limit';
import type { Middleware } from '../turn';

/**
 * After the SOS step: a conversation sending faster than the rule allows is
 * told once, in its language, to slow down (with the emergency number, in
 * case the hurry is danger), and its further messages are dropped quietly
 * until the bucket refills. A dropped message is still committed (an empty
 * turn), so the channel's retry of it is a duplicate, not another message.
 *
 * Safety first: a message that signals danger never reaches this step unless
 * the SOS step passed it on with the numbers said (during a case, or as an
 * answer to a typed question), and it is then let through uncounted.
 */
export function rateLimit(limiter: MessageRateLimiter, countries: CountryLookup): Middleware {
  return async (turn, next) => {
    if (turn.sos) return next();
    // Hashed: a shared limiter (Redis) then never holds a phone number or a chat id.
    const key = hashKey(conversationKey(turn.msg));
    const verdict = await limiter.take(key, turn.now);
    if (verdict.allowed) {
      await next();
      if (turn.erase) await limiter.forget(key);
      return;
    }
    turn.log.info({ event: 'rate-limited', told: verdict.notify, retryAfterMs: verdict.retryAfterMs });
    if (!verdict.notify) return;
    turn.say({ key: 'common:slowDown', params: { emergency: emergencyOutput(countries, turn.record.country.current) } });
  };
}
