import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import {
  accountSchema,
  channelPaymentSchema,
  channelSchema,
  coinSchema,
  coinWithdrawalSchema,
  customerSchema,
  exchangeTransferSchema,
  invoiceRecalculationSchema,
  invoiceRefundSchema,
  invoiceSchema,
  networkFeeSchema,
  rateSchema,
  ratesSchema,
  riskSchema,
  subscriptionSchema,
  transactionSchema,
} from '../../lib/providers/cryptopay/schemas';
import type { ResultItem } from '../../lib/operations';
import { toGatewayError } from '../../lib/providers/cryptopay/client';
import { channelPaymentItem, invoiceItem, subscriptionItem, transactionItem, withdrawalItem } from '../../lib/providers/cryptopay/operations';
import { verifyCryptopayCallback } from '../../lib/providers/cryptopay/callbacks';
import { cryptopayCallbacks, cryptopayRecordings } from '../support/fixtures';

type Expected = readonly [state: string, reason: string | null, final: boolean];

/**
 * What each recorded status means, written from Cryptopay's documentation (reference §6: invoice,
 * channel payment, payout and subscription statuses, the ledger's reference types), not read from
 * lib/: every recorded object must map to exactly its line here.
 */
const EXPECTED: Readonly<Record<string, Expected>> = {
  'Invoice new': ['pending', null, false],
  'Invoice new, transaction seen': ['confirming', null, false],
  'Invoice completed': ['completed', null, true],
  'Invoice unresolved/underpaid': ['action_required', 'underpaid', false],
  'Invoice unresolved/overpaid': ['action_required', 'overpaid', false],
  'Invoice unresolved/paid_late': ['action_required', 'paid_late', false],
  'Invoice refunded': ['refunded', null, true],
  'Invoice cancelled': ['cancelled', null, true],
  'ChannelPayment completed': ['completed', null, true],
  'ChannelPayment on_hold/channel_disabled': ['action_required', 'channel_disabled', false],
  'ChannelPayment on_hold/illicit_resource': ['action_required', 'high_risk', false],
  'CoinWithdrawal new': ['pending', 'awaiting_commit', false],
  'CoinWithdrawal pending': ['pending', null, false],
  'CoinWithdrawal processing': ['confirming', null, false],
  'CoinWithdrawal sent': ['confirming', null, false],
  'CoinWithdrawal completed': ['completed', null, true],
  'CoinWithdrawal on_hold': ['action_required', 'on_hold', false],
  'CoinWithdrawal cancelled': ['cancelled', null, true],
  'Subscription active': ['pending', null, false],
  'Subscription cancelled': ['cancelled', null, true],
  'CoinDeposit completed': ['completed', null, true],
  'BankWithdrawal pending': ['pending', null, false],
  // Ledger rows without a status are movements that happened.
  'ExchangeTransfer (none)': ['completed', null, true],
  'InvoiceRefund (none)': ['completed', null, true],
};

/** The line of EXPECTED a recorded object belongs to. */
function expectationKey(kind: string, object: Record<string, unknown>): string {
  const status = object.status;
  if (status === null || status === undefined) return `${kind} (none)`;
  const context = typeof object.status_context === 'string' ? `/${object.status_context}` : '';
  const seen = kind === 'Invoice' && status === 'new' && Array.isArray(object.transactions) && object.transactions.length > 0 ? ', transaction seen' : '';
  return `${kind} ${typeof status === 'string' ? status : JSON.stringify(status)}${context}${seen}`;
}

const checked = { objects: 0 };

function assertExpectedState(kind: string, object: Record<string, unknown>, mapped: ResultItem): void {
  const key = expectationKey(kind, object);
  const want = EXPECTED[key];
  assert.ok(want, `no expectation for a recorded "${key}"`);
  assert.deepEqual([mapped.meta.state, mapped.meta.reason, mapped.meta.final], [...want], `${key} (${String(object.id)})`);
  checked.objects += 1;
}

