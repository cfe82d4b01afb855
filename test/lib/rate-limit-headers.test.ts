import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FixedWindowLimiter, rateLimitHeaders } from '../../emulator/payment-orders/ratelimit';
import { HttpClient } from '../../lib/http/client';
import { defineHttpPolicy } from '../../lib/http/policy';
import { ReliableClient } from '../../lib/http/reliable';

/**
 * The header-driven mode on its own, against a loopback server that counts like the
 * payment-orders API (fixed window, X-RateLimit-Limit/Remaining/Reset on every answer; the
 * payment-orders emulator's limiter, a second opinion written apart from lib/).
 */
describe('rate limit driven by X-RateLimit-* headers (loopback server)', function () {
  this.timeout(15_000);
  const LIMIT = 5;
  let server: http.Server;
  let url = '';
  let limiter: FixedWindowLimiter;
  const arrivals: Array<{ at: number; remaining: number; allowed: boolean }> = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const decision = limiter.hit('key', Date.now());
      arrivals.push({ at: Date.now(), remaining: decision.remaining, allowed: decision.allowed });
      const headers = { 'content-type': 'application/json', ...rateLimitHeaders(decision) };
      if (!decision.allowed) res.writeHead(429, { ...headers, 'retry-after': String(decision.retryAfter) }).end('{"success":false}');
      else res.writeHead(200, headers).end('{"success":true,"data":{}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    limiter = new FixedWindowLimiter({ limit: LIMIT, windowSeconds: 1 });
    arrivals.length = 0;
  });

  it('a burst two windows long gets no 429, and the last request of a window is held back', async () => {
    const policy = defineHttpPolicy({ service: 'Orders', rateLimit: { limit: 1000, windowMs: 1000, mode: 'headers' } });
    const client = new ReliableClient({ http: new HttpClient({ baseUrl: url, timeoutMs: 2000, serviceName: 'Orders' }), policy, identity: `orders-${Math.random()}` });
    const queuedSeen: number[] = [];
    try {
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 2 * LIMIT }, (_, i) =>
          // Reads only: a 429 would be retried, so count what the server refused, not what failed.
          client.send({ method: 'GET', target: `/api/orders/${i}`, replaySafe: true, prepare: () => ({ headers: {} }), onWait: (p) => p.reason === 'rate_limit' && queuedSeen.push(p.queued) }),
        ),
      );
      const seconds = (Date.now() - started) / 1000;
      assert.deepEqual(results.map((r) => r.status), Array.from({ length: 2 * LIMIT }, () => 200));
      assert.equal(arrivals.filter((a) => !a.allowed).length, 0, 'the server refused nothing');
      assert.equal(arrivals.length, 2 * LIMIT, 'and nothing was sent twice');
      assert.ok(Math.max(...queuedSeen) >= LIMIT, `the burst waited in the queue (max ${Math.max(...queuedSeen)})`);
      // In the first window: the probe alone, 3 at once, then the last one spread towards the reset.
      const first = arrivals.slice(0, LIMIT).map((a) => a.at - arrivals[0]!.at);
      assert.ok(first[LIMIT - 1]! - first[LIMIT - 2]! >= 100, `the last of the window was held back: ${first.join(', ')} ms`);
      assert.ok(seconds < 8, `took ${seconds} s`);
    } finally {
      await client.close();
    }
  });

  it('without the limiter the same burst is refused (the test can fail)', async () => {
    const policy = defineHttpPolicy({ service: 'Orders', rateLimit: { limit: 1000, windowMs: 1000, mode: 'headers' } });
    const client = new ReliableClient({ http: new HttpClient({ baseUrl: url, timeoutMs: 2000, serviceName: 'Orders' }), policy, identity: `orders-${Math.random()}`, settings: { rateLimit: 0, deadlineMs: 0 } });
    try {
      const results = await Promise.all(Array.from({ length: 2 * LIMIT }, (_, i) => client.send({ method: 'GET', target: `/x/${i}`, replaySafe: true, prepare: () => ({ headers: {} }) })));
      assert.ok(results.filter((r) => r.status === 429).length >= LIMIT);
    } finally {
      await client.close();
    }
  });
});
