/**
 * 1,000 payment-order creates through paywire-invoice (provider payment-orders, logged in with
 * username and password) with the emulator's seeded fault plan on. Re-sent after Catch as
 * caught (same nonce). Checked against the emulator: one order per message at most (each
 * message has its own amount), the nonce of the first send kept, nothing lost or out twice,
 * every Catch message clear and secret-free.
 */
import assert from 'node:assert/strict';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import type { FaultPlanOptions } from '../../emulator/shared/faults';
import { PaymentOrdersClient } from '../../lib/providers/payment-orders';
import { PO_API_KEY, PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { helper } from '../support/node-red';
import { actionNode } from '../support/flows';
import type { ActionHarness } from '../support/flows';
import { checkOutcomes, drive, formatFaults, formatTally } from './fault-driver';
import type { Msg } from './fault-driver';

const COUNT = 1000;
const amountOf = (i: number): string => (10 + i / 100).toFixed(2);

const PLAN: FaultPlanOptions = {
  seed: 20261202,
  rates: {
    reset_after_commit: 0.04,
    reset_before: 0.03,
    timeout: 0.01,
    slow: 0.05,
    status_503: 0.01,
    status_429: 0.004,
    malformed_json: 0.02,
    truncated_json: 0.02,
  },
  burst503: 3,
  burst429: 8,
  slowMs: [20, 150],
};

describe('fault injection: 1,000 payment-order creates through paywire-invoice', function () {
  this.timeout(60_000);
  let emulator: PaymentOrdersEmulator;
  let node: ActionHarness | undefined;
  let client: PaymentOrdersClient | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startPoEmulator({ rateLimit: { limit: 1_000_000, windowSeconds: 3600 } });
  });
  after(async () => {
    await node?.close();
    await client?.close();
    await emulator.stop();
    await helper.stopServer();
  });

  it('creates each order exactly once; every message ends in the output or in Catch with a clear message', async () => {
    const creds = { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET };
    node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' }, creds, 'payment-orders', { timeout: 1, deadline: 4, rateLimit: 0 });
    emulator.setFaultPlan(PLAN);
    const result = await drive({
      count: COUNT,
      concurrency: 50,
      maxResends: 6,
      timeoutMs: 50_000,
      message: (i) => ({ payload: { amount: amountOf(i), currency: 'USDC', blockchain: 'base', order_info: { job: i } } }),
    });
    const faults = emulator.faultPlanStats()!;
    emulator.setFaultPlan(null);
    const summary = checkOutcomes(result, 'CryptoPay payment orders', [PO_PASSWORD, PO_WEBHOOK_SECRET, ...emulator.issuedTokens()]);

    client = new PaymentOrdersClient({ baseUrl: emulator.url, apiKey: PO_API_KEY, reliability: { rateLimit: 0 } });
    const orders: Msg[] = [];
    for await (const o of client.orders({ page_size: 100 })) orders.push(o);
    const byAmount = new Map<string, Msg[]>();
    for (const o of orders) {
      const k = Number(o.amount).toFixed(2);
      byAmount.set(k, [...(byAmount.get(k) ?? []), o]);
    }
    const doubles = [...byAmount.values()].filter((os) => os.length > 1).length;
    assert.equal(doubles, 0, 'a message created two orders');
    let replayed = 0;
    for (const o of result.outcomes) {
      const found = byAmount.get(amountOf(o.job)) ?? [];
      const last = (o.out ?? o.lastCaught)!;
      if (o.out) {
        assert.equal(found.length, 1, `job ${o.job} succeeded but the emulator has ${found.length} orders for it`);
        assert.equal(o.out.payload.order_id, found[0]!.order_id);
        if (o.out.paywire.replayed) replayed += 1;
      }
      for (const f of found) assert.equal(f.nonce, last.payload.nonce, `job ${o.job}: the order carries the nonce the message kept`);
    }
    assert.equal(orders.length, byAmount.size);
    assert.ok(faults.faulted >= 150, `enough faults injected (${faults.faulted})`);
    // Retries absorb nearly every fault here (garbled answers included), so a message may never
    // need its re-send; the Cryptopay retries-off scenario proves the re-send path.
    assert.equal(summary.failedForGood, 0, 'every message succeeded within 6 re-sends');
    console.log(
      `      payment orders: ${COUNT} messages, ${faults.requests} requests, ${faults.faulted} faults (${formatFaults(faults)}); ` +
        `sends ${COUNT + result.resends} (user re-sends after Catch ${result.resends}), client retries, logins and nonce lookups ${faults.requests - COUNT - result.resends}, replayed ${replayed}; ` +
        `Catch causes: ${formatTally(summary.causes)}; outcomes: ${COUNT - summary.failedForGood} created, ${summary.failedForGood} failed for good; ` +
        `orders ${orders.length}, double orders ${doubles}, lost 0, out twice ${result.extra}; ${(result.durationMs / 1000).toFixed(1)} s`,
    );
  });
});
