/**
 * A create sent again under the same idempotency key reports the object that key made only
 * when it is what was asked for; any difference in amount (in the amount mode used), currency,
 * address, network or customer reaches Catch as idempotency_conflict naming both values, with
 * no success output, and nothing is paid twice. Every provider, every create that replays.
 */
import assert from 'node:assert/strict';
import type { CpgEmulator, CpgEmulatorOptions } from '../../emulator/cpg';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { PO_PASSWORD, PO_USER, startPoEmulator } from '../emulator/po-helpers';
import { cpgCredentials, startCpgEmulator, startCryptopayEmulator } from '../support/emulator';
import { actionNode, actionNodeSuite, retryOf } from '../support/flows';
import type { ActionHarness, Msg } from '../support/flows';

const BTC_ADDRESS = '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ';
const OTHER_BTC_ADDRESS = '2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm';
const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

/** Sends a message to `node` expected to be refused as a replay of something else; returns the error message. */
async function conflict(node: ActionHarness, payload: Msg, ...shows: RegExp[]): Promise<string> {
  const outputs = node.outputs.length;
  const { out, error } = await node.send({ payload });
  assert.equal(out, undefined, `reported as done: ${JSON.stringify(out?.payload)}`);
  assert.equal(error!.error.code, 'idempotency_conflict', String(error!.error.message));
  for (const pattern of shows) assert.match(error!.error.message, pattern);
  assert.match(error!.error.message, /Nothing was created or paid again/);
  assert.equal(node.outputs.length, outputs, 'no success output');
  return String(error!.error.message);
}

