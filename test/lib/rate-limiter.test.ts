import assert from 'node:assert/strict';
import { RateLimitQueueFullError, TransportError } from '../../lib/errors';
import { QueueDeadlineError, RateLimiter } from '../../lib/http/rate-limiter';
import type { LimiterSettings, Permit } from '../../lib/http/rate-limiter';
import { forgetUnusedLimiters, joinLimiter, limiterKey, limitersInUse } from '../../lib/http/shared-limiters';
import { FakeClock, settle } from '../support/clock';

const sliding = (limit: number, windowMs: number, extra: Partial<LimiterSettings> = {}): LimiterSettings => ({ limit, windowMs, maxQueue: 100, mode: 'sliding', epochAligned: false, ...extra });

/** acquire() as a value we can look at without awaiting it. */
function track(p: Promise<Permit>): { permit?: Permit; error?: unknown; readonly done: boolean } {
  const state: { permit?: Permit; error?: unknown; done: boolean } = { done: false };
  p.then(
    (permit) => Object.assign(state, { permit, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

describe('rate limiter: sliding window', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  it('lets `limit` through at once, then holds a slot until a window after its answer', async () => {
    const limiter = new RateLimiter('Test', sliding(3, 1000), clock);
    const first = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    const events: string[] = [];
    const fourth = track(limiter.acquire({ onQueued: (q, d) => events.push(`queued ${q} ~${d}`), onLeft: (q) => events.push(`left ${q}`) }));
    await settle();
    assert.equal(fourth.done, false);
    assert.equal(limiter.queued, 1);
    // In flight for a long time: the slot is still held (the gateway may not have seen it yet).
    await clock.advance(5000);
    assert.equal(fourth.done, false, 'no answer yet, no free slot');
    limiter.complete(first[1], { status: 200 });
    await clock.advance(999);
    assert.equal(fourth.done, false, 'one window after the answer, not before');
    await clock.advance(1);
    assert.equal(fourth.done, true);
    assert.equal(fourth.permit!.permittedAt, clock.t);
    assert.deepEqual(events, ['queued 1 ~1000', 'left 0']);
  });

  it('keeps any window of the server under the limit whatever the latency', async () => {
    // 50 requests, limit 5 per 1000 ms, latencies 0-300 ms; the server counts arrivals.
    const limiter = new RateLimiter('Test', sliding(5, 1000), clock);
    const arrivals: number[] = [];
    let rnd = 1;
    const latency = (): number => (rnd = (rnd * 48271) % 2147483647) % 300;
    const one = async (): Promise<void> => {
      const permit = await limiter.acquire();
      const travel = latency();
      await new Promise<void>((resolve) => clock.setTimer(resolve, travel / 2));
      arrivals.push(clock.now());
      await new Promise<void>((resolve) => clock.setTimer(resolve, travel / 2));
      limiter.complete(permit, { status: 200 });
    };
    await clock.run(Promise.all(Array.from({ length: 50 }, one)), 10_000);
    assert.equal(arrivals.length, 50);
    arrivals.sort((a, b) => a - b);
    for (let i = 0; i + 5 < arrivals.length; i++) assert.ok(arrivals[i + 5]! - arrivals[i]! >= 1000, `6 arrivals within ${arrivals[i + 5]! - arrivals[i]!} ms`);
  });

  it('bounds the queue and says so clearly; retries are not refused', async () => {
    const limiter = new RateLimiter('Cryptopay', sliding(1, 1000, { maxQueue: 2 }), clock);
    await limiter.acquire();
    const waiting = [track(limiter.acquire()), track(limiter.acquire())];
    await assert.rejects(limiter.acquire(), (err: unknown) => {
      assert.ok(err instanceof RateLimitQueueFullError);
      assert.equal(err.code, 'rate_limit_queue_full');
      assert.match(err.message, /^Cryptopay rate limit: 2 requests are already waiting for this API key, so this one was not sent/);
      return true;
    });
    const retry = track(limiter.acquire({ priority: true }));
    assert.equal(limiter.queued, 3);
    await settle();
    assert.ok(waiting.every((w) => !w.done) && !retry.done);
  });

  it('serves in arrival order, retries first', async () => {
    const limiter = new RateLimiter('Test', sliding(1, 100), clock);
    const order: string[] = [];
    const first = await limiter.acquire();
    const all = ['a', 'b', 'r', 'c'].map((name) =>
      limiter.acquire({ priority: name === 'r' }).then((p) => {
        order.push(name);
        limiter.complete(p, { status: 200 });
      }),
    );
    limiter.complete(first, { status: 200 });
    await clock.run(Promise.all(all));
    assert.deepEqual(order, ['r', 'a', 'b', 'c']);
  });

  it('drops a waiting request when its signal aborts or its deadline passes', async () => {
    const limiter = new RateLimiter('Test', sliding(1, 1000), clock);
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = track(limiter.acquire({ signal: controller.signal }));
    const late = track(limiter.acquire({ deadlineAt: clock.t + 300 }));
    assert.equal(limiter.queued, 2);
    controller.abort();
    await settle();
    assert.ok(aborted.error instanceof TransportError && /cancelled/.test(aborted.error.message));
    await clock.advance(300);
    assert.ok(late.error instanceof QueueDeadlineError);
    assert.equal(limiter.queued, 0);
  });

  it('after a 429 waits for the stated reset, and learns the limit the gateway really has', async () => {
    const notices: string[] = [];
    const limiter = new RateLimiter('CPG', sliding(10, 60_000), clock, (t) => notices.push(t));
    const permits = [];
    for (let i = 0; i < 5; i++) permits.push(await limiter.acquire());
    for (const p of permits.slice(0, 4)) limiter.complete(p, { status: 200 });
    limiter.complete(permits[4]!, { status: 429, resetAt: clock.t + 20_000 });
    assert.equal(limiter.limit, 4);
    assert.match(notices[0]!, /^CPG refused a request \(429\) after accepting 4 in 60 s: from now on at most 4 requests per 60 s are sent with this API key/);
    const next = track(limiter.acquire());
    await clock.advance(19_999);
    assert.equal(next.done, false, 'paused until the reset');
    await clock.advance(60_001 - 19_999);
    assert.equal(next.done, true, 'and then only 4 per window: the first slot frees a window after its answer');
  });

  it('forgets a learned limit once ten windows after the pause go by without a 429 (one 429 storm does not throttle the key for good)', async () => {
    // Found by the fault-injection suite: a burst of 429s (Retry-After: 1) taught 33 per 60 s for
    // the life of the flow, although the key takes 10,000.
    const notices: string[] = [];
    const limiter = new RateLimiter('Cryptopay', sliding(10, 1000), clock, (t) => notices.push(t));
    const permits = [];
    for (let i = 0; i < 5; i++) permits.push(await limiter.acquire());
    for (const p of permits.slice(0, 4)) limiter.complete(p, { status: 200 });
    limiter.complete(permits[4]!, { status: 429, resetAt: clock.t + 200 });
    assert.equal(limiter.limit, 4);
    await clock.advance(200 + 10_000 - 1);
    const during = track(limiter.acquire());
    await settle();
    assert.equal(limiter.limit, 4, 'held for ten windows after the pause');
    assert.ok(during.done);
    limiter.complete(during.permit!, { status: 200 });
    await clock.advance(1);
    const after = track(limiter.acquire());
    await settle();
    assert.ok(after.done);
    assert.equal(limiter.limit, 10, 'then the configured limit again');
    assert.match(notices.at(-1)!, /^Cryptopay took requests for 10 s without a 429: back to at most 10 requests per 1 s with this API key\.$/);
  });

  it('keeps a learned limit while 429s keep coming', async () => {
    const limiter = new RateLimiter('Cryptopay', sliding(10, 1000), clock);
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await limiter.acquire());
    for (const p of first.slice(0, 3)) limiter.complete(p, { status: 200 });
    limiter.complete(first[3]!, { status: 429, resetAt: clock.t + 100 });
    assert.equal(limiter.limit, 3);
    await clock.advance(5000);
    // another refusal: what was learned holds ten windows past this pause
    const again = await limiter.acquire();
    limiter.complete(again, { status: 429, resetAt: clock.t + 100 });
    await clock.advance(10_050);
    track(limiter.acquire());
    await settle();
    assert.equal(limiter.limit, 3, 'ten windows after the first pause, but not after the second');
    await clock.advance(50);
    track(limiter.acquire());
    await settle();
    assert.equal(limiter.limit, 10);
  });

  it('counts from the start of the epoch minute when the gateway counts that way (CPG)', () => {
    const limiter = new RateLimiter('CPG', sliding(60, 60_000, { epochAligned: true }), clock);
    const minuteStart = Math.floor(clock.t / 60_000) * 60_000;
    const grant = (at: number): Permit => {
      clock.t = at;
      return (limiter as unknown as { grant(now: number): Permit }).grant(at);
    };
    // 7 in the previous minute, 3 in this one, then a 429: the limit is 3 per epoch minute, not 10.
    const earlier = Array.from({ length: 7 }, (_, i) => grant(minuteStart - 30_000 + i));
    const now = Array.from({ length: 3 }, (_, i) => grant(minuteStart + 1000 + i));
    const refused = grant(minuteStart + 2000);
    for (const p of [...earlier, ...now]) limiter.complete(p, { status: 200 });
    limiter.complete(refused, { status: 429, resetAt: minuteStart + 60_000 });
    assert.equal(limiter.limit, 3);
  });
});

describe('rate limiter: X-RateLimit headers', () => {
  let clock: FakeClock;
  const headers = (limit: number, remaining: number, resetAt: number): Record<string, string> => ({
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)),
  });
  const settings: LimiterSettings = { limit: 1000, windowMs: 3_600_000, maxQueue: 100, mode: 'headers', epochAligned: false };

  beforeEach(() => {
    clock = new FakeClock(1_800_000_000_000);
  });

  it('sends one request alone until an answer tells the window', async () => {
    const limiter = new RateLimiter('Orders', settings, clock);
    const first = await limiter.acquire();
    const second = track(limiter.acquire());
    await clock.advance(10_000);
    assert.equal(second.done, false);
    limiter.complete(first, { status: 200, headers: headers(1000, 999, clock.t + 3_000_000) });
    await settle();
    assert.equal(second.done, true);
  });

  it('slows down before Remaining reaches 0, then waits for the reset', async () => {
    const limiter = new RateLimiter('Orders', settings, clock);
    const resetAt = clock.t + 100_000;
    const probe = await limiter.acquire();
    limiter.complete(probe, { status: 200, headers: headers(20, 6, resetAt) });
    // 6 left, reserve 2 (10 % of 20): 4 go at once, the last 2 are spread until the reset.
    const times: number[] = [];
    const all = Array.from({ length: 7 }, () =>
      limiter.acquire().then((p) => {
        times.push(clock.t - (resetAt - 100_000));
        return p;
      }),
    );
    await clock.run(Promise.all(all.slice(0, 6)));
    assert.deepEqual(times.slice(0, 4), [0, 0, 0, 0]);
    assert.ok(times[4]! >= 30_000 && times[5]! > times[4]!, `paced: ${times.join(', ')}`);
    assert.ok(times[5]! < 100_000, 'all six used inside the window');
    const seventh = await clock.run(all[6]!);
    assert.ok(seventh.permittedAt >= resetAt, 'Remaining 0: waits for the reset');
  });

  it('counts requests still in flight against the Remaining of an older answer', async () => {
    const limiter = new RateLimiter('Orders', settings, clock);
    const probe = await limiter.acquire();
    limiter.complete(probe, { status: 200, headers: headers(100, 50, clock.t + 600_000) });
    const sent: Permit[] = [];
    for (let i = 0; i < 40; i++) sent.push(await limiter.acquire());
    // The first of them answers with Remaining 49: the 39 others are still to be counted.
    limiter.complete(sent[0]!, { status: 200, headers: headers(100, 49, clock.t + 600_000) });
    const left = 49 - 39;
    const quick: Permit[] = [];
    for (;;) {
      const p = track(limiter.acquire());
      await settle();
      if (!p.done) break;
      quick.push(p.permit!);
    }
    assert.equal(quick.length, left - 10, 'stops sending at once 10 before the end (the reserve)');
  });

  it('assumes a fresh window once the reset has passed, and follows a gateway without headers as sliding', async () => {
    const limiter = new RateLimiter('Orders', { ...settings, windowMs: 1000 }, clock);
    const probe = await limiter.acquire();
    limiter.complete(probe, { status: 200, headers: headers(5, 0, clock.t + 1000) });
    const next = track(limiter.acquire());
    await clock.advance(1000);
    assert.equal(next.done, false, 'reset + margin');
    await clock.advance(100);
    assert.equal(next.done, true);

    const plain = new RateLimiter('Orders', { ...settings, limit: 2, windowMs: 1000 }, clock);
    const a = await plain.acquire();
    plain.complete(a, { status: 200, headers: {} });
    await plain.acquire();
    assert.equal(track(plain.acquire()).done, false, 'limit 2 per window, sliding');
  });
});