function schemaFor(uri: string, method: string): z.ZodType | undefined {
  const path = new URL(uri).pathname;
  if (/\/recalculations(\/[^/]+\/commit)?$/.test(path)) return invoiceRecalculationSchema;
  if (/\/refunds$/.test(path)) return invoiceRefundSchema;
  if (/^\/api\/invoices(\/custom_id\/[^/]+|\/[0-9a-f-]{36})?$/.test(path) && (method === 'GET' || method === 'POST')) return invoiceSchema;
  return undefined;
}

describe('Cryptopay schemas against every recorded invoice response', () => {
  const recordings = cryptopayRecordings().filter((r) => r.name.startsWith('invoices/'));

  it('finds the invoice recordings', () => {
    assert.ok(recordings.length >= 18, `only ${recordings.length} invoice recordings`);
  });

  for (const rec of recordings) {
    it(`${rec.source} ${rec.name} ${rec.method} ${new URL(rec.uri).pathname}`, () => {
      const schema = schemaFor(rec.uri, rec.method);
      assert.ok(schema, 'no schema chosen for this recording');
      const body = JSON.parse(rec.responseBody) as { data: unknown };
      const items = Array.isArray(body.data) ? body.data : [body.data];
      assert.ok(items.length > 0);
      for (const item of items) {
        const parsed = schema.safeParse(item);
        assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues[0]));
        if (schema === invoiceSchema) {
          // Every recorded invoice maps to the state its documented status means, and amounts stay strings.
          assertExpectedState('Invoice', item as Record<string, unknown>, invoiceItem(item as z.infer<typeof invoiceSchema>));
          assert.equal(typeof (item as { price_amount: unknown }).price_amount, 'string');
        }
      }
    });
  }
});

/** Which schema (and, for objects with a payment state, which mapper) each recorded path uses. */
const RESOURCE_RULES: Array<{ path: RegExp; method?: string; schema: z.ZodType; item?: (x: never) => ResultItem; kind?: string }> = [
  { path: /^\/api\/accounts$/, schema: accountSchema },
  { path: /^\/api\/accounts\/[^/]+\/transactions$/, schema: transactionSchema, item: transactionItem },
  { path: /^\/api\/transactions$/, schema: transactionSchema, item: transactionItem },
  { path: /^\/api\/channels\/[^/]+\/payments(\/[^/]+)?$/, schema: channelPaymentSchema, item: channelPaymentItem, kind: 'ChannelPayment' },
  { path: /^\/api\/channels(\/custom_id\/[^/]+|\/[^/]+)?$/, schema: channelSchema },
  { path: /^\/api\/coin_withdrawals\/network_fees$/, schema: networkFeeSchema },
  { path: /^\/api\/coin_withdrawals(\/custom_id\/[^/]+|\/[^/]+(\/commit)?)?$/, schema: coinWithdrawalSchema, item: withdrawalItem, kind: 'CoinWithdrawal' },
  { path: /^\/api\/coins$/, schema: coinSchema },
  { path: /^\/api\/customers(\/[^/]+)?$/, schema: customerSchema },
  { path: /^\/api\/exchange_transfers(\/[^/]+(\/commit)?)?$/, schema: exchangeTransferSchema },
  { path: /^\/api\/rates$/, schema: ratesSchema },
  { path: /^\/api\/rates\/[^/]+\/[^/]+$/, schema: rateSchema },
  { path: /^\/api\/risks\/score$/, schema: riskSchema },
  { path: /^\/api\/subscriptions(\/custom_id\/[^/]+|\/[^/]+(\/cancel)?)?$/, schema: subscriptionSchema, item: subscriptionItem, kind: 'Subscription' },
];

describe('Cryptopay schemas and status mapping against every other recorded response', () => {
  const recordings = cryptopayRecordings().filter((r) => !r.name.startsWith('invoices/') && r.status < 300);

  it('finds recordings of every resource', () => {
    const seen = new Set(recordings.map((r) => new URL(r.uri).pathname.split('/')[2]));
    for (const name of ['accounts', 'channels', 'coin_withdrawals', 'coins', 'customers', 'exchange_transfers', 'rates', 'risks', 'subscriptions', 'transactions']) {
      assert.ok(seen.has(name), `no recording of ${name}`);
    }
  });

  for (const rec of recordings) {
    const path = new URL(rec.uri).pathname;
    it(`${rec.source} ${rec.name} ${rec.method} ${path}`, () => {
      const rule = RESOURCE_RULES.find((r) => r.path.test(path));
      assert.ok(rule, 'no schema chosen for this recording');
      const body = JSON.parse(rec.responseBody) as { data: unknown };
      const items = Array.isArray(body.data) ? body.data : [body.data];
      for (const item of items) {
        const parsed = rule.schema.safeParse(item);
        assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues[0]));
        if (rule.item) {
          // Each recorded object maps to the state its documented status means (ledger rows by their reference type).
          const object = item as Record<string, unknown>;
          assertExpectedState(rule.kind ?? String(object.reference_type), object, rule.item(parsed.data as never));
        }
      }
    });
  }
});

