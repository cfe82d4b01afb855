import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CallbackRejectedError } from '../../lib/errors';
import { fields, parseInput } from '../../lib/operations';
import { z } from 'zod';
import { fieldDetails, generateNonce, toPaymentOrdersError, verifyPaymentOrdersWebhook, webhookSignature } from '../../lib/providers/payment-orders';
import { WEBHOOK_EVENTS } from '../../lib/providers/payment-orders/schemas';
import { BearerSession } from '../../lib/providers/payment-orders/session';
import { paymentOrderStatusTable, paymentOrdersStatusTables, transactionStatusTable, webhookEventTable } from '../../lib/providers/payment-orders/status';
import { mapStatus } from '../../lib/status';

const SECRET = 'test_secret';
const sign = (body: string, secret = SECRET): string => createHmac('sha256', secret).update(body).digest('hex');

function webhook(event: string, data: Record<string, unknown> = {}): string {
  return JSON.stringify({ event, data: { order_id: 'ORD-abc123def456', transaction_hash: '0xabc', status: 'confirmed', ...data }, timestamp: '2024-01-01T10:15:30Z', webhook_id: 'wh_abc123def456' });
}

describe('payment-orders webhooks (reference §8.3)', () => {
  it('signs the raw body with HMAC-SHA256, lower-case hex (reference test vector)', () => {
    const body = '{"event":"payment.confirmed","data":{"order_id":"ORD-abc123def456"},"timestamp":"2024-01-01T10:15:30Z","webhook_id":"wh_abc123def456"}';
    assert.equal(webhookSignature(SECRET, Buffer.from(body)), '1862455d711a5f6ec86d993c9e9d224e3e378d9a1e2d5be3fe14c552bf32b071');
  });

  it('maps the four events to the shared states, the payment order being the invoice', () => {
    const expected: Record<string, string> = { 'payment.pending': 'confirming', 'payment.confirmed': 'completed', 'payment.failed': 'failed', 'order.expired': 'expired' };
    for (const event of WEBHOOK_EVENTS) {
      const body = webhook(event);
      const verified = verifyPaymentOrdersWebhook(Buffer.from(body), { 'x-webhook-signature': sign(body) }, { callbackSecret: SECRET });
      assert.equal(verified.meta.state, expected[event], event);
      assert.deepEqual([verified.meta.provider, verified.meta.resource, verified.meta.id, verified.meta.event], ['payment-orders', 'invoice', 'ORD-abc123def456', event]);
      assert.equal((verified.payload as { order_id: string }).order_id, 'ORD-abc123def456');
    }
  });

  it('identifies a delivery by order, event and transaction, whatever webhook_id a retry carries', () => {
    const first = webhook('payment.confirmed');
    const retry = first.replace('wh_abc123def456', 'wh_zzzzzzzzzzzz').replace('10:15:30', '10:16:30');
    const a = verifyPaymentOrdersWebhook(Buffer.from(first), { 'x-webhook-signature': sign(first) }, { callbackSecret: SECRET });
    const b = verifyPaymentOrdersWebhook(Buffer.from(retry), { 'x-webhook-signature': sign(retry).toUpperCase() }, { callbackSecret: SECRET });
    assert.equal(a.dedupeKey, b.dedupeKey);
    const pending = webhook('payment.pending');
    assert.notEqual(verifyPaymentOrdersWebhook(Buffer.from(pending), { 'x-webhook-signature': sign(pending) }, { callbackSecret: SECRET }).dedupeKey, a.dedupeKey);
  });

  it('refuses a missing secret or signature (401) and a wrong one (401)', () => {
    const body = webhook('payment.confirmed');
    const refuse = (raw: string, headers: Record<string, string>, creds = { callbackSecret: SECRET }): CallbackRejectedError => {
      try {
        verifyPaymentOrdersWebhook(Buffer.from(raw), headers, creds);
      } catch (err) {
        assert.ok(err instanceof CallbackRejectedError);
        return err;
      }
      throw new Error('accepted');
    };
    assert.equal(refuse(body, { 'x-webhook-signature': sign(body) }, { callbackSecret: '' }).httpStatus, 401);
    assert.match(refuse(body, {}).message, /no X-Webhook-Signature/);
    assert.equal(refuse(body, { 'x-webhook-signature': sign(body, 'other') }).code, 'bad_signature');
    assert.equal(refuse(body, { 'x-webhook-signature': `sha256=${sign(body)}` }).code, 'bad_signature');
    assert.equal(refuse(`${body} `, { 'x-webhook-signature': sign(body) }).code, 'bad_signature', 'one byte more is another body');
  });

  it('hands a verified webhook it cannot read to Catch (unexpected), with the parsed body, the raw text when it is not JSON, and a stable duplicate key', () => {
    const verify = (raw: string) => verifyPaymentOrdersWebhook(Buffer.from(raw), { 'x-webhook-signature': sign(raw) }, { callbackSecret: SECRET });
    const unknown = webhook('payment.refunded');
    const a = verify(unknown);
    assert.equal(a.unexpected?.code, 'unexpected_callback');
    assert.match(a.unexpected.message, /CryptoPay payment orders callback is correctly signed, but it is not a payment-order event \(event: /);
    assert.deepEqual(a.payload, JSON.parse(unknown));
    assert.deepEqual([a.meta.provider, a.meta.resource, a.meta.id, a.meta.event, a.meta.state], ['payment-orders', 'invoice', 'ORD-abc123def456', 'payment.refunded', null]);
    assert.equal(verify(unknown).dedupeKey, a.dedupeKey, 'the same delivery again is a duplicate');
    assert.notEqual(verify(webhook('payment.voided')).dedupeKey, a.dedupeKey);
    const text = verify('not json');
    assert.equal(text.payload, 'not json');
    assert.match(text.unexpected!.message, /its body is not JSON/);
    assert.equal(text.meta.event, 'unknown');
    for (const name of ['constructor', 'toString', '__proto__']) {
      const odd = JSON.stringify({ event: name, data: { order_id: name }, timestamp: 'x' });
      assert.equal(verify(odd).unexpected?.code, 'unexpected_callback', name);
    }
  });
});

describe('payment-orders errors', () => {
  it('turns DRF field errors into one detail per message, the gateway’s code verbatim', () => {
    const err = toPaymentOrdersError(
      400,
      JSON.stringify({
        success: false,
        error: { code: 'VALIDATION_ERROR', message: 'Invalid request data', details: { amount: ['This field is required.'], nonce: ['payment order with this nonce already exists.'], non_field_errors: ['Bad.'] } },
        timestamp: '2024-01-01T10:00:00Z',
      }),
    );
    assert.equal(err.code, 'VALIDATION_ERROR');
    assert.deepEqual(err.details, [
      { code: 'required', field: 'amount', message: 'This field is required.' },
      { code: 'invalid', field: 'nonce', message: 'payment order with this nonce already exists.' },
      { code: 'invalid', message: 'Bad.' },
    ]);
    assert.equal(err.message, 'CryptoPay payment orders rejected the request: 400 VALIDATION_ERROR - Invalid request data: amount This field is required.; nonce payment order with this nonce already exists.; Bad.');
    assert.equal(err.retryable, false);
  });

  it('falls back to a code from the HTTP status when there is no envelope', () => {
    assert.equal(toPaymentOrdersError(429, '<html>').code, 'RATE_LIMIT_EXCEEDED');
    assert.equal(toPaymentOrdersError(400, '').code, 'VALIDATION_ERROR');
    assert.equal(toPaymentOrdersError(401, '{"success":false,"error":{"code":"Some_Code"}}').code, 'Some_Code', 'verbatim, whatever the spelling');
    assert.equal(toPaymentOrdersError(429, '<html>').retryable, true);
    assert.equal(toPaymentOrdersError(502, '').code, 'http_502');
    assert.match(toPaymentOrdersError(401, '', 'check the API key').message, /\(check the API key\)/);
    assert.deepEqual(fieldDetails(['not', 'a', 'dict']), []);
  });
});

describe('payment-orders status tables', () => {
  it('maps every order and transaction status; a detected payment makes a pending order confirming', () => {
    assert.equal(mapStatus(paymentOrderStatusTable, { status: 'pending', object: { transaction: null } }).state, 'pending');
    assert.equal(mapStatus(paymentOrderStatusTable, { status: 'pending', object: { transaction: { status: 'pending' } } }).state, 'confirming');
    assert.deepEqual(['confirmed', 'failed', 'expired'].map((status) => mapStatus(paymentOrderStatusTable, { status }).state), ['completed', 'failed', 'expired']);
    assert.deepEqual(['pending', 'confirmed', 'failed'].map((status) => mapStatus(transactionStatusTable, { status }).state), ['confirming', 'completed', 'failed']);
    assert.equal(webhookEventTable.rules.length, WEBHOOK_EVENTS.length);
    assert.equal(paymentOrdersStatusTables.length, 3);
    assert.throws(() => mapStatus(paymentOrderStatusTable, { status: 'refunded' }), /no shared state/);
  });
});

describe('payment-orders bearer session', () => {
  it('logs in once for concurrent requests and once per rejected token', async () => {
    let logins = 0;
    const session = new BearerSession({ username: 'u', password: 'p' }, async () => {
      logins += 1;
      await new Promise((r) => setTimeout(r, 5));
      return `token-${logins}`;
    });
    const first = await Promise.all([session.current(), session.current(), session.current()]);
    assert.deepEqual(first, ['token-1', 'token-1', 'token-1']);
    assert.equal(logins, 1);
    const renewed = await Promise.all([session.renew('token-1'), session.renew('token-1')]);
    assert.deepEqual(renewed, ['token-2', 'token-2']);
    assert.equal(logins, 2);
    // A request that still held the old token gets the new one without another login.
    assert.equal(await session.renew('token-1'), 'token-2');
    assert.equal(logins, 2);
  });

  it('cannot renew an API key without a username and password; with them, a refused key leads to a login', async () => {
    const keyOnly = new BearerSession({ apiKey: 'k' }, () => Promise.reject(new Error('no')));
    assert.equal(await keyOnly.current(), 'k');
    assert.equal(await keyOnly.renew('k'), undefined);
    const both = new BearerSession({ apiKey: 'k', username: 'u', password: 'p' }, () => Promise.resolve('t'));
    assert.equal(await both.current(), 'k');
    assert.equal(await both.renew('k'), 't');
    assert.equal(both.isApiKey('k'), true);
    assert.equal(both.isApiKey('t'), false);
  });

  it('forgets a failed login, so the next request tries again', async () => {
    let calls = 0;
    const session = new BearerSession({ username: 'u', password: 'p' }, () => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve('t')));
    await assert.rejects(session.current(), /down/);
    assert.equal(await session.current(), 't');
  });
});

