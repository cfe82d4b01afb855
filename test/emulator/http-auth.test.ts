import assert from 'node:assert/strict';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { ErrorBody, HttpResult } from './helpers';
import { KEY, api, body, data, rawRequest, testSign, SECRET } from './helpers';

const INVOICE = { price_amount: '100.0', price_currency: 'EUR', pay_currency: 'BTC' };

function assertError(res: HttpResult, status: number, code: string): ErrorBody {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const b = body<ErrorBody>(res);
  assert.equal(b.error.code, code);
  assert.ok(Array.isArray(b.error.details));
  assert.match(b.meta.request_id, /^[0-9a-f]{32}$/);
  assert.equal(res.headers['x-request-id'], undefined, 'no request-id header (reference §2)');
  return b;
}

describe('emulator HTTP auth and server hygiene', () => {
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  const clock = (): number => emu.now();

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('accepts a correctly signed request and counts it', async () => {
    const res = await api(base, 'POST', '/api/invoices', INVOICE, { clock });
    assert.equal(res.status, 201, res.text);
    assert.equal(emu.requestCount(KEY), 1);
    assert.equal(emu.requestCount(), 1);
  });

  it('401 for a tampered body, a bad signature, a missing header, an unknown key, a stale date', async () => {
    const now = new Date(emu.now()).toUTCString();
    const cases: Array<[string, Promise<HttpResult>]> = [
      ['tampered body', api(base, 'POST', '/api/invoices', INVOICE, { clock, signBody: JSON.stringify({ ...INVOICE, price_amount: '1.0' }) })],
      ['wrong secret', api(base, 'POST', '/api/invoices', INVOICE, { clock, secret: 'nope' })],
      ['garbage signature', api(base, 'GET', '/api/invoices', undefined, { clock, authorization: `HMAC ${KEY}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=` })],
      ['no Authorization', api(base, 'GET', '/api/invoices', undefined, { clock, omit: ['authorization'] })],
      ['no Date', api(base, 'GET', '/api/invoices', undefined, { clock, omit: ['date'] })],
      ['unknown key', api(base, 'GET', '/api/invoices', undefined, { clock, key: 'other-key' })],
      ['stale Date (16 min old)', api(base, 'GET', '/api/invoices', undefined, { clock: () => emu.now() - 16 * 60_000 })],
      ['future Date (16 min ahead)', api(base, 'GET', '/api/invoices', undefined, { clock: () => emu.now() + 16 * 60_000 })],
      [
        'Content-Type differs from the signed one',
        api(base, 'GET', '/api/invoices', undefined, {
          date: now,
          authorization: `HMAC ${KEY}:${testSign(SECRET, 'GET', '/api/invoices', '', 'application/json; charset=utf-8', now)}`,
        }),
      ],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      const b = assertError(res, 401, 'unauthenticated');
      assert.deepEqual(b.error, { code: 'unauthenticated', message: 'unauthenticated', details: [] }, name);
    }
    assert.equal(emu.requestCount(), 0);
  });

  it('a Date 14 minutes off is still accepted', async () => {
    assert.equal((await api(base, 'GET', '/api/invoices', undefined, { clock: () => emu.now() - 14 * 60_000 })).status, 200);
    assert.equal((await api(base, 'GET', '/api/invoices', undefined, { clock: () => emu.now() + 14 * 60_000 })).status, 200);
  });

  it('accepts every documented Date format', async () => {
    const d = new Date(emu.now());
    const pad = (n: number): string => String(n).padStart(2, '0');
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const head = `${days[d.getUTCDay()]}, `;
    const tail = `${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time}`;
    const formats = [
      d.toUTCString(), // RFC 1123, padded day
      `${head}${d.getUTCDate()} ${tail} GMT`, // Java: non-padded day
      `${head}${pad(d.getUTCDate())} ${tail} +0000`, // PHP RFC 2822
      `${d.toISOString().slice(0, 19)}+00:00`, // ISO 8601
      `${d.toISOString().slice(0, 19)}Z`,
    ];
    for (const date of formats) {
      const res = await api(base, 'GET', '/api/invoices', undefined, { date });
      assert.equal(res.status, 200, `${date}: ${res.text}`);
    }
    const bad = await api(base, 'GET', '/api/invoices', undefined, { date: 'not a date' });
    assertError(bad, 401, 'unauthenticated');
  });

  it('the query string is part of the signed string', async () => {
    const target = '/api/invoices?customer_id=CUSTOMER-123';
    assert.equal((await api(base, 'GET', target, undefined, { clock })).status, 200);
    const res = await api(base, 'GET', target, undefined, { clock, signTarget: '/api/invoices' });
    assertError(res, 401, 'unauthenticated');
  });

  it('accepts the percent-decoded target as well (Java SDK style)', async () => {
    const target = '/api/invoices?customer_id=a%3Ab%2Bc';
    assert.equal((await api(base, 'GET', target, undefined, { clock })).status, 200);
    assert.equal((await api(base, 'GET', target, undefined, { clock, signTarget: '/api/invoices?customer_id=a:b+c' })).status, 200);
  });

  it('rates can be read with or without auth, but a bad signature on them is refused', async () => {
    const anon = await rawRequest(base, 'GET', '/api/rates/BTC/EUR', {});
    assert.equal(anon.status, 200);
    assert.deepEqual(data(anon), { buy_rate: '29699.2676', sell_rate: '28435.6646' });
    const signed = await api(base, 'GET', '/api/rates', undefined, { clock });
    assert.equal(signed.status, 200);
    const all = data<Record<string, { buy_rate: string; sell_rate: string }>>(signed);
    assert.deepEqual(all.BTCEUR, all['BTC/EUR']);
    assert.ok(Object.keys(all).length > 100);
    assertError(await api(base, 'GET', '/api/rates', undefined, { clock, secret: 'wrong' }), 401, 'unauthenticated');
    assertError(await rawRequest(base, 'GET', '/api/rates/BTC/XXX', {}), 404, 'not_found');
    assert.equal(emu.requestCount(), 1, 'only the signed rates call counts');
  });

  it('unknown routes and methods give the error envelope', async () => {
    assertError(await api(base, 'GET', '/api/nothing-here', undefined, { clock }), 404, 'not_found');
    assertError(await api(base, 'PATCH', '/api/invoices', { a: 1 }, { clock }), 405, 'method_not_allowed');
    assertError(await rawRequest(base, 'GET', '/nothing-here', {}), 404, 'not_found');
    // auth comes first for /api
    assertError(await rawRequest(base, 'GET', '/api/nothing-here', {}), 401, 'unauthenticated');
  });

  it('malformed JSON → 400 bad_request; oversized body → 413', async () => {
    const bad = await api(base, 'POST', '/api/invoices', '{"price_amount":', { clock });
    const b = assertError(bad, 400, 'bad_request');
    assert.equal(b.error.details[0]?.code, 'malformed_json');
    assertError(await api(base, 'POST', '/api/invoices', '[1,2]', { clock }), 400, 'bad_request');
    const big = JSON.stringify({ ...INVOICE, description: 'x'.repeat(1_100_000) });
    assertError(await api(base, 'POST', '/api/invoices', big, { clock }), 413, 'payload_too_large');
  });

  it('responses look like the real ones (JSON charset, no-store)', async () => {
    const res = await api(base, 'GET', '/api/invoices', undefined, { clock });
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});

describe('emulator rate limit', () => {
  const emu = new CryptopayEmulator({ rateLimitPerMinute: 5, credentials: { a: 'sa', b: 'sb' } });
  let base = '';
  const clock = (): number => emu.now();
  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());

  it('the 6th request within a minute gets 429 rate_limit_exceeded; other keys are independent; the window slides', async () => {
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await api(base, 'GET', '/api/invoices', undefined, { clock, key: 'a', secret: 'sa' })).status, 200);
    }
    const limited = await api(base, 'GET', '/api/invoices', undefined, { clock, key: 'a', secret: 'sa' });
    assertError(limited, 429, 'rate_limit_exceeded');
    assert.equal((await api(base, 'GET', '/api/invoices', undefined, { clock, key: 'b', secret: 'sb' })).status, 200);
    assert.equal(emu.requestCount('a'), 6);
    assert.equal(emu.requestCount('b'), 1);
    emu.advanceClock(61);
    assert.equal((await api(base, 'GET', '/api/invoices', undefined, { clock, key: 'a', secret: 'sa' })).status, 200);
    assert.equal(emu.rateLimited(), 1, 'one 429 answered');
  });

  it('takes a shorter window (rateLimitWindowMs) for fast rate-limit tests', async () => {
    const short = new CryptopayEmulator({ rateLimitPerMinute: 2, rateLimitWindowMs: 2000, credentials: { a: 'sa' } });
    const url = (await short.start(0)).url;
    const call = (): Promise<number> => api(url, 'GET', '/api/invoices', undefined, { clock: () => short.now(), key: 'a', secret: 'sa' }).then((r) => r.status);
    try {
      assert.deepEqual([await call(), await call(), await call()], [200, 200, 429]);
      short.advanceClock(1);
      assert.equal(await call(), 429, 'still inside the 2 s window');
      short.advanceClock(1.5);
      assert.equal(await call(), 200, 'the first two requests left the window');
      assert.equal(short.rateLimited(), 2);
      assert.throws(() => new CryptopayEmulator({ rateLimitWindowMs: 0 }), RangeError);
    } finally {
      await short.stop();
    }
  });
});