describe('Cryptopay recorded objects, all of them', () => {
  it('checked the documented state of every recorded invoice, payment, payout, subscription and ledger row (441 objects)', () => {
    assert.equal(checked.objects, 441);
  });
});

describe('Cryptopay error envelopes', () => {
  it('turns a recorded-style 422 into a GatewayError with details and request id', () => {
    const err = toGatewayError(
      422,
      JSON.stringify({
        error: {
          code: 'invalid',
          message: 'invalid',
          details: [{ code: 'must_be_uuid', target: 'starting_after', message: 'must match uuid format', args: {} }],
        },
        meta: { request_id: '0123456789abcdef0123456789abcdef' },
      }),
    );
    assert.equal(err.httpStatus, 422);
    assert.equal(err.code, 'invalid');
    assert.deepEqual(err.details[0], { code: 'must_be_uuid', field: 'starting_after', message: 'must match uuid format', args: {} });
    assert.equal(err.requestId, '0123456789abcdef0123456789abcdef');
    assert.match(err.message, /422 invalid.*starting_after must match uuid format.*request 0123456789abcdef/);
    assert.equal(err.retryable, false);
  });

  it('adds a hint only for detail codes it knows: a code named like an Object.prototype member gets none', () => {
    for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const err = toGatewayError(422, JSON.stringify({ error: { code: 'invalid', details: [{ code, target: 'x', message: 'odd' }] } }));
      assert.equal(err.details[0]!.message, 'odd', code);
    }
    assert.match(toGatewayError(422, JSON.stringify({ error: { code: 'invalid', details: [{ code: 'invalid_coin_address', message: 'bad' }] } })).message, /bad \(not a valid address/);
  });

  it('keeps a non-envelope answer typed, retryable on 5xx', () => {
    const err = toGatewayError(503, '<html>maintenance</html>');
    assert.equal(err.code, 'http_503');
    assert.equal(err.retryable, true);
    assert.doesNotMatch(err.message, /html/);
  });
});