describe('shared limiters', () => {
  it('one limiter per service + base URL + key; the key is only hashed', () => {
    const key = limiterKey('Cryptopay', 'https://business.cryptopay.me', 'live-key-1234567890');
    assert.ok(!key.includes('live-key-1234567890'));
    assert.match(key, /^Cryptopay\|https:\/\/business\.cryptopay\.me\|[0-9a-f]{16}$/);
    assert.notEqual(key, limiterKey('Cryptopay', 'https://business.cryptopay.me', 'live-key-1234567891'));
    assert.notEqual(key, limiterKey('Cryptopay', 'https://business-sandbox.cryptopay.me', 'live-key-1234567890'));
  });

  it('is shared by every user of the key, with the strictest rate and the largest queue', async () => {
    const clock = new FakeClock();
    const before = limitersInUse();
    const key = limiterKey('Test', 'http://x', `k-${Math.random()}`);
    const a = joinLimiter(key, 'Test', sliding(10, 1000, { maxQueue: 5 }), clock);
    const b = joinLimiter(key, 'Test', sliding(100, 60_000, { maxQueue: 50 }), clock);
    assert.equal(a.limiter, b.limiter);
    assert.equal(limitersInUse(), before + 1);
    assert.equal(a.limiter.limit, 100, '100 a minute is stricter than 10 a second');
    const permits = [];
    for (let i = 0; i < 100; i++) permits.push(await a.limiter.acquire());
    const queued = Array.from({ length: 50 }, () => track(b.limiter.acquire()));
    await assert.rejects(a.limiter.acquire(), RateLimitQueueFullError);
    b.leave();
    assert.equal(a.limiter.limit, 10);
    a.leave();
    await settle();
    assert.ok(queued.every((q) => q.error instanceof TransportError), 'the last user leaving fails what still waits');
    assert.equal(limitersInUse(), before);
    // Rejoining at once finds the old window: a redeploy does not start from zero.
    const c = joinLimiter(key, 'Test', sliding(10, 1000), clock);
    assert.equal(c.limiter, a.limiter);
    c.leave();
    // Once its last request is a window old, the account is forgotten.
    for (const p of permits) a.limiter.complete(p, { status: 200 });
    await clock.advance(60_000);
    const d = joinLimiter(key, 'Test', sliding(10, 1000), clock);
    assert.notEqual(d.limiter, a.limiter);
    d.leave();
  });

  it('forgetUnusedLimiters drops an account whose requests still count, but never one in use', async () => {
    const clock = new FakeClock();
    const usedKey = limiterKey('Test', 'http://x', `k-${Math.random()}`);
    const unusedKey = limiterKey('Test', 'http://x', `k-${Math.random()}`);
    const used = joinLimiter(usedKey, 'Test', sliding(1, 60_000), clock);
    const unused = joinLimiter(unusedKey, 'Test', sliding(1, 60_000), clock);
    unused.limiter.complete(await unused.limiter.acquire(), { status: 200 });
    unused.leave();
    forgetUnusedLimiters();
    const again = joinLimiter(usedKey, 'Test', sliding(1, 60_000), clock);
    assert.equal(again.limiter, used.limiter, 'in use: kept');
    const fresh = joinLimiter(unusedKey, 'Test', sliding(1, 60_000), clock);
    assert.notEqual(fresh.limiter, unused.limiter, 'unused: forgotten although its request counts for another minute');
    await fresh.limiter.acquire();
    for (const m of [again, used, fresh]) m.leave();
    await clock.advance(120_000);
  });
});
