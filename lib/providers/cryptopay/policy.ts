/** How Cryptopay's API behaves under load and failure (reference §8), for lib/http/reliable.ts. */
import { defineHttpPolicy } from '../../http/policy';

/**
 * 200 requests per minute per API key, then 429 (§8.4). No Retry-After or X-RateLimit-*
 * header was ever recorded; if one appears it is honoured (the default reset reading).
 * 429 and 5xx (503 is maintenance) are worth another attempt.
 */
export const cryptopayHttpPolicy = defineHttpPolicy({
  service: 'Cryptopay',
  rateLimit: { limit: 200, windowMs: 60_000, mode: 'sliding' },
});