describe('Cryptopay callback fixtures', () => {
  const secret = 'fixture-callback-secret';
  const expected: Record<string, { state: string; reason: string | null; final: boolean; resource: string }> = {
    'java-channel-payment-completed.json': { state: 'completed', reason: null, final: true, resource: 'channel_payment' },
    'java-channel-payment-created.json': { state: 'confirming', reason: null, final: false, resource: 'channel_payment' },
    'java-coin-withdrawal-created.json': { state: 'pending', reason: null, final: false, resource: 'withdrawal' },
    'java-coin-withdrawal-status-changed.json': { state: 'completed', reason: null, final: true, resource: 'withdrawal' },
    'java-invoice-status-changed.json': { state: 'completed', reason: null, final: true, resource: 'invoice' },
    'ruby-channel-payment.json': { state: 'completed', reason: null, final: true, resource: 'channel_payment' },
    'ruby-coin-withdrawal.json': { state: 'confirming', reason: null, final: false, resource: 'withdrawal' },
    'ruby-invoice.json': { state: 'completed', reason: null, final: true, resource: 'invoice' },
  };

  for (const fixture of cryptopayCallbacks()) {
    it(`${fixture.file} verifies and maps`, () => {
      // Signed here with node:crypto directly, independently of the code under test.
      const sig = createHmac('sha256', secret).update(fixture.body).digest('hex');
      const result = verifyCryptopayCallback(fixture.body, { 'x-cryptopay-signature': sig }, { callbackSecret: secret });
      const want = expected[fixture.file];
      assert.ok(want, `no expectation for ${fixture.file}`);
      assert.equal(result.meta.state, want.state);
      assert.equal(result.meta.reason, want.reason);
      assert.equal(result.meta.final, want.final);
      assert.equal(result.meta.resource, want.resource);
      assert.equal(result.unexpected, undefined, 'a recorded callback is one Paywire knows');
      assert.equal(result.meta.event, fixture.json.event);
      assert.equal(result.meta.id, fixture.json.data.id);
      assert.deepEqual(result.payload, fixture.json.data);
    });

    it(`${fixture.file} is refused when one byte changes`, () => {
      const sig = createHmac('sha256', secret).update(fixture.body).digest('hex');
      const tampered = Buffer.from(fixture.body);
      tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 1;
      assert.throws(
        () => verifyCryptopayCallback(tampered, { 'x-cryptopay-signature': sig }, { callbackSecret: secret }),
        (err: Error & { httpStatus?: number; code?: string }) => err.httpStatus === 401 && err.code === 'bad_signature',
      );
    });
  }

  it('refuses a callback without a signature, with a wrong one, or without a configured secret', () => {
    const body = Buffer.from('{"type":"Invoice","event":"status_changed","data":{"id":"x"}}');
    const cases: Array<[Record<string, string>, Record<string, string>]> = [
      [{}, { callbackSecret: secret }],
      [{ 'x-cryptopay-signature': 'deadbeef' }, { callbackSecret: secret }],
      [{ 'x-cryptopay-signature': createHmac('sha256', secret).update(body).digest('hex') }, {}],
    ];
    for (const [headers, creds] of cases) {
      assert.throws(() => verifyCryptopayCallback(body, headers, creds), (err: Error & { httpStatus?: number }) => err.httpStatus === 401);
    }
  });

  it('hands a signed body it does not know to Catch (unexpected) with the parsed body: bad JSON, no envelope, an unknown or prototype type, bad data, an unknown status', () => {
    const invoice = cryptopayCallbacks().find((c) => c.file === 'ruby-invoice.json')!.json;
    const cases: Array<[string, RegExp, unknown]> = [
      ['not json', /its body is not JSON/, 'not json'],
      ['{"type":"Invoice"}', /it is not \{type, event, data\}/, { type: 'Invoice' }],
      ['{"type":"Unknown","event":"x","data":{"id":"1"}}', /does not know the type "Unknown"/, { type: 'Unknown', event: 'x', data: { id: '1' } }],
      ['{"type":"Invoice","event":"status_changed","data":{"id":"1"}}', /its Invoice data is not valid/, undefined],
      [JSON.stringify({ ...invoice, data: { ...invoice.data, status: 'disputed' } }), /does not know the Invoice status "disputed"/, undefined],
      [JSON.stringify({ ...invoice, type: 'CoinWithdrawal', data: { ...invoice.data, status: 'queued', charged_amount: '1.0', received_amount: '1.0' } }), /does not know the CoinWithdrawal status "queued"/, undefined],
    ];
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      cases.push([JSON.stringify({ type: name, event: 'x', data: { id: '1' } }), new RegExp(`does not know the type "${name}"`), undefined]);
    }
    cases.push([JSON.stringify({ type: 'T'.repeat(100_000), event: 'x', data: { id: '1' } }), /does not know the type "TTTT+… \(\d+ characters\)/, undefined]);
    for (const [text, problem, payload] of cases) {
      const body = Buffer.from(text);
      const sig = createHmac('sha256', secret).update(body).digest('hex');
      const result = verifyCryptopayCallback(body, { 'x-cryptopay-signature': sig }, { callbackSecret: secret });
      assert.equal(result.unexpected?.code, 'unexpected_callback', text);
      assert.match(result.unexpected.message, problem);
      assert.deepEqual(result.payload, payload ?? JSON.parse(text), 'msg.payload is the whole body as parsed');
      assert.equal(result.meta.state, null);
      assert.ok(result.unexpected.message.length < 500, 'a short message, whatever the body');
      assert.equal(result.dedupeKey, verifyCryptopayCallback(body, { 'x-cryptopay-signature': sig }, { callbackSecret: secret }).dedupeKey);
    }
  });
});
