/**
 * Signed callbacks from all three emulators (Cryptopay, CPG, payment orders) to paywire-callback
 * through a receiver that fails a seeded share of deliveries (resets, 500s, answers after the
 * gateway's timeout, forwarded-then-reset).
 * The gateway's own retries must recover every failed delivery, and the flow must emit each
 * event exactly once (the node's duplicate check), none lost.
 */
import assert from 'node:assert/strict';
import type { CpgEmulator } from '../../emulator/cpg';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { CpgClient, withdrawalIdOf } from '../../lib/providers/cpg';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import { PaymentOrdersClient } from '../../lib/providers/payment-orders';
import { PO_API_KEY, PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { collect, helper, loadFlow, waitUntil } from '../support/node-red';
import type { LoadedFlow } from '../support/node-red';
import {
  CPG_KEY_ID,
  CPG_SECRET,
  CPG_WEBHOOK_SECRET,
  EMU_CALLBACK_SECRET,
  EMU_KEY,
  EMU_SECRET,
  cpgCredentials,
  gatewayConfig,
  gatewayCredentials,
  startCpgEmulator,
  startCryptopayEmulator,
} from '../support/emulator';
import { startFailingReceiver } from './failing-receiver';
import type { FailingReceiver, ReceiverFault } from './failing-receiver';
import { formatTally, tally } from './fault-driver';
import type { Msg } from './fault-driver';

const INVOICES = 200;
const RECEIVER_RATES: Partial<Record<ReceiverFault, number>> = { reset: 0.08, status_500: 0.08, forward_reset: 0.06, late: 0.05, slow: 0.05 };

const nonZero = (t: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(t).filter(([, n]) => n > 0));

describe('fault injection: callbacks through a failing receiver', function () {
  this.timeout(60_000);
  let flow: LoadedFlow | undefined;
  let receiver: FailingReceiver | undefined;
  let emulator: CryptopayEmulator | undefined;
  let client: CryptopayClient | undefined;
  let cpg: CpgEmulator | undefined;
  let cpgClient: CpgClient | undefined;
  let po: PaymentOrdersEmulator | undefined;
  let poClient: PaymentOrdersClient | undefined;

  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    await receiver?.close();
    await client?.close();
    await emulator?.stop();
    await cpgClient?.close();
    await cpg?.stop();
    cpg = undefined;
    cpgClient = undefined;
    await poClient?.close();
    await po?.stop();
    po = undefined;
    poClient = undefined;
    await flow?.close();
    await helper.unload();
    receiver = undefined;
    client = undefined;
    emulator = undefined;
    flow = undefined;
  });

  it('Cryptopay: every event of 200 paid invoices emitted exactly once; the retries recover every failed delivery', async () => {
    emulator = await startCryptopayEmulator({ rateLimitPerMinute: 1_000_000, callbackTimeoutMs: 1_000_000 });
    flow = await loadFlow(
      [
        { id: 'tab', type: 'tab' },
        gatewayConfig(emulator),
        { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/cryptopay/cb', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'tab' },
      ],
      { gw: gatewayCredentials() },
      { productionLike: true },
    );
    const out = collect('out');
    // The emulator waits 1 s for an answer (1,000 s × timeScale; 200 ms timed out on a busy 2-core
    // machine even for answers that came at once): "late" answers after 1.3 s.
    receiver = await startFailingReceiver({ target: `${flow.httpUrl}/cryptopay/cb`, seed: 7, rates: RECEIVER_RATES, lateMs: 1300, slowMs: 40 });
    emulator.setCallback(receiver.url, EMU_CALLBACK_SECRET);
    client = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET, reliability: { rateLimit: 0 } });
    const started = Date.now();
    const ids = await Promise.all(Array.from({ length: INVOICES }, async (_, i) => (await client!.invoices.create({ price_amount: String(10 + i), price_currency: 'EUR', pay_currency: 'BTC' })).id));
    await Promise.all(ids.map((id, i) => emulator!.pay(id, i % 10 === 0 ? 'over' : 'exact')));

    const expectedEvents = (): number => emulator!.deliveries().length;
    try {
      await waitUntil(() => emulator!.deliveries().length >= INVOICES * 3 && emulator!.deliveries().every((d) => d.state !== 'pending'), 45_000, 'every delivery to settle');
    } catch (err) {
      const ds = emulator.deliveries();
      const states: Record<string, number> = {};
      for (const d of ds) states[d.state] = (states[d.state] ?? 0) + 1;
      const worst = ds.filter((d) => d.state === 'pending').slice(0, 3).map((d) => JSON.stringify(d.attempts));
      throw new Error(`${(err as Error).message}: ${ds.length} deliveries ${JSON.stringify(states)}, receiver ${JSON.stringify(receiver.stats())}; pending: ${worst.join(' | ')}`);
    }
    // settled: give a late forwarded duplicate time to arrive
    await new Promise((r) => setTimeout(r, 500));
    const deliveries = emulator.deliveries();
    const failedForGood = deliveries.filter((d) => d.state !== 'delivered');
    assert.deepEqual(failedForGood.map((d) => d.id), [], 'every delivery got through in the end');
    const retried = deliveries.filter((d) => d.attempts.length > 1);
    const attemptResults = tally(deliveries.flatMap((d) => d.attempts.map((a) => (a.status !== undefined ? String(a.status) : String(a.error).replace(/ after \d+ ms$/, '')))));
    const attempts = deliveries.reduce((n, d) => n + d.attempts.length, 0);

    const key = (id: unknown, event: unknown, status: unknown): string => `${String(id)} ${String(event)} ${String(status)}`;
    const expected = deliveries.map((d) => {
      const body = JSON.parse(d.body) as Msg;
      return key(body.data.id, body.event, body.data.status);
    });
    const got = out.messages.map((m: Msg) => key(m.payload.id, m.paywire.event, m.payload.status));
    assert.equal(new Set(expected).size, expected.length, 'the events are distinct');
    const missing = expected.filter((k) => !got.includes(k));
    assert.deepEqual(missing, [], 'lost events');
    assert.equal(got.length, expected.length, 'each event emitted exactly once');
    assert.equal(new Set(got).size, got.length, 'no event emitted twice');
    const stats = receiver.stats();
    const injected = nonZero(stats.injected);
    const duplicatesSeen = stats.forwarded - got.length;
    assert.ok(retried.length >= 50, `enough deliveries failed at first (${retried.length})`);
    assert.ok(duplicatesSeen > 0, 'some callbacks reached the flow twice and were dropped as duplicates');
    console.log(
      `      callbacks (Cryptopay): ${INVOICES} invoices, ${expectedEvents()} events, ${attempts} delivery attempts, receiver faults ${formatTally(injected)}; attempt results ${formatTally(attemptResults)}; ` +
        `${retried.length} deliveries needed retries, recovered ${retried.length}; forwarded to the flow ${stats.forwarded}, duplicates dropped ${duplicatesSeen}; ` +
        `emitted ${got.length}, lost ${missing.length}, emitted twice 0; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
  it('CPG: every webhook of 60 deposits and 60 withdrawals emitted exactly once; the retries recover every failed delivery', async () => {
    const COUNT = 60; // one delivery at a time per endpoint: ~300 webhooks in about 10 s
    // timeScale 0.0002: retries after 12 ms, 60 ms, 360 ms, 1.4 s … (60 s, 300 s, 1,800 s, 7,200 s …)
    cpg = await startCpgEmulator({ keys: [{ keyId: CPG_KEY_ID, secret: CPG_SECRET, rateLimitPerMin: 1_000_000 }], webhookTimeoutMs: 400, timeScale: 0.0002 });
    flow = await loadFlow(
      [
        { id: 'tab', type: 'tab' },
        gatewayConfig(cpg, 'gw', 'cpg'),
        { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/cpg/cb', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'tab' },
      ],
      { gw: cpgCredentials() },
      { productionLike: true },
    );
    const out = collect('out');
    // 7 attempts in all: a lighter share fails than for Cryptopay (21 attempts). One delivery at a
    // time per endpoint, so each late answer stalls the queue for the 400 ms timeout.
    receiver = await startFailingReceiver({ target: `${flow.httpUrl}/cpg/cb`, seed: 11, rates: { reset: 0.05, status_500: 0.05, forward_reset: 0.04, late: 0.02, slow: 0.05 }, lateMs: 600, slowMs: 40 });
    cpg.registerWebhook({ url: receiver.url, secret: CPG_WEBHOOK_SECRET });
    cpg.credit('USDT', 'ETH', '100000');
    cpgClient = new CpgClient({ baseUrl: cpg.url, keyId: CPG_KEY_ID, secret: CPG_SECRET, reliability: { rateLimit: 0 } });
    const started = Date.now();
    const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    await Promise.all(
      Array.from({ length: COUNT }, async (_, i) => {
        const address = await cpgClient!.createDepositAddress({ currency: 'USDT', network: 'ETH', user_identifier: `user-${i}` });
        const deposit = cpg!.simulateDeposit({ request_id: address.request_id, amount: String(20 + i) });
        cpg!.confirmDeposit(deposit.tx_hash as string);
        cpg!.sweepDeposit(deposit.tx_hash as string);
        const w = await cpgClient!.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: TO, amount: String(10 + i), client_reference: `cb-${i}` });
        if (i % 5 === 0) cpg!.failWithdrawal(withdrawalIdOf(w), 'nonce too low');
        else cpg!.confirmWithdrawal(withdrawalIdOf(w));
      }),
    );
    const expectedCount = COUNT * 5;
    await waitUntil(() => cpg!.deliveries().length >= expectedCount && cpg!.deliveries().every((d) => d.state !== 'pending'), 45_000, 'every webhook to settle');
    await new Promise((r) => setTimeout(r, 300));
    const deliveries = cpg.deliveries();
    assert.equal(deliveries.length, expectedCount);
    assert.deepEqual(deliveries.filter((d) => d.state !== 'delivered').map((d) => d.id), [], 'every delivery got through in the end');
    const retried = deliveries.filter((d) => d.attempts.length > 1);
    const attempts = deliveries.reduce((n, d) => n + d.attempts.length, 0);
    const attemptResults = tally(deliveries.flatMap((d) => d.attempts.map((a) => (a.status !== undefined ? String(a.status) : String(a.error).replace(/ after \d+ ms$/, '')))));
    const idOf = (data: Msg): string => String(data.deposit_request_id ?? data.request_id ?? data.withdrawal_id ?? data.id);
    const expected = deliveries.map((d) => `${d.event} ${idOf((JSON.parse(d.body) as Msg).data)}`);
    const got = out.messages.map((m: Msg) => `${m.paywire.event} ${m.paywire.id}`);
    assert.equal(new Set(expected).size, expected.length, 'the events are distinct');
    const missing = expected.filter((k) => !got.includes(k));
    assert.deepEqual(missing, [], 'lost events');
    assert.equal(got.length, expected.length, 'each event emitted exactly once');
    const stats = receiver.stats();
    const duplicatesSeen = stats.forwarded - got.length;
    assert.ok(retried.length >= 20, `enough deliveries failed at first (${retried.length})`);
    assert.ok(duplicatesSeen > 0, 'some webhooks reached the flow twice and were dropped as duplicates');
    console.log(
      `      callbacks (CPG): ${COUNT} deposits and ${COUNT} withdrawals, ${deliveries.length} webhooks, ${attempts} delivery attempts, receiver faults ${formatTally(nonZero(stats.injected))}; attempt results ${formatTally(attemptResults)}; ` +
        `${retried.length} deliveries needed retries, recovered ${retried.length}; forwarded to the flow ${stats.forwarded}, duplicates dropped ${duplicatesSeen}; ` +
        `emitted ${got.length}, lost ${missing.length}, emitted twice 0; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
  it('payment orders: every webhook of 120 orders emitted exactly once; the retries recover every failed delivery', async () => {
    const COUNT = 120;
    // timeScale 0.0005: retries after 30 ms, 150 ms, 900 ms, 3.6 s, 10.8 s (60 s … 21,600 s); 500 ms per attempt.
    po = await startPoEmulator({ timeScale: 0.0005, rateLimit: { limit: 1_000_000, windowSeconds: 3600 } });
    flow = await loadFlow(
      [
        { id: 'tab', type: 'tab' },
        gatewayConfig(po, 'gw', 'payment-orders'),
        { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/po/cb', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'tab' },
      ],
      { gw: { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET } },
      { productionLike: true },
    );
    const out = collect('out');
    receiver = await startFailingReceiver({ target: `${flow.httpUrl}/po/cb`, seed: 13, rates: { reset: 0.05, status_500: 0.05, forward_reset: 0.04, late: 0.02, slow: 0.05 }, lateMs: 800, slowMs: 40 });
    po.addWebhookEndpoint({ url: receiver.url, secret: PO_WEBHOOK_SECRET });
    poClient = new PaymentOrdersClient({ baseUrl: po.url, apiKey: PO_API_KEY, reliability: { rateLimit: 0 } });
    const started = Date.now();
    const ids = await Promise.all(
      Array.from({ length: COUNT }, async (_, i) => (await poClient!.createOrder({ amount: (10 + i / 100).toFixed(2), currency: 'USDC', blockchain: 'base', order_info: { i }, nonce: 1_700_000_000_000_000 + i })).order_id),
    );
    let expectedCount = 0;
    ids.forEach((id, i) => {
      if (i % 4 === 3) {
        po!.expireOrder(id);
        expectedCount += 1;
        return;
      }
      po!.detectPayment(id);
      if (i % 4 === 2) po!.failPayment(id, 'reverted');
      else po!.confirmPayment(id);
      expectedCount += 2;
    });
    await waitUntil(() => po!.deliveries().length >= expectedCount && po!.deliveries().every((d) => d.state !== 'pending'), 45_000, 'every webhook to settle');
    await new Promise((r) => setTimeout(r, 300));
    const deliveries = po.deliveries();
    assert.equal(deliveries.length, expectedCount);
    assert.deepEqual(deliveries.filter((d) => d.state !== 'delivered').map((d) => d.id), [], 'every delivery got through in the end');
    const retried = deliveries.filter((d) => d.attempts.length > 1);
    const attempts = deliveries.reduce((n, d) => n + d.attempts.length, 0);
    const attemptResults = tally(deliveries.flatMap((d) => d.attempts.map((a) => (a.status !== undefined ? String(a.status) : String(a.error).replace(/ after \d+ ms$/, '')))));
    const expected = deliveries.map((d) => `${d.orderId} ${d.event}`);
    const got = out.messages.map((m: Msg) => `${m.paywire.id} ${m.paywire.event}`);
    assert.equal(new Set(expected).size, expected.length, 'the events are distinct');
    const missing = expected.filter((k) => !got.includes(k));
    assert.deepEqual(missing, [], 'lost events');
    assert.equal(got.length, expected.length, 'each event emitted exactly once');
    const stats = receiver.stats();
    const duplicatesSeen = stats.forwarded - got.length;
    assert.ok(retried.length >= 15, `enough deliveries failed at first (${retried.length})`);
    assert.ok(duplicatesSeen > 0, 'some webhooks reached the flow twice and were dropped as duplicates');
    console.log(
      `      callbacks (payment orders): ${COUNT} orders, ${deliveries.length} webhooks, ${attempts} delivery attempts, receiver faults ${formatTally(nonZero(stats.injected))}; attempt results ${formatTally(attemptResults)}; ` +
        `${retried.length} deliveries needed retries, recovered ${retried.length}; forwarded to the flow ${stats.forwarded}, duplicates dropped ${duplicatesSeen}; ` +
        `emitted ${got.length}, lost ${missing.length}, emitted twice 0; ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
