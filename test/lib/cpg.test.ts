import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { cpgSigning, splitValidationMessage, toCpgError, verifyCpgWebhook } from '../../lib/providers/cpg';
import { cpgStatusTables, depositRequestStatusTable, transactionStatusTable, webhookEventTable, withdrawalStatusTable } from '../../lib/providers/cpg/status';
import { WEBHOOK_EVENTS } from '../../lib/providers/cpg/schemas';
import { mapStatus } from '../../lib/status';
import { CallbackRejectedError } from '../../lib/errors';

describe('CPG request signing (reference §2.3 vectors)', () => {
  it('signs GET /v1/hot-wallet-address?network=ETH with an empty body', () => {
    const parts = { timestamp: '1747444800', method: 'GET', path: '/v1/hot-wallet-address', query: 'network=ETH' };
    assert.equal(
      cpgSigning.canonicalString(parts),
      '1747444800\nGET\n/v1/hot-wallet-address\nnetwork=ETH\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    assert.equal(cpgSigning.requestSignature('test_secret', parts), '4da4a1c96d1d87c889259ce631056526eb46b89809301b90da5eb864054bc759');
  });

  it('signs POST /v1/withdrawals over the exact body bytes, with an empty query line', () => {
    const body = Buffer.from('{"currency":"USDT","network":"ETH","to_address":"0xrecipient0000","amount":"50.00","client_reference":"order_1"}');
    assert.equal(cpgSigning.bodyHash(body), 'b7e1072dc61413e1541808110d8eca92f5f176356bc5d3e7aa1ca3dabe9bd8c4');
    const parts = { timestamp: '1747444800', method: 'post', path: '/v1/withdrawals', query: '', body };
    assert.match(cpgSigning.canonicalString(parts), /^1747444800\nPOST\n\/v1\/withdrawals\n\nb7e1/);
    assert.equal(cpgSigning.requestSignature('test_secret', parts), 'edcd829853c527ec3fed4ef1bcd845f06557323f1878287ba4aa2a4c6b1ea4f4');
  });

  it('signs webhooks as timestamp + newline + raw body (reference §9 vector)', () => {
    const body = Buffer.from('{"id":42,"event":"deposit.confirmed","created_at":"2026-05-16T22:00:00Z","api_version":"1","data":{}}');
    assert.equal(cpgSigning.webhookSignature('test_secret', '1747444800', body), '9f238cf9d8aec34ca73afc1eb8b7ec84da10b7f11f296edc51a7756127e1b5c4');
  });
});

describe('CPG errors', () => {
  it('splits a validation message into one detail per field', () => {
    assert.deepEqual(splitValidationMessage('amount: Input should be greater than 0; to_address: String should have at least 10 characters'), [
      { code: 'invalid', field: 'amount', message: 'Input should be greater than 0' },
      { code: 'invalid', field: 'to_address', message: 'String should have at least 10 characters' },
    ]);
    const err = toCpgError(422, JSON.stringify({ success: false, message: 'amount: Input should be greater than 0; currency: Field required' }));
    assert.equal(err.code, 'invalid');
    assert.deepEqual(err.details.map((d) => d.field), ['amount', 'currency']);
    assert.match(err.message, /CPG rejected the request: 422 invalid - validation failed: amount Input should be greater than 0; currency Field required/);
  });

  const cases: Array<[number, string, string, boolean]> = [
    [401, 'Missing authentication headers', 'unauthenticated', false],
    [401, 'Request timestamp is outside the allowed window', 'clock_skew', false],
    [401, 'Request signature has already been used', 'replayed_signature', false],
    [401, 'Invalid signature', 'bad_signature', false],
    [403, 'Source IP is not whitelisted for this key', 'ip_not_allowed', false],
    [403, 'API key does not have permission for this action', 'forbidden', false],
    [429, 'Rate limit exceeded', 'rate_limit_exceeded', true],
    [400, 'Insufficient balance', 'insufficient_balance', false],
    [400, 'Amount is below the minimum withdrawal amount', 'below_minimum', false],
    [400, 'Invalid destination address for network ETH', 'invalid_address', false],
    [404, 'Withdrawal not found', 'not_found', false],
    [409, 'client_reference already used with different parameters', 'idempotency_conflict', false],
    [503, 'Authentication service temporarily unavailable', 'http_503', true],
  ];
  for (const [status, message, code, retryable] of cases) {
    it(`${status} "${message}" → ${code}`, () => {
      const err = toCpgError(status, JSON.stringify({ success: false, message }));
      assert.equal(err.code, code);
      assert.equal(err.httpStatus, status);
      assert.equal(err.retryable, retryable);
      assert.ok(err.message.includes(message));
    });
  }

  it('keeps a non-envelope answer typed', () => {
    const err = toCpgError(502, '<html>bad gateway</html>');
    assert.equal(err.code, 'http_502');
    assert.equal(err.retryable, true);
  });
});

describe('CPG webhook verification', () => {
  const secret = 'whsec-test';
  const now = 1_800_000_000_000;
  const body = Buffer.from(JSON.stringify({ id: 7, event: 'deposit.confirmed', created_at: '2027-01-15T08:00:00Z', api_version: '1', data: { deposit_request_id: 12, amount: '10.50', currency: 'USDT', network: 'ETH', tx_hash: '0xabc' } }));
  // Signed here with node:crypto directly, independently of the code under test.
  const sign = (ts: string, raw: Buffer = body): string => createHmac('sha256', secret).update(`${ts}\n`).update(raw).digest('hex');
  const headersAt = (ts: number, extra: Record<string, string> = {}): Record<string, string> => ({
    'x-cpg-timestamp': String(ts),
    'x-cpg-signature': sign(String(ts)),
    'x-cpg-event': 'deposit.confirmed',
    'x-cpg-delivery': '7',
    ...extra,
  });
  const verify = (headers: Record<string, string>, raw: Buffer = body, at = now) => verifyCpgWebhook(raw, headers, { callbackSecret: secret }, { now: at });
  const rejects = (fn: () => unknown, status: number, pattern: RegExp): void =>
    assert.throws(fn, (err: unknown) => err instanceof CallbackRejectedError && err.httpStatus === status && pattern.test(err.message));

  it('accepts a fresh, correctly signed delivery and maps it', () => {
    const result = verify(headersAt(now / 1000 - 10));
    assert.deepEqual(result.meta, { provider: 'cpg', resource: 'deposit', id: '12', state: 'completed', reason: null, final: true, event: 'deposit.confirmed' });
    assert.equal((result.payload as { amount: string }).amount, '10.50');
    assert.match(result.dedupeKey, /^cpg:[0-9a-f]{16}:delivery:7$/);
  });

  it('accepts an upper-case signature and a clock 300 s either way', () => {
    const ts = now / 1000 + 300;
    verify({ ...headersAt(ts), 'x-cpg-signature': sign(String(ts)).toUpperCase() });
    verify(headersAt(now / 1000 - 300));
  });

  it('refuses a delivery older than 300 s (stale or replayed), even correctly signed', () => {
    rejects(() => verify(headersAt(now / 1000 - 301)), 401, /more than 300 s/);
    rejects(() => verify(headersAt(now / 1000 + 301)), 401, /more than 300 s/);
  });

  it('refuses a bad signature, a tampered body, missing headers or no secret', () => {
    const ts = now / 1000;
    rejects(() => verify({ ...headersAt(ts), 'x-cpg-signature': 'ab'.repeat(32) }), 401, /does not match/);
    const tampered = Buffer.from(body.toString().replace('10.50', '99.50'));
    rejects(() => verify(headersAt(ts), tampered), 401, /does not match/);
    rejects(() => verify({ 'x-cpg-signature': sign(String(ts)) }), 401, /no X-CPG-Timestamp/);
    rejects(() => verify({ ...headersAt(ts), 'x-cpg-timestamp': '17e8' }), 401, /not Unix seconds/);
    rejects(() => verifyCpgWebhook(body, headersAt(ts), {}, { now }), 401, /No webhook signing secret/);
  });

  it('hands a signed body that is not an event it knows, or whose header event disagrees, to Catch (unexpected), duplicates still recognised', () => {
    const ts = String(now / 1000);
    const notEvent = Buffer.from('{"hello":"world"}');
    const a = verify({ 'x-cpg-timestamp': ts, 'x-cpg-signature': sign(ts, notEvent) }, notEvent);
    assert.equal(a.unexpected?.code, 'unexpected_callback');
    assert.match(a.unexpected.message, /CPG callback is correctly signed, but it is not a CPG event envelope/);
    assert.deepEqual(a.payload, { hello: 'world' });
    assert.equal(a.meta.state, null);
    const again = verify({ 'x-cpg-timestamp': ts, 'x-cpg-signature': sign(ts, notEvent) }, notEvent);
    assert.equal(again.dedupeKey, a.dedupeKey, 'the same body without a delivery id is the same delivery');
    const header = verify({ ...headersAt(now / 1000), 'x-cpg-event': 'withdrawal.failed' });
    assert.match(header.unexpected!.message, /X-CPG-Event header "withdrawal.failed" does not match the body's event "deposit.confirmed"/);
    assert.match(header.dedupeKey, /:delivery:7$/, 'keyed by its delivery id like any webhook');
    const text = Buffer.from('plain text');
    const raw = verify({ 'x-cpg-timestamp': ts, 'x-cpg-signature': sign(ts, text), 'x-cpg-delivery': '99' }, text);
    assert.deepEqual([raw.payload, raw.unexpected?.code], ['plain text', 'unexpected_callback']);
    for (const name of ['constructor', 'toString', '__proto__', 'deposit.refunded']) {
      const odd = Buffer.from(JSON.stringify({ id: 5, event: name, created_at: 'x', api_version: '1', data: {} }));
      assert.equal(verify({ 'x-cpg-timestamp': ts, 'x-cpg-signature': sign(ts, odd) }, odd).unexpected?.code, 'unexpected_callback', name);
    }
  });

  it('identifies a delivery by X-CPG-Delivery, else by the envelope id, within its webhook', () => {
    const ts = now / 1000;
    const withoutHeader = { ...headersAt(ts) } as Record<string, string>;
    delete withoutHeader['x-cpg-delivery'];
    const key = verify(headersAt(ts)).dedupeKey;
    assert.equal(verify(withoutHeader).dedupeKey, key);
    assert.equal(verify({ ...headersAt(ts), 'x-cpg-delivery': '8' }).dedupeKey, key.replace(/7$/, '8'));
    // The same delivery id from another webhook (another signing secret) is another delivery.
    const otherSecret = 'whsec-other';
    const signedOther = { ...headersAt(ts), 'x-cpg-signature': createHmac('sha256', otherSecret).update(`${ts}\n`).update(body).digest('hex') };
    const other = verifyCpgWebhook(body, signedOther, { callbackSecret: otherSecret }, { now }).dedupeKey;
    assert.notEqual(other, key);
    assert.ok(!key.includes(secret) && !other.includes(otherSecret), 'no secret in the key');
  });
});

describe('CPG status mapping', () => {
  it('maps every webhook event', () => {
    const states = WEBHOOK_EVENTS.map((event) => mapStatus(webhookEventTable, { status: null, event }).state);
    assert.deepEqual(states, ['confirming', 'completed', 'completed', 'confirming', 'completed', 'failed']);
  });

  it('maps deposit requests, withdrawals and transactions', () => {
    const map = (table: typeof withdrawalStatusTable, status: string) => mapStatus(table, { status }).state;
    assert.deepEqual(['active', 'detected', 'confirmed', 'expired'].map((s) => map(depositRequestStatusTable, s)), ['pending', 'confirming', 'completed', 'expired']);
    assert.deepEqual(['pending', 'broadcasted', 'confirmed', 'failed'].map((s) => map(withdrawalStatusTable, s)), ['pending', 'confirming', 'completed', 'failed']);
    assert.deepEqual(['pending', 'confirmed', 'failed'].map((s) => map(transactionStatusTable, s)), ['confirming', 'completed', 'failed']);
    assert.equal(cpgStatusTables.length, 4);
  });
});