describe('payment-orders fields and nonces', () => {
  const input = z.object({ order_info: fields.jsonText({ label: 'Order info' }), events: fields.stringList({ label: 'Events', options: ['a', 'b'] }).optional() });

  it('encodes an order_info object and keeps JSON text; refuses text that is not JSON', () => {
    assert.equal(parseInput('t', input, { order_info: { product: 'Premium', quantity: 1 } }).order_info, '{"product":"Premium","quantity":1}');
    assert.equal(parseInput('t', input, { order_info: '{"a": 1}' }).order_info, '{"a": 1}');
    assert.throws(() => parseInput('t', input, { order_info: '{a' }), /order_info must be an object, or text that is valid JSON/);
  });

  it('reads a list from an array or from names separated by commas, only known names', () => {
    assert.deepEqual(parseInput('t', input, { order_info: '{}', events: 'a, b' }).events, ['a', 'b']);
    assert.deepEqual(parseInput('t', input, { order_info: '{}', events: ['b'] }).events, ['b']);
    assert.throws(() => parseInput('t', input, { order_info: '{}', events: ['c'] }), /must be one of a, b/);
    assert.throws(() => parseInput('t', input, { order_info: '{}', events: '' }), /must name at least one/);
  });

  it('generates whole, safe, strictly increasing nonces that read as Unix microseconds', () => {
    const now = Date.UTC(2024, 0, 1);
    const nonces = Array.from({ length: 50 }, () => generateNonce(now));
    for (let i = 1; i < nonces.length; i++) assert.ok(nonces[i]! > nonces[i - 1]!);
    assert.ok(nonces.every((n) => Number.isSafeInteger(n)));
    assert.ok(generateNonce() >= Date.now() * 1000 - 1000);
  });
});