describe('replays compare what matters', function () {
  const suite = actionNodeSuite();
  let node: ActionHarness;

  describe('Cryptopay', () => {
    let emulator: CryptopayEmulator;
    beforeEach(async () => {
      emulator = await startCryptopayEmulator();
    });
    afterEach(async () => {
      await emulator.stop();
    });

    const payout = (extra: Msg = {}): Msg => ({
      address: BTC_ADDRESS,
      charged_currency: 'EUR',
      received_currency: 'BTC',
      network: 'bitcoin',
      charged_amount: '100.0',
      custom_id: 'payout-1',
      customer_id: 'cust-1',
      force_commit: true,
      ...extra,
    });

    it('a payout replay: the same payout is reported as replayed; a different amount (in its mode), currency, address, network or customer is a conflict; paid once', async () => {
      node = suite.node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
      const { out: first } = await node.send({ payload: payout() });
      const balance = emulator.balances().EUR;
      const { out: again, error } = await node.send({ payload: payout({ charged_amount: '100' }) });
      assert.equal(error, undefined, error?.error?.message);
      assert.equal(again!.payload.id, first!.payload.id);
      assert.equal(again!.paywire.replayed, true, '"100" is "100.0"');
      await conflict(node, payout({ charged_amount: '50.0' }), /custom_id "payout-1" already belongs to withdrawal [0-9a-f-]{36}/, /charged_amount: this request 50\.0, existing 100\.0/);
      await conflict(node, payout({ charged_amount: '100.01' }), /charged_amount: this request 100\.01, existing 100\.0/);
      await conflict(node, payout({ charged_currency: 'USD' }), /charged_currency: this request "USD", existing "EUR"/);
      await conflict(node, payout({ address: OTHER_BTC_ADDRESS }), new RegExp(`address: this request "${OTHER_BTC_ADDRESS}", existing "${BTC_ADDRESS}"`));
      await conflict(node, payout({ network: 'bnb_smart_chain', address: TO }), /address: this request "0x5aAeb.*; network: this request "bnb_smart_chain", existing "bitcoin"/);
      await conflict(node, payout({ customer_id: 'cust-2' }), /customer_id: this request "cust-2", existing "cust-1"/);
      await conflict(node, payout({ customer_id: undefined }), /customer_id: this request none, existing "cust-1"/);
      await conflict(node, payout({ charged_amount: undefined, received_amount: '0.00331433' }), /received_amount: this request 0\.00331433, existing 0\.\d+/);
      assert.equal(emulator.balances().EUR, balance, 'nothing was paid again');
    });

    it('a payout whose amount mode the withdrawal does not show is not reported as done (duplicate_custom_id), nor is an uncommitted one with a network', async () => {
      node = suite.node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
      const toSend = payout({ custom_id: 'payout-2', charged_amount: undefined, charged_amount_to_send: '50' });
      await node.send({ payload: toSend });
      const { out, error } = await node.send({ payload: toSend });
      assert.equal(out, undefined);
      assert.equal(error!.error.code, 'duplicate_custom_id');
      assert.match(error!.error.message, /already belongs to withdrawal [0-9a-f-]{36}, which does not show its charged_amount_to_send, so Paywire cannot tell whether it is this request/);
      const twoStep = payout({ custom_id: 'payout-3', force_commit: false });
      await node.send({ payload: twoStep });
      const second = await node.send({ payload: twoStep });
      assert.equal(second.error!.error.code, 'duplicate_custom_id');
      assert.match(second.error!.error.message, /does not show its network/);
      const { out: withoutNetwork } = await node.send({ payload: { ...twoStep, network: undefined } });
      assert.equal(withoutNetwork!.paywire.replayed, true, 'without a network asked for, the uncommitted payout is the same');
    });

    it('an invoice replay compares the amount, both currencies, the network (when named) and the customer', async () => {
      node = suite.node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' });
      const invoice = { price_amount: '25.00', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'inv-1', customer_id: 'c-9' };
      const { out: first } = await node.send({ payload: invoice });
      const { out: again } = await node.send({ payload: { ...invoice, price_amount: '25', network: first!.payload.network } });
      assert.equal(again!.paywire.replayed, true);
      await conflict(node, { ...invoice, price_amount: '25.01' }, /price_amount: this request 25\.01, existing 25\.0/);
      await conflict(node, { ...invoice, pay_currency: 'ETH' }, /pay_currency: this request "ETH", existing "BTC"/);
      await conflict(node, { ...invoice, network: 'bnb_smart_chain' }, /network: this request "bnb_smart_chain", existing "bitcoin"/);
      await conflict(node, { ...invoice, customer_id: 'c-10' }, /customer_id: this request "c-10", existing "c-9"/);
    });

    it('channel, subscription and exchange transfer replays compare what they move', async () => {
      node = suite.node = await actionNode(emulator, 'paywire-api', { resource: 'channel', operation: 'create' });
      const channel = { name: 'Tips', pay_currency: 'BTC', receiver_currency: 'EUR', custom_id: 'ch-1' };
      await node.send({ payload: channel });
      assert.equal((await node.send({ payload: channel })).out!.paywire.replayed, true);
      await conflict(node, { ...channel, receiver_currency: 'USD' }, /receiver_currency: this request "USD", existing "EUR"/);
      await node.close();

      node = suite.node = await actionNode(emulator, 'paywire-api', { resource: 'subscription', operation: 'create' });
      const startsAt = new Date(Date.now() + 5 * 24 * 3600_000).toISOString();
      const subscription = { name: 'Plan', amount: '9.99', currency: 'EUR', period: 'month', period_quantity: 1, starts_at: startsAt, payer_email: 'payer@example.com', custom_id: 'sub-1' };
      await node.send({ payload: subscription });
      assert.equal((await node.send({ payload: subscription })).out!.paywire.replayed, true);
      await conflict(node, { ...subscription, amount: '19.99' }, /amount: this request 19\.99, existing 9\.99/);
      await conflict(node, { ...subscription, period: 'year' }, /period: this request "year", existing "month"/);
      await node.close();

      node = suite.node = await actionNode(emulator, 'paywire-api', { resource: 'exchange_transfer', operation: 'create' });
      const transfer = { charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '30', custom_id: 'ex-1', force_commit: true };
      const { out: made } = await node.send({ payload: transfer });
      const balance = emulator.balances().EUR;
      const { out: replayed, error } = await node.send({ payload: transfer });
      assert.equal(error, undefined, error?.error?.message);
      assert.deepEqual([replayed!.payload.id, replayed!.paywire.replayed, replayed!.paywire.state], [made!.payload.id, true, 'completed']);
      await conflict(node, { ...transfer, charged_amount: '31' }, /custom_id "ex-1" already belongs to exchange transfer [0-9a-f-]{36}.*charged_amount: this request 31, existing 30\.0/);
      assert.equal(emulator.balances().EUR, balance, 'converted once');
      // An uncommitted transfer has no ledger rows: reported, never redone.
      const twoStep = { ...transfer, custom_id: 'ex-2', force_commit: false };
      await node.send({ payload: twoStep });
      const uncommitted = await node.send({ payload: twoStep });
      assert.equal(uncommitted.error!.error.code, 'duplicate_custom_id');
      assert.match(uncommitted.error!.error.message, /not among the newest ledger rows/);
    });
  });

  describe('CPG', () => {
    let emulator: CpgEmulator;
    const start = async (options: CpgEmulatorOptions = {}): Promise<void> => {
      emulator = await startCpgEmulator(options);
      node = suite.node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' }, cpgCredentials(), 'cpg');
    };
    afterEach(async () => {
      await emulator.stop();
    });
    const payout = (extra: Msg = {}): Msg => ({ currency: 'USDT', network: 'ETH', to_address: TO, amount: '50.00', client_reference: 'cpg-payout-1', ...extra });
    const held = (): string => String(emulator.balances().find((b) => b.currency === 'USDT' && b.network === 'ETH')!.held);

    it('the gateway refuses a different payout on a used client_reference; Paywire reports it as idempotency_conflict', async () => {
      await start();
      await node.send({ payload: payout() });
      const { out } = await node.send({ payload: payout({ amount: '50' }) });
      assert.equal(out!.payload.withdrawal_id, node.outputs[0]!.payload.withdrawal_id);
      const { error } = await node.send({ payload: payout({ amount: '49.00' }) });
      assert.equal(error!.error.code, 'idempotency_conflict');
      assert.equal(held(), '55.000000', 'held once');
    });

    for (const shape of ['first-answer', 'stored-withdrawal'] as const) {
      it(`a gateway that replays by key alone (${shape === 'first-answer' ? 'the POST answer' : 'the stored withdrawal in the GET shape'}): Paywire compares amount, currency, network and address itself`, async () => {
        await start({ replayChecksBody: false, withdrawalReplayShape: shape });
        const { out: first } = await node.send({ payload: payout() });
        const id = String(first!.payload.withdrawal_id);
        const { out: again, error } = await node.send({ payload: payout({ amount: '50' }) });
        assert.equal(error, undefined, error?.error?.message);
        assert.equal(again!.paywire.id, id);
        if (shape === 'stored-withdrawal') {
          assert.equal(again!.paywire.replayed, true, 'the GET shape can only be a replay');
          assert.deepEqual([again!.payload.id, again!.payload.amount], [Number(id), '50.000000']);
        }
        await conflict(node, payout({ amount: '49.99' }), new RegExp(`client_reference "cpg-payout-1" already belongs to withdrawal ${id}`), /amount: this request 49\.99, existing 50\.000000/);
        await conflict(node, payout({ to_address: '0x1111111111111111111111111111111111111111' }), /to_address: this request "0x1111111111111111111111111111111111111111", existing "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"/);
        await conflict(node, payout({ currency: 'ETH' }), /currency: this request "ETH", existing "USDT"/);
        assert.equal(held(), '55.000000', 'held once: nothing was paid again');
        assert.equal(node.outputs.length, 2);
      });
    }

    it('a deposit-address replay for other details is not that address', async () => {
      await start({ replayChecksBody: false });
      await node.close();
      node = suite.node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' }, cpgCredentials(), 'cpg');
      const address = { currency: 'USDT', network: 'ETH', user_identifier: 'u-1', idempotency_key: 'dep-1' };
      await node.send({ payload: address });
      assert.equal((await node.send({ payload: address })).out!.payload.user_identifier, 'u-1');
      await conflict(node, { ...address, currency: 'ETH' }, /idempotency_key "dep-1" already belongs to deposit request \d+.*currency: this request "ETH", existing "USDT"/);
      await conflict(node, { ...address, user_identifier: 'u-2' }, /user_identifier: this request "u-2", existing "u-1"/);
    });
  });

  describe('payment orders', () => {
    let emulator: PaymentOrdersEmulator;
    beforeEach(async () => {
      emulator = await startPoEmulator();
    });
    afterEach(async () => {
      await emulator.stop();
    });

    it('an order sent again on its nonce after a lost answer: the same order is reported as replayed, a different amount, currency or chain is a conflict', async () => {
      node = suite.node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' }, { username: PO_USER, password: PO_PASSWORD }, 'payment-orders');
      emulator.injectFault({ method: 'POST', path: /^\/api\/payment-orders\/$/, mode: 'drop_after_commit' });
      const order = { amount: '25.00', currency: 'USDC', blockchain: 'base', order_info: { sku: 'A' } };
      const { error: lost } = await node.send({ payload: { ...order } });
      assert.equal(lost!.error.code, 'network_error');
      const nonce = lost!.payload.nonce as number;
      assert.match(lost!.error.message, new RegExp(`look it up before sending this message again, with "List payment orders" \\(paywire-invoice\\) and nonce ${nonce}`));
      assert.equal(emulator.requests().filter((r) => r.method === 'POST' && r.path === '/api/payment-orders/').length, 1, 'not sent again by itself');
      const { out } = await node.send(retryOf(lost!));
      assert.equal(out!.paywire.replayed, true);
      await conflict(node, { ...order, nonce, amount: '25.50' }, new RegExp(`nonce "${nonce}" already belongs to order ORD-\\w+`), /amount: this request 25\.50, existing 25\.00/);
      await conflict(node, { ...order, nonce, currency: 'USDT' }, /currency: this request "USDT", existing "USDC"/);
      await conflict(node, { ...order, nonce, blockchain: 'polygon' }, /blockchain: this request "polygon", existing "base"/);
      // The lost one made the order; every later create was refused for its used nonce.
      const creates = emulator.requests().filter((r) => r.method === 'POST' && r.path === '/api/payment-orders/').map((r) => r.status);
      assert.deepEqual(creates, [0, 400, 400, 400, 400]);
    });
  });
});
