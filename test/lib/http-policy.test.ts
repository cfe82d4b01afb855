import assert from 'node:assert/strict';
import { backoffDelay, defineHttpPolicy, isTransientStatus } from '../../lib/http/policy';
import { nextEpochMinute, readRateLimitHeaders, resetHeaderAt, retryAfterAt, statedResetAt } from '../../lib/http/rate-headers';
import { cpgHttpPolicy } from '../../lib/providers/cpg/policy';
import { cryptopayHttpPolicy } from '../../lib/providers/cryptopay/policy';
import type { HttpResponse } from '../../lib/http/client';

const NOW = Date.UTC(2026, 4, 17, 1, 20, 0, 0) + 42_250; // 01:20:42.250
const answer = (status: number, headers: Record<string, string> = {}, body = ''): HttpResponse => ({ status, headers, body: Buffer.from(body) });

describe('retry policy: backoff and jitter', () => {
  const options = { baseMs: 250, maxMs: 30_000 };

  it('doubles the ceiling per retry and waits between half and all of it', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, options, () => 0)), [125, 250, 500, 1000]);
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, options, () => 0.999999)), [250, 500, 1000, 2000]);
    assert.equal(backoffDelay(2, options, () => 0.5), 375);
  });

  it('stops growing at maxMs', () => {
    assert.equal(backoffDelay(20, options, () => 0.999999), 30_000);
    assert.equal(backoffDelay(20, options, () => 0), 15_000);
  });

  it('spreads clients that failed together', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, options, random)));
    assert.ok(delays.size > 40, `only ${delays.size} distinct delays`);
    for (const d of delays) assert.ok(d >= 500 && d <= 1000, String(d));
  });

  it('treats 429 and 5xx but not 501 or 4xx as transient', () => {
    assert.deepEqual([200, 400, 401, 409, 422, 429, 500, 501, 502, 503, 504].filter(isTransientStatus), [429, 500, 502, 503, 504]);
  });
});

describe('retry policy: when the gateway takes requests again', () => {
  it('reads Retry-After in seconds and as an HTTP date', () => {
    assert.equal(retryAfterAt('120', NOW), NOW + 120_000);
    assert.equal(retryAfterAt('1.5', NOW), NOW + 1500);
    assert.equal(retryAfterAt(new Date(NOW + 30_000).toUTCString(), NOW), Math.floor((NOW + 30_000) / 1000) * 1000);
    assert.equal(retryAfterAt(new Date(NOW - 30_000).toUTCString(), NOW), NOW, 'a date in the past means now');
    assert.equal(retryAfterAt('soon', NOW), undefined);
    assert.equal(retryAfterAt(undefined, NOW), undefined);
  });

  it('reads X-RateLimit-Reset as Unix seconds, Unix ms or seconds from now', () => {
    assert.equal(resetHeaderAt('1640995200', NOW), 1_640_995_200_000);
    assert.equal(resetHeaderAt('1640995200123', NOW), 1_640_995_200_123);
    assert.equal(resetHeaderAt('30', NOW), NOW + 30_000);
    assert.equal(resetHeaderAt('-1', NOW), undefined);
  });

  it('reads the X-RateLimit trio only when it is complete and numeric', () => {
    const reset = String(Math.ceil(NOW / 1000) + 600);
    assert.deepEqual(readRateLimitHeaders({ 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999', 'x-ratelimit-reset': reset }, NOW), {
      limit: 1000,
      remaining: 999,
      resetAt: Number(reset) * 1000,
    });
    assert.equal(readRateLimitHeaders({ 'x-ratelimit-limit': '1000', 'x-ratelimit-reset': reset }, NOW), undefined);
    assert.equal(readRateLimitHeaders({ 'x-ratelimit-limit': 'lots', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': reset }, NOW), undefined);
  });

  it('by default honours Retry-After, else an exhausted window, else says nothing', () => {
    const reset = String(Math.ceil(NOW / 1000) + 10);
    assert.equal(statedResetAt(answer(429, { 'retry-after': '7' }), NOW), NOW + 7000);
    assert.equal(statedResetAt(answer(429, { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), NOW), Number(reset) * 1000);
    assert.equal(statedResetAt(answer(429, { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': reset }), NOW), undefined);
    assert.equal(statedResetAt(answer(429), NOW), undefined);
  });

  it('computes CPG\'s epoch-minute reset as now - now % 60 + 60', () => {
    const seconds = Math.floor(NOW / 1000);
    assert.equal(nextEpochMinute(NOW), (seconds - (seconds % 60) + 60) * 1000);
    assert.equal(nextEpochMinute(NOW), Date.UTC(2026, 4, 17, 1, 21, 0));
    assert.equal(nextEpochMinute(Date.UTC(2026, 4, 17, 1, 21, 0)), Date.UTC(2026, 4, 17, 1, 22, 0), 'at the boundary: the next one');
    assert.equal(nextEpochMinute(Date.UTC(2026, 4, 17, 1, 21, 59, 999)), Date.UTC(2026, 4, 17, 1, 22, 0));
  });
});

describe('provider policies', () => {
  it('Cryptopay: 200 a minute, sliding; 429 and 5xx retried; Retry-After honoured if it ever comes', () => {
    assert.deepEqual(cryptopayHttpPolicy.rateLimit, { limit: 200, windowMs: 60_000, mode: 'sliding' });
    assert.equal(cryptopayHttpPolicy.isRetryable(answer(503)), true);
    assert.equal(cryptopayHttpPolicy.isRetryable(answer(409, {}, '{"error":{"code":"duplicate_custom_id"}}')), false);
    assert.equal(cryptopayHttpPolicy.resetAt(answer(429), NOW), undefined);
    assert.equal(cryptopayHttpPolicy.resetAt(answer(503, { 'retry-after': '60' }), NOW), NOW + 60_000);
  });

  it('CPG: a header-less 429 waits for the next epoch minute; the per-IP backstop\'s Retry-After wins', () => {
    assert.equal(cpgHttpPolicy.resetAt(answer(429, {}, '{"success":false,"message":"Rate limit exceeded"}'), NOW), Date.UTC(2026, 4, 17, 1, 21, 0));
    assert.equal(cpgHttpPolicy.resetAt(answer(429, { 'retry-after': '5' }), NOW), NOW + 5000);
    assert.equal(cpgHttpPolicy.resetAt(answer(503), NOW), undefined);
    assert.equal(cpgHttpPolicy.rateLimit.epochAligned, true);
  });

  it('CPG: retries a refused replayed signature (re-signed a second later), not other 401s', () => {
    const replayed = answer(401, {}, '{"success":false,"message":"Request signature has already been used"}');
    assert.equal(cpgHttpPolicy.isRetryable(replayed), true);
    assert.equal(cpgHttpPolicy.isRetryable(answer(401, {}, '{"success":false,"message":"Invalid signature"}')), false);
    assert.equal(cpgHttpPolicy.isRetryable(answer(401, {}, 'not json')), false);
    assert.ok(cpgHttpPolicy.minRetryDelayMs >= 1000);
  });

  it('defineHttpPolicy fills in the defaults and keeps what the provider says', () => {
    const p = defineHttpPolicy({ service: 'X', rateLimit: { limit: 5, windowMs: 1000, mode: 'headers' }, maxAttempts: 3 });
    assert.equal(p.maxAttempts, 3);
    assert.equal(p.minRetryDelayMs, 0);
    assert.equal(p.isRetryable(answer(502)), true);
    assert.equal(p.resetAt(answer(429, { 'retry-after': '1' }), NOW), NOW + 1000);
  });
});
