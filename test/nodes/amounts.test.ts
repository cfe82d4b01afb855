/**
 * What Paywire checks before sending money: every money field of every provider refuses a bad
 * amount with invalid_input naming the field, the value and how to pass it, and nothing reaches
 * the gateway (a recording proxy in front of each emulator sees every request); an accepted
 * amount is sent as exactly the decimal meant, in plain notation, end to end through each
 * provider's create at its finest precision.
 */
import assert from 'node:assert/strict';
import type { CpgEmulator } from '../../emulator/cpg';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { PROVIDERS } from '../../lib/providers';
import { describeFields } from '../../lib/operations';
import { PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { cpgCredentials, gatewayCredentials, startCpgEmulator, startCryptopayEmulator } from '../support/emulator';
import { actionNode, actionNodeSuite } from '../support/flows';
import type { Msg } from '../support/flows';
import { startRecordingProxy } from '../support/recording-proxy';
import type { RecordingProxy } from '../support/recording-proxy';

const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const PO_LOGIN = { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET };

/** Values no money field may send, and what the message must say about each. */
const REFUSED: Array<[string, unknown, RegExp]> = [
  ['a negative string', '-5.00', /"-5\.00" is not a decimal amount \(a negative amount is not accepted\)/],
  ['a negative number', -5, /-5 is negative/],
  ['zero as a string', '0', /"0" is zero; the amount must be greater than 0/],
  ['zero as a number', 0, /0 is zero/],
  ['0.1 + 0.2', 0.1 + 0.2, /0\.30000000000000004 has 17 significant digits as a number/],
  ['exponent text', '1e-7', /"1e-7" is not a decimal amount/],
  ['a comma', '1,5', /"1,5" is not a decimal amount/],
  ['words', 'ten', /"ten" is not a decimal amount/],
  ['NaN', Number.NaN, /is NaN, not an amount/],
  ['Infinity', Number.POSITIVE_INFINITY, /is Infinity, not an amount/],
  ['a boolean', true, /is true, not an amount/],
  ['an object', { value: '1' }, /is an object, not an amount/],
  ['19 decimal places', '1.1234567890123456789', /"1\.1234567890123456789" has 19 decimal places; this gateway takes at most 18/],
];

interface ProviderRig {
  id: string;
  gateway: { url: string };
  creds: Record<string, string>;
  proxy: RecordingProxy;
  stop(): Promise<void>;
}

async function rig(id: string): Promise<ProviderRig> {
  let emulator: CryptopayEmulator | CpgEmulator | PaymentOrdersEmulator;
  let creds: Record<string, string>;
  if (id === 'cryptopay') {
    emulator = await startCryptopayEmulator();
    creds = gatewayCredentials();
  } else if (id === 'cpg') {
    emulator = await startCpgEmulator();
    creds = cpgCredentials();
  } else {
    emulator = await startPoEmulator();
    creds = PO_LOGIN;
  }
  const proxy = await startRecordingProxy(emulator.url);
  return { id, gateway: { url: proxy.url }, creds, proxy, stop: async () => Promise.all([proxy.close(), emulator.stop()]).then(() => undefined) };
}

/** Every money field (kind `decimal`) of every operation of every provider. */
function moneyFields(providerId: string): Array<{ resource: string; operation: string; field: string }> {
  const provider = PROVIDERS[providerId]!;
  return Object.entries(provider.operations).flatMap(([resource, ops]) =>
    ops.flatMap((op) => describeFields(op.input).filter((f) => f.kind === 'decimal').map((f) => ({ resource, operation: op.name, field: f.name }))),
  );
}

describe('What Paywire checks before sending money', function () {
  this.timeout(120_000);
  const suite = actionNodeSuite();

  it('every field whose name says amount is a checked money field, on every provider', () => {
    for (const [providerId, provider] of Object.entries(PROVIDERS)) {
      for (const [resource, ops] of Object.entries(provider.operations)) {
        for (const op of ops) {
          for (const f of describeFields(op.input)) {
            if (/amount/.test(f.name) && f.name !== 'amount_currency' && !/^amount_includes/.test(f.name)) {
              assert.equal(f.kind, 'decimal', `${providerId} ${resource} ${op.name}: ${f.name} is not checked as money`);
            }
          }
        }
      }
    }
    assert.deepEqual(
      Object.keys(PROVIDERS).map((p) => [p, moneyFields(p).length]),
      [
        ['cryptopay', 8],
        ['cpg', 1],
        ['payment-orders', 1],
      ],
      'invoice price_amount, four payout amount modes, subscription amount, two exchange amounts; CPG payout amount; order amount',
    );
  });

  for (const providerId of ['cryptopay', 'cpg', 'payment-orders']) {
    it(`${providerId}: each refused amount in each money field is invalid_input naming field, value and how to pass it; no request reaches the gateway`, async () => {
      const r = await rig(providerId);
      try {
        for (const { resource, operation, field } of moneyFields(providerId)) {
          await suite.node?.close();
          suite.node = await actionNode(r.gateway, 'paywire-api', { resource, operation }, r.creds, providerId);
          for (const [what, value, message] of REFUSED) {
            if (providerId === 'cryptopay' && what === '19 decimal places') continue;
            const { out, error } = await suite.node.send({ payload: { [field]: value } });
            assert.equal(out, undefined, `${resource} ${operation} ${field} = ${what} was accepted`);
            assert.equal(error!.error.code, 'invalid_input', `${field} = ${what}`);
            assert.match(error!.error.message, new RegExp(`${field} ${message.source}`), `${field} = ${what}`);
            assert.match(error!.error.message, /pass the amount as a decimal string, e\.g\. "10\.50"/);
          }
          // Finer than the gateway's precision: Cryptopay takes 9 places, CPG and payment orders 18.
          const tooFine = providerId === 'cryptopay' ? '1.0123456789' : '1.0123456789012345678';
          const { error } = await suite.node.send({ payload: { [field]: tooFine } });
          assert.match(error!.error.message, new RegExp(`${field} "${tooFine.replace('.', '\\.')}" has ${providerId === 'cryptopay' ? 10 : 19} decimal places; this gateway takes at most ${providerId === 'cryptopay' ? 9 : 18}: round it`));
        }
        assert.deepEqual(r.proxy.requests, [], 'not one request reached the gateway');
      } finally {
        await r.stop();
      }
    });
  }

  it('cryptopay: 10.5 is sent as "10.5", 1e-7 as "0.0000001", and 9 decimal places (SOL) go through create end to end', async () => {
    const r = await rig('cryptopay');
    try {
      suite.node = await actionNode(r.gateway, 'paywire-invoice', { operation: 'create' }, r.creds);
      const sent = (): unknown[] => r.proxy.bodiesTo('POST', '/api/invoices').map((b) => b.price_amount);
      const { out } = await suite.node.send({ payload: { price_amount: 10.5, price_currency: 'EUR', pay_currency: 'BTC' } });
      assert.equal(out!.payload.price_amount, '10.5');
      await suite.node.send({ payload: { price_amount: 1e-7, price_currency: 'BTC', pay_currency: 'BTC' } });
      const fine = await suite.node.send({ payload: { price_amount: '1.123456789', price_currency: 'SOL', pay_currency: 'SOL' } });
      assert.equal(fine.error, undefined, fine.error?.error?.message);
      assert.equal(fine.out!.payload.price_amount, '1.123456789');
      assert.deepEqual(sent(), ['10.5', '0.0000001', '1.123456789']);
      assert.ok(r.proxy.requests.every((q) => !/\d[eE][+-]?\d/.test(q.body)), 'no amount left in exponent form');
    } finally {
      await r.stop();
    }
  });

  it('cpg: an 18-decimal ETH payout is sent exactly and created end to end; 10.5 as "10.5"', async () => {
    const r = await rig('cpg');
    try {
      suite.node = await actionNode(r.gateway, 'paywire-withdraw', { operation: 'create' }, r.creds, 'cpg');
      const amount = '0.123456789012345678';
      const { out, error } = await suite.node.send({ payload: { currency: 'ETH', network: 'ETH', to_address: TO, amount } });
      assert.equal(error, undefined, error?.error?.message);
      assert.equal(out!.payload.amount_decimal, '0.123456789012345678');
      const ten = await suite.node.send({ payload: { currency: 'USDT', network: 'ETH', to_address: TO, amount: 10.5 } });
      assert.equal(ten.out!.payload.amount_decimal, '10.500000');
      assert.deepEqual(r.proxy.bodiesTo('POST', '/v1/withdrawals').map((b) => b.amount), [amount, '10.5']);
    } finally {
      await r.stop();
    }
  });

  it('payment orders: an 18-decimal order amount is sent exactly and created end to end; 10.5 as "10.5"', async () => {
    const r = await rig('payment-orders');
    try {
      suite.node = await actionNode(r.gateway, 'paywire-invoice', { operation: 'create' }, r.creds, 'payment-orders');
      const amount = '10.123456789012345678';
      const { out, error } = await suite.node.send({ payload: { amount, currency: 'ETH', blockchain: 'ethereum', order_info: { sku: 1 } } });
      assert.equal(error, undefined, error?.error?.message);
      assert.equal(out!.payload.amount, amount);
      const ten = await suite.node.send({ payload: { amount: 10.5, currency: 'USDC', blockchain: 'base', order_info: {} } });
      assert.equal((ten.out as Msg).payload.amount, '10.5');
      assert.deepEqual(r.proxy.bodiesTo('POST', '/api/payment-orders/').map((b) => b.amount), [amount, '10.5']);
    } finally {
      await r.stop();
    }
  });
});
