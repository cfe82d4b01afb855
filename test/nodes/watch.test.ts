/**
 * paywire-watch against the emulators, their clocks sped up 1000×: an invoice paid while the
 * network confirms it is seen as confirming, then completed, each once; beside a callback node
 * each change still reaches the flow once; bad input goes to Catch; msg.watch = false stops;
 * the timeout ends with watch_timeout; payouts, channel payments, CPG deposits and withdrawals
 * and payment orders are followed too; and 1,000 watched invoices stay within the watch's share of the rate limit.
 */
import assert from 'node:assert/strict';
import catchNode from '@node-red/nodes/core/common/25-catch';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import type { CpgEmulator } from '../../emulator/cpg';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { connect, getProvider } from '../../lib/providers';
import { PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { CPG_KEY_ID, CPG_SECRET, EMU_KEY, EMU_SECRET, cpgCredentials, gatewayConfig, gatewayCredentials, startCpgEmulator, startCryptopayEmulator } from '../support/emulator';
import { collect, delay, expectRouted, helper, loadFlow, waitUntil } from '../support/node-red';
import type { FlowNode, LoadedFlow } from '../support/node-red';

type Msg = Record<string, any>;

const INVOICE = { price_amount: '100.00', price_currency: 'EUR', pay_currency: 'BTC' };
const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
/** The gateway's client-side limit, high enough that polls every 50 ms are within half of it. */
const FAST_GATEWAY = { rateLimit: 6000, rateLimitWindow: 60 };

interface FlowOptions {
  provider?: string;
  /** The node that makes the object (its output feeds the watch and `made`). */
  make?: Record<string, unknown>;
  watch?: Record<string, unknown>;
  gateway?: Record<string, unknown>;
  /** Extra nodes, e.g. a callback node wired to `out`. */
  extra?: FlowNode[];
}

/**
 * A watch list in memory outlives a redeploy, keyed by the node's id: each test's watch gets
 * an id of its own, so no test inherits another's list.
 */
let watchId = 'watch';
let flowCount = 0;

function watchFlow(emulator: { url: string }, options: FlowOptions = {}): FlowNode[] {
  watchId = `watch-${++flowCount}`;
  return [
    { id: 'tab', type: 'tab' },
    { ...gatewayConfig(emulator, 'gw', options.provider ?? 'cryptopay'), ...FAST_GATEWAY, ...options.gateway },
    { id: 'make', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', wires: [[watchId, 'made']], ...options.make },
    { id: 'made', type: 'helper', z: 'tab' },
    { id: watchId, type: 'paywire-watch', z: 'tab', gateway: 'gw', interval: 0.05, timeout: 48, store: 'memory', wires: [['out']], ...options.watch },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    ...(options.extra ?? []),
  ];
}

function transitions(messages: Msg[]): Array<[string | null, string, string]> {
  return messages.map((m) => [m.paywire.previous ?? null, m.paywire.state, m.paywire.event]);
}

describe('paywire-watch', function () {
  this.timeout(30_000);
  let flow: LoadedFlow | undefined;

  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await flow?.close();
    flow = undefined;
    await helper.unload();
  });

  interface Collector {
    messages: Msg[];
    next(count?: number, timeoutMs?: number): Promise<Msg[]>;
  }

  async function load(nodes: FlowNode[], credentials: Record<string, string>): Promise<{ out: Collector; made: Collector; caught: Collector }> {
    flow = await loadFlow(nodes, { gw: credentials }, { extraNodes: [catchNode] });
    return { out: collect('out'), made: collect('made'), caught: collect('caught') };
  }

  describe('Cryptopay', () => {
    let emulator: CryptopayEmulator;
    beforeEach(async () => {
      emulator = await startCryptopayEmulator({ rateLimitPerMinute: 100_000 });
    });
    afterEach(() => emulator.stop());

    it('sees a paid invoice as confirming, then completed, each exactly once, and then stops polling', async () => {
      const { out, made, caught } = await load(watchFlow(emulator), gatewayCredentials());
      helper.getNode('make').receive({ payload: { ...INVOICE } });
      const [invoice] = await made.next(1);
      // 2,000 s of network confirmations: 2 s on the sped-up clock, some 40 polls.
      await emulator.pay(invoice!.payload.id, 'exact', { confirmAfterSeconds: 2000 });
      await expectRouted({ out: 2, caught: 0 }, { out, caught }, 10_000);
      assert.deepEqual(transitions(out.messages), [
        ['pending', 'confirming', 'status_changed'],
        ['confirming', 'completed', 'status_changed'],
      ]);
      const [confirming, completed] = out.messages;
      assert.equal(confirming!.payload.status, 'new', 'the gateway still says new while it confirms');
      assert.equal(confirming!.payload.transactions.length, 1);
      assert.deepEqual(completed!.paywire, { provider: 'cryptopay', resource: 'invoice', id: invoice!.payload.id, state: 'completed', reason: null, final: true, event: 'status_changed', previous: 'confirming' });
      const polls = emulator.requestCount();
      await delay(300);
      assert.equal(emulator.requestCount(), polls, 'no poll after the final state');
    });

    it('beside a callback node on the same gateway, each change reaches the flow once', async () => {
      const callback = { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/paywire/watched', dedupe: 'memory', wires: [['out']] };
      const { out, made, caught } = await load(watchFlow(emulator, { extra: [callback] }), gatewayCredentials());
      emulator.setCallback(`${flow!.httpUrl}/paywire/watched`);
      helper.getNode('make').receive({ payload: { ...INVOICE } });
      const [invoice] = await made.next(1);
      await emulator.pay(invoice!.payload.id, 'exact', { confirmAfterSeconds: 1000 });
      // transaction_created, transaction_confirmed (both confirming) and status_changed (completed).
      const deliveries = await emulator.waitForDeliveries(3, 10_000);
      await waitUntil(() => deliveries.every((d) => d.state === 'delivered'), 10_000, 'all three callbacks answered');
      await expectRouted({ out: 2, caught: 0 }, { out, caught }, 10_000);
      assert.deepEqual(
        out.messages.map((m) => m.paywire.state),
        ['confirming', 'completed'],
      );
      assert.ok(
        deliveries.every((d) => d.attempts.every((a) => a.status === 200)),
        'every callback answered 200, also those the watch had already emitted',
      );
    });

    it('sends bad input to Catch, stops one object on msg.watch = false, keeps the others, and says so in its status', async () => {
      const { out, made, caught } = await load(watchFlow(emulator), gatewayCredentials());
      const statuses: Array<{ fill?: string; text?: string }> = [];
      (helper.getNode(watchId) as unknown as NodeJS.EventEmitter).on('call:status', (call: { args: Array<{ fill?: string; text?: string }> }) => statuses.push(call.args[0]!));
      helper.getNode(watchId).receive({ payload: { amount: '5' } });
      helper.getNode(watchId).receive({ paywire: { provider: 'cpg', resource: 'deposit', id: '7' } });
      helper.getNode(watchId).receive({ paywire: { provider: 'cryptopay', resource: 'customer', id: 'c-1' } });
      const errors = await caught.next(3);
      const expected = [/^InputError: paywire-watch: no object id: give msg.paywire.id/, /the message is about a cpg object, but this watch's gateway is cryptopay/, /cryptopay customers can not be watched \(watchable: invoice, withdrawal, channel_payment\)/];
      errors.forEach((e, i) => assert.match(e.error.message, expected[i]!));
      helper.getNode('make').receive({ payload: { ...INVOICE } });
      helper.getNode('make').receive({ payload: { ...INVOICE } });
      const [stopped, kept] = await made.next(2);
      await waitUntil(() => statuses.some((st) => /^2 watched, next \d\d:\d\d:\d\d$/.test(st.text ?? '')), 2000, 'status: 2 watched');
      assert.ok(statuses.some((st) => st.fill === 'red' && st.text === 'bad input'), JSON.stringify(statuses));
      helper.getNode(watchId).receive({ ...stopped, watch: false });
      await waitUntil(() => /^1 watched, next /.test(statuses[statuses.length - 1]?.text ?? ''), 2000, 'status: 1 watched');
      await emulator.pay(stopped!.payload.id, 'exact');
      await emulator.pay(kept!.payload.id, 'exact');
      await expectRouted({ out: 1, caught: 3 }, { out, caught }, 5000);
      assert.equal(out.messages[0]!.paywire.id, kept!.payload.id);
      await waitUntil(() => statuses[statuses.length - 1]?.text === 'nothing watched', 2000, 'status: nothing watched');
    });

    it('ends with watch_timeout when no final state comes in time', async () => {
      // 0.0003 h = 1.08 s.
      const { out, made, caught } = await load(watchFlow(emulator, { watch: { timeout: 0.0003 } }), gatewayCredentials());
      helper.getNode('make').receive({ payload: { ...INVOICE } });
      const [invoice] = await made.next(1);
      await expectRouted({ out: 1, caught: 0 }, { out, caught }, 5000);
      const [timedOut] = out.messages;
      assert.deepEqual(timedOut!.paywire, { provider: 'cryptopay', resource: 'invoice', id: invoice!.payload.id, state: 'pending', reason: null, final: false, event: 'watch_timeout' });
      assert.equal(timedOut!.payload.id, invoice!.payload.id, 'the invoice as last seen');
    });

    it('follows a payout (coin withdrawal) from its commit to completed', async () => {
      const { out, made, caught } = await load(
        watchFlow(emulator, { make: { type: 'paywire-withdraw', operation: 'create' } }),
        gatewayCredentials(),
      );
      helper.getNode('make').receive({ payload: { charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '10', address: '2N3Ac2cZzRVoqfJGu1bFaAebyh2hyyGxwzW', force_commit: true } });
      const [payout] = await made.next(1);
      assert.equal(caught.messages.length, 0, JSON.stringify(caught.messages[0]?.error));
      emulator.setWithdrawalStatus(payout!.payload.id, 'processing');
      await out.next(1);
      // processing and sent are both confirming: no message for the second.
      emulator.setWithdrawalStatus(payout!.payload.id, 'sent');
      await delay(200);
      emulator.setWithdrawalStatus(payout!.payload.id, 'completed');
      await expectRouted({ out: 2, caught: 0 }, { out, caught }, 5000);
      assert.deepEqual(transitions(out.messages), [
        [payout!.paywire.state, 'confirming', 'status_changed'],
        ['confirming', 'completed', 'status_changed'],
      ]);
      assert.equal(out.messages[1]!.paywire.resource, 'withdrawal');
    });

    it('follows a channel payment by its id and its channel, and emits its state when the message had none', async () => {
      const { out, caught } = await load(watchFlow(emulator), gatewayCredentials());
      const conn = connect(getProvider('cryptopay')!, { baseUrl: emulator.url, credentials: { apiKey: EMU_KEY, apiSecret: EMU_SECRET }, timeoutMs: 5000 });
      const channel = await conn.run('channel', 'create', { name: 'Tips', pay_currency: 'BTC', receiver_currency: 'EUR' }, {});
      await conn.close();
      assert.equal(channel.kind, 'object');
      const channelId = (channel as { payload: { id: string } }).payload.id;
      const payment = (await emulator.payChannel(channelId, '0.001')) as { id: string; channel_id: string };
      helper.getNode(watchId).receive({ payload: { id: payment.id, channel_id: payment.channel_id }, paywire: { provider: 'cryptopay', resource: 'channel_payment', id: payment.id } });
      await expectRouted({ out: 1, caught: 0 }, { out, caught }, 5000);
      assert.deepEqual(transitions(out.messages), [[null, 'completed', 'status_changed']]);
      assert.deepEqual([out.messages[0]!.paywire.resource, out.messages[0]!.payload.channel_id], ['channel_payment', channelId]);
    });

    it('keeps 1,000 watched invoices within half the rate limit, spread out, without a 429', async function () {
      this.timeout(60_000);
      await emulator.stop();
      // 200 requests per 2 s per key, on the emulator and on the gateway node alike.
      const keys = ['bulk-1', 'bulk-2', 'bulk-3', 'bulk-4', 'bulk-5'];
      emulator = await startCryptopayEmulator({
        rateLimitPerMinute: 200,
        rateLimitWindowMs: 2000,
        credentials: { [EMU_KEY]: EMU_SECRET, ...Object.fromEntries(keys.map((k) => [k, `${k}-secret`])) },
      });
      // The 1,000 invoices come from other keys, so the watch's key starts with a clean window.
      const ids: string[] = [];
      await Promise.all(
        keys.map(async (key) => {
          const conn = connect(getProvider('cryptopay')!, { baseUrl: emulator.url, credentials: { apiKey: key, apiSecret: `${key}-secret` }, timeoutMs: 5000, reliability: { rateLimit: 200, rateLimitWindowMs: 2000 } });
          // Ten at a time per key: the key's limiter spaces them, the emulator is not flooded.
          for (let batch = 0; batch < 20; batch++) {
            const made = await Promise.all(Array.from({ length: 10 }, () => conn.run('invoice', 'create', { ...INVOICE }, {})));
            for (const m of made) if (m.kind === 'object') ids.push(m.meta.id!);
          }
          await conn.close();
        }),
      );
      assert.equal(ids.length, 1000);
      const { out, caught } = await load(watchFlow(emulator, { gateway: { rateLimit: 200, rateLimitWindow: 2 }, watch: { interval: 1 } }), gatewayCredentials());
      const watch = helper.getNode(watchId);
      const start = emulator.requestCount(EMU_KEY);
      const refusedBefore = emulator.rateLimited();
      for (const id of ids) watch.receive({ paywire: { provider: 'cryptopay', resource: 'invoice', id, state: 'pending', reason: null, final: false } });
      // Request counts of the watch's key, sampled every 50 ms for 4 s (two windows).
      const samples: Array<{ at: number; count: number }> = [];
      const began = Date.now();
      while (Date.now() - began < 4000) {
        samples.push({ at: Date.now(), count: emulator.requestCount(EMU_KEY) - start });
        await delay(50);
      }
      const total = samples[samples.length - 1]!.count;
      let busiest = 0;
      for (const a of samples) for (const b of samples) if (b.at > a.at && b.at - a.at <= 2000) busiest = Math.max(busiest, b.count - a.count);
      // Half of 200 per 2 s is 100 (one more may be under way at a window's edge).
      assert.ok(busiest <= 101, `at most 100 polls in any 2 s, saw ${busiest}`);
      assert.ok(total >= 100, `polling went on (${total} polls in 4 s)`);
      assert.equal(emulator.rateLimited(), refusedBefore, 'the gateway never answered the watch 429');
      // Spread out: never more than a handful within 100 ms (a burst would be dozens).
      let burst = 0;
      for (const a of samples) for (const b of samples) if (b.at > a.at && b.at - a.at <= 100) burst = Math.max(burst, b.count - a.count);
      assert.ok(burst <= 10, `at most 10 polls within 100 ms, saw ${burst}`);
      assert.equal(out.messages.length, 0, 'nothing changed, nothing sent');
      assert.equal(caught.messages.length, 0);
    });
  });

  describe('CPG', () => {
    let emulator: CpgEmulator;
    beforeEach(async () => {
      emulator = await startCpgEmulator({ keys: [{ keyId: CPG_KEY_ID, secret: CPG_SECRET, rateLimitPerMin: 6000 }] });
    });
    afterEach(() => emulator.stop());

    it('follows a deposit request: detected, then confirmed', async () => {
      const { out, made, caught } = await load(watchFlow(emulator, { provider: 'cpg' }), cpgCredentials());
      helper.getNode('make').receive({ payload: { currency: 'USDT', network: 'ETH', user_identifier: 'watch-1' } });
      const [address] = await made.next(1);
      const deposit = emulator.simulateDeposit({ request_id: address!.payload.request_id, amount: '25' });
      await out.next(1);
      emulator.confirmDeposit(deposit.tx_hash as string);
      await expectRouted({ out: 2, caught: 0 }, { out, caught }, 5000);
      assert.deepEqual(transitions(out.messages), [
        ['pending', 'confirming', 'status_changed'],
        ['confirming', 'completed', 'status_changed'],
      ]);
      assert.deepEqual([out.messages[1]!.paywire.resource, out.messages[1]!.paywire.id], ['deposit', String(address!.payload.request_id)]);
    });

    it('follows a withdrawal from broadcasted to failed', async () => {
      const { out, made, caught } = await load(watchFlow(emulator, { provider: 'cpg', make: { type: 'paywire-withdraw', operation: 'create' } }), cpgCredentials());
      helper.getNode('make').receive({ payload: { currency: 'USDT', network: 'ETH', to_address: TO, amount: '10' } });
      const [withdrawal] = await made.next(1);
      assert.equal(withdrawal!.paywire.state, 'confirming');
      emulator.failWithdrawal(withdrawal!.payload.withdrawal_id, 'replacement transaction underpriced');
      await expectRouted({ out: 1, caught: 0 }, { out, caught }, 5000);
      assert.deepEqual(transitions(out.messages), [['confirming', 'failed', 'status_changed']]);
      assert.equal(out.messages[0]!.payload.error_message, 'replacement transaction underpriced');
    });
  });

  describe('payment orders', () => {
    let emulator: PaymentOrdersEmulator;
    before(async () => {
      emulator = await startPoEmulator({ rateLimit: { limit: 100_000, windowSeconds: 3600 } });
    });
    after(() => emulator.stop());

    it('follows an order: payment seen, then confirmed', async () => {
      const { out, made, caught } = await load(watchFlow(emulator, { provider: 'payment-orders', gateway: { rateLimit: 100_000, rateLimitWindow: 3600 } }), {
        username: PO_USER,
        password: PO_PASSWORD,
        callbackSecret: PO_WEBHOOK_SECRET,
      });
      helper.getNode('make').receive({ payload: { amount: '25.00', currency: 'USDC', blockchain: 'base', order_info: { product: 'Watched plan' } } });
      const [order] = await made.next(1);
      assert.equal(caught.messages.length, 0, JSON.stringify(caught.messages[0]?.error));
      emulator.detectPayment(order!.payload.order_id);
      await out.next(1);
      emulator.confirmPayment(order!.payload.order_id);
      await expectRouted({ out: 2, caught: 0 }, { out, caught }, 5000);
      assert.deepEqual(transitions(out.messages), [
        ['pending', 'confirming', 'status_changed'],
        ['confirming', 'completed', 'status_changed'],
      ]);
    });
  });
});
