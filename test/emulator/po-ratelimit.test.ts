import assert from 'node:assert/strict';
import { rawRequest } from './helpers';
import type { HttpResult } from './helpers';
import { EPOCH_MS, PO_API_KEY, fails, login, ok, orderBody, po, startPoEmulator, usePoEmulator } from './po-helpers';
import type { Page } from './po-helpers';

const token = PO_API_KEY;

function quota(res: HttpResult): [string | undefined, string | undefined, string | undefined] {
  const h = res.headers;
  return [h['x-ratelimit-limit'] as string | undefined, h['x-ratelimit-remaining'] as string | undefined, h['x-ratelimit-reset'] as string | undefined];
}

describe('payment-orders emulator: hourly rate limit headers and 429 (reference §3)', () => {
  const fx = usePoEmulator({ rateLimit: { limit: 5, windowSeconds: 10 } });
  const resetAt = String(EPOCH_MS / 1000 + 10);

  it('counts down X-RateLimit-Remaining, then answers 429 with Retry-After; the next window starts afresh', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token });
      ok(res);
      assert.deepEqual(quota(res), ['5', String(4 - i), resetAt]);
    }
    fx.clock += 3_000;
    const refused = await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token });
    assert.match(fails(refused, 429, 'RATE_LIMIT_EXCEEDED').message, /Expected available in 7 seconds/);
    assert.deepEqual(quota(refused), ['5', '0', resetAt]);
    assert.equal(refused.headers['retry-after'], '7');
    fx.clock += 7_000;
    const fresh = await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token });
    ok(fresh);
    assert.deepEqual(quota(fresh), ['5', '4', String(EPOCH_MS / 1000 + 20)]);
  });

  it('sends the headers on every /api answer, errors included, and shares one bucket across the merchant’s tokens and keys', async () => {
    const tokenA = await login(fx.emu.url);
    const answers = [
      await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token: tokenA }),
      await po(fx.emu.url, 'POST', '/api/payment-orders/', {}, { token }),
      await po(fx.emu.url, 'GET', '/api/payment-orders/ORD-none/', undefined, { token: tokenA }),
      await po(fx.emu.url, 'GET', '/api/payment-orders', undefined, { token }),
    ];
    assert.deepEqual(answers.map((r) => r.status), [200, 400, 404, 301]);
    assert.deepEqual(answers.map((r) => quota(r)[1]), ['4', '3', '2', '1']);
    // Unauthenticated requests count per client address, apart from the merchant.
    const anonymous = await po(fx.emu.url, 'GET', '/api/payment-orders/');
    assert.equal(anonymous.status, 401);
    assert.deepEqual(quota(anonymous).slice(0, 2), ['5', '3'], 'the login above and this request');
    // Controls are neither limited nor counted.
    const control = await po(fx.emu.url, 'GET', '/_emulator/health');
    assert.equal(control.headers['x-ratelimit-limit'], undefined);
    assert.equal(quota(await po(fx.emu.url, 'GET', '/api/transactions/', undefined, { token }))[1], '0');
  });

  it('keeps the Standard plan by default: 1000 requests per hour', async () => {
    const standard = await startPoEmulator({ now: () => fx.clock });
    try {
      const res = await po(standard.url, 'GET', '/api/merchant-wallets/', undefined, { token });
      assert.deepEqual(quota(res), ['1000', '999', String(EPOCH_MS / 1000 + 3600)]);
    } finally {
      await standard.stop();
    }
  });
});

describe('payment-orders emulator: fault injection', () => {
  const fx = usePoEmulator();

  it('answers an injected status unprocessed, with the error envelope and the quota headers', async () => {
    ok(await po(fx.emu.url, 'POST', '/_emulator/faults', { method: 'GET', path: '^/api/transactions/$', mode: 'status', status: 503 }), 201);
    const res = await po(fx.emu.url, 'GET', '/api/transactions/', undefined, { token });
    fails(res, 503, 'SERVICE_UNAVAILABLE');
    assert.equal(res.headers['x-ratelimit-limit'], '1000');
    ok(await po(fx.emu.url, 'GET', '/api/transactions/', undefined, { token }));
  });

  it('drop_after_commit creates the order but loses the answer', async () => {
    fx.emu.injectFault({ method: 'POST', path: /^\/api\/payment-orders\/$/, mode: 'drop_after_commit' });
    const body = orderBody({ nonce: 99 });
    await assert.rejects(rawRequest(fx.emu.url, 'POST', '/api/payment-orders/', { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, JSON.stringify(body)));
    const found = ok<Page>(await po(fx.emu.url, 'GET', '/api/payment-orders/?nonce=99', undefined, { token }));
    assert.equal(found.count, 1);
    assert.deepEqual(fx.emu.faults(), []);
  });

  it('refuses a malformed fault with field errors', async () => {
    const err = fails(await po(fx.emu.url, 'POST', '/_emulator/faults', { mode: 'explode', path: '(' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(Object.keys(err.details).sort(), ['mode', 'path']);
  });

  it('leaves nothing open after stop()', async () => {
    const other = await startPoEmulator();
    await po(other.url, 'GET', '/api/transactions/', undefined, { token });
    await other.stop();
    assert.deepEqual(other.handles(), { listening: false, openSockets: 0, timers: 0, inFlightWebhooks: 0 });
  });
});
