/** How the payment-orders API behaves under load and failure (reference §3), for lib/http/reliable.ts. */
import { defineHttpPolicy } from '../../http/policy';

/**
 * Every answer carries X-RateLimit-Limit/Remaining/Reset for an hourly quota (Standard plan:
 * 1,000 an hour). The header-driven limiter slows down before Remaining reaches 0 instead of
 * drawing 429s; the figures here only apply until the first answer arrives.
 */
export const paymentOrdersHttpPolicy = defineHttpPolicy({
  service: 'CryptoPay payment orders',
  rateLimit: { limit: 1000, windowMs: 3_600_000, mode: 'headers' },
});
