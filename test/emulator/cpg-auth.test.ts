import assert from 'node:assert/strict';
import type { CpgEmulator } from '../../emulator/cpg';
import { canonicalRequest, signRequest } from '../../emulator/cpg';
import { control, rawRequest } from './helpers';
import { CPG_KEY, CPG_SECRET, ManualClock, cpgApi, cpgSignature, expectCpgError, okEnvelope, startCpg } from './cpg-helpers';

describe('CPG emulator: authentication (reference §2–3)', () => {
  let emu: CpgEmulator;
  let clock: ManualClock;
  let base: string;

  beforeEach(async () => {
    clock = new ManualClock();
    emu = await startCpg({ now: clock.now });
    base = emu.url;
  });
  afterEach(async () => {
    await emu.stop();
  });

  const call = (target = '/v1/_ping', o: Parameters<typeof cpgApi>[4] = {}) => cpgApi(base, 'GET', target, undefined, { clock: clock.now, ...o });

  it('signs the reference §2.3 vectors (its own implementation)', () => {
    const get = canonicalRequest('1747444800', 'GET', '/v1/hot-wallet-address', 'network=ETH', Buffer.alloc(0));
    assert.equal(signRequest('test_secret', get), '4da4a1c96d1d87c889259ce631056526eb46b89809301b90da5eb864054bc759');
    const body = Buffer.from('{"currency":"USDT","network":"ETH","to_address":"0xrecipient0000","amount":"50.00","client_reference":"order_1"}');
    assert.equal(signRequest('test_secret', canonicalRequest('1747444800', 'post', '/v1/withdrawals', '', body)), 'edcd829853c527ec3fed4ef1bcd845f06557323f1878287ba4aa2a4c6b1ea4f4');
  });

  it('accepts a signed ping and answers in the envelope', async () => {
    const env = okEnvelope(await call());
    assert.deepEqual(Object.keys(env).sort(), ['data', 'message', 'success']);
    assert.equal(env.data.pong, true);
    assert.equal(env.data.key_id, CPG_KEY);
  });

  it('1. any missing header → 401 "Missing authentication headers", before every other check', async () => {
    for (const header of ['x-cpg-key', 'x-cpg-timestamp', 'x-cpg-signature'] as const) {
      expectCpgError(await call('/v1/_ping', { omit: [header], timestamp: 1 }), 401, 'Missing authentication headers');
    }
    expectCpgError(await rawRequest(base, 'GET', '/v1/balances', {}), 401, 'Missing authentication headers');
    expectCpgError(await call('/v1/_ping', { signature: '' }), 401, 'Missing authentication headers');
  });

  it('2. a timestamp more than 300 s off either way, or not Unix seconds → 401 window', async () => {
    for (const offset of [-301, 301]) {
      expectCpgError(await call('/v1/_ping', { timestamp: clock.seconds + offset }), 401, 'Request timestamp is outside the allowed window');
    }
    expectCpgError(await call('/v1/_ping', { timestamp: 'soon' }), 401, 'Request timestamp is outside the allowed window');
    expectCpgError(await call('/v1/_ping', { timestamp: `${clock.seconds}000` }), 401, 'Request timestamp is outside the allowed window');
    okEnvelope(await call('/v1/_ping', { timestamp: clock.seconds - 300 }));
    okEnvelope(await call('/v1/_ping', { timestamp: clock.seconds + 300 }));
  });

  it('3. a signature already accepted → 401 "already been used", checked before the key and the signature', async () => {
    const ts = clock.seconds;
    okEnvelope(await call('/v1/_ping', { timestamp: ts }));
    expectCpgError(await call('/v1/_ping', { timestamp: ts }), 401, 'Request signature has already been used');
    // The same signature under an unknown key is still a replay: the cache is consulted first.
    expectCpgError(await call('/v1/_ping', { timestamp: ts, key: 'nobody', signature: cpgSignature(CPG_SECRET, String(ts), 'GET', '/v1/_ping', '', '') }), 401, 'Request signature has already been used');
    // A refused request does not poison the cache: a wrong signature is not remembered.
    const wrong = 'ab'.repeat(32);
    expectCpgError(await call('/v1/_ping', { signature: wrong }), 401, 'Invalid signature');
    expectCpgError(await call('/v1/_ping', { signature: wrong }), 401, 'Invalid signature');
    // Once the timestamp has left the window the old request is refused by the window check.
    clock.advance(301);
    expectCpgError(await call('/v1/_ping', { timestamp: ts }), 401, 'Request timestamp is outside the allowed window');
  });

  it('4. an unknown or revoked key → 401 "Invalid API key", before the signature is checked', async () => {
    expectCpgError(await call('/v1/_ping', { key: 'nobody' }), 401, 'Invalid API key');
    expectCpgError(await call('/v1/_ping', { key: 'nobody', signature: 'ab'.repeat(32) }), 401, 'Invalid API key');
    emu.addKey({ keyId: 'old-key', secret: 'old-secret' });
    okEnvelope(await call('/v1/_ping', { key: 'old-key', secret: 'old-secret' }));
    assert.equal((await control(base, 'POST', '/_emulator/keys/old-key/revoke')).status, 200);
    clock.advance(1);
    expectCpgError(await call('/v1/_ping', { key: 'old-key', secret: 'old-secret' }), 401, 'Invalid API key');
  });

  it('5. a signature that does not match what was sent → 401 "Invalid signature"', async () => {
    expectCpgError(await call('/v1/_ping', { secret: 'not-the-secret' }), 401, 'Invalid signature');
    // The query is signed exactly as sent: re-ordered or re-encoded parameters do not match.
    expectCpgError(await call('/v1/transactions?limit=5&direction=deposit', { signQuery: 'direction=deposit&limit=5' }), 401, 'Invalid signature');
    expectCpgError(await call('/v1/hot-wallet-address?network=ETH', { signQuery: '?network=ETH' }), 401, 'Invalid signature');
    okEnvelope(await call('/v1/transactions?limit=5&direction=deposit'));
    // The path includes /v1; the body hash covers the exact bytes.
    expectCpgError(await call('/v1/_ping', { signPath: '/_ping' }), 401, 'Invalid signature');
    const body = '{"currency":"USDT","network":"ETH"}';
    expectCpgError(await cpgApi(base, 'POST', '/v1/deposit-addresses', body, { clock: clock.now, signBody: '{"currency": "USDT", "network": "ETH"}' }), 401, 'Invalid signature');
    // Upper-case hex is not the signature (lower-case hex is, reference §2.2).
    const ts = String(clock.seconds + 1);
    expectCpgError(await call('/v1/_ping', { timestamp: ts, signature: cpgSignature(CPG_SECRET, ts, 'GET', '/v1/_ping', '', '').toUpperCase() }), 401, 'Invalid signature');
  });

  it('6. a source IP outside the key’s whitelist → 403, before the permission', async () => {
    emu.addKey({ keyId: 'office', secret: 's1', ipWhitelist: ['10.1.2.3'], permissions: [] });
    emu.addKey({ keyId: 'local', secret: 's2', ipWhitelist: ['10.1.2.3', '127.0.0.1'] });
    expectCpgError(await call('/v1/balances', { key: 'office', secret: 's1' }), 403, 'Source IP is not whitelisted for this key');
    okEnvelope(await call('/v1/balances', { key: 'local', secret: 's2' }));
  });

  it('7. rate_limit_per_min per epoch minute: 429 without rate headers, reset at the next minute, not 60 s later', async () => {
    clock.ms = Math.floor(clock.ms / 60_000) * 60_000 + 50_000; // hh:mm:50
    emu.addKey({ keyId: 'small', secret: 'small-secret', rateLimitPerMin: 3 });
    const small = { key: 'small', secret: 'small-secret' };
    for (let i = 0; i < 3; i++) okEnvelope(await call(`/v1/_ping?n=${i}`, small));
    const refused = await call('/v1/_ping?n=3', small);
    expectCpgError(refused, 429, 'Rate limit exceeded');
    const rateHeaders = Object.keys(refused.headers).filter((h) => h === 'retry-after' || h.startsWith('x-ratelimit'));
    assert.deepEqual(rateHeaders, []);
    // Other keys have their own counter.
    okEnvelope(await call('/v1/_ping?n=4'));
    // 11 s later a rolling window would still refuse; the epoch-minute bucket has reset.
    clock.advance(11);
    for (let i = 0; i < 3; i++) okEnvelope(await call(`/v1/_ping?m=${i}`, small));
    expectCpgError(await call('/v1/_ping?m=3', small), 429, 'Rate limit exceeded');
  });

  it('8. a key without the endpoint’s permission → 403; such requests still count for the rate limit', async () => {
    emu.addKey({ keyId: 'reader', secret: 'r', permissions: ['list_currencies'], rateLimitPerMin: 3 });
    const reader = { key: 'reader', secret: 'r' };
    okEnvelope(await call('/v1/currencies', reader));
    expectCpgError(await call('/v1/balances', reader), 403, 'API key does not have permission for this action');
    // The ping needs no permission.
    okEnvelope(await call('/v1/_ping', reader));
    expectCpgError(await call('/v1/balances?again=1', reader), 429, 'Rate limit exceeded');
  });

  it('each endpoint needs its documented permission', async () => {
    const needs: Array<[string, string, string]> = [
      ['GET', '/v1/balances', 'read_balance'],
      ['GET', '/v1/currencies', 'list_currencies'],
      ['GET', '/v1/transactions', 'list_transactions'],
      ['POST', '/v1/deposit-addresses', 'request_deposit_address'],
      ['GET', '/v1/deposit-requests/1', 'read_deposit_status'],
      ['POST', '/v1/withdrawals', 'withdraw'],
      ['GET', '/v1/withdrawals/1', 'read_withdrawal_status'],
      ['GET', '/v1/hot-wallet-address?network=ETH', 'request_withdrawal_funding_address'],
    ];
    for (const [method, target, permission] of needs) {
      const all = ['request_deposit_address', 'request_withdrawal_funding_address', 'withdraw', 'read_balance', 'read_deposit_status', 'read_withdrawal_status', 'list_transactions', 'list_currencies'];
      emu.addKey({ keyId: `without-${permission}`, secret: 'x', permissions: all.filter((p) => p !== permission) });
      const res = await cpgApi(base, method, target, method === 'POST' ? {} : undefined, { clock: clock.now, key: `without-${permission}`, secret: 'x' });
      expectCpgError(res, 403, 'API key does not have permission for this action');
    }
  });

  it('routes after the middleware: an unsigned unknown path is 401, a signed one 404; a wrong method 405', async () => {
    expectCpgError(await rawRequest(base, 'GET', '/v1/nothing-here', {}), 401, 'Missing authentication headers');
    expectCpgError(await call('/v1/nothing-here'), 404, 'Not Found');
    expectCpgError(await cpgApi(base, 'POST', '/v1/balances', {}, { clock: clock.now }), 405, 'Method Not Allowed');
    expectCpgError(await rawRequest(base, 'GET', '/v2/balances', {}), 404, 'Not Found');
  });

  it('answers 503 while the auth backend is down (after the header, window and replay checks)', async () => {
    assert.equal((await control(base, 'POST', '/_emulator/auth-outage', { down: true })).status, 200);
    expectCpgError(await call(), 503, 'Authentication service temporarily unavailable');
    expectCpgError(await call('/v1/_ping', { omit: ['x-cpg-key'] }), 401, 'Missing authentication headers');
    emu.setAuthServiceDown(false);
    okEnvelope(await call('/v1/_ping?up=1'));
  });

  it('the global per-IP backstop runs before authentication and, unlike the per-key limit, sends rate headers', async () => {
    await emu.stop();
    emu = await startCpg({ now: clock.now, ipRateLimitPerMin: 2 });
    base = emu.url;
    await rawRequest(base, 'GET', '/v1/_ping', {});
    okEnvelope(await call());
    const res = await rawRequest(base, 'GET', '/v1/_ping', {});
    expectCpgError(res, 429, 'Too many requests');
    assert.equal(res.headers['x-ratelimit-limit'], '2');
    assert.equal(res.headers['x-ratelimit-remaining'], '0');
    assert.equal(Number(res.headers['x-ratelimit-reset']) % 60, 0);
    assert.ok(Number(res.headers['retry-after']) >= 1 && Number(res.headers['retry-after']) <= 60);
  });

  it('counts correctly signed requests per key', async () => {
    await call();
    await call('/v1/_ping', { secret: 'bad' });
    await call('/v1/currencies');
    assert.equal(emu.requestCount(CPG_KEY), 2);
    assert.equal(emu.requestCount(), 2);
  });
});
