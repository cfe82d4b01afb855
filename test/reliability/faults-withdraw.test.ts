/**
 * 1,000 Cryptopay coin withdrawals through paywire-withdraw with the emulator's seeded fault plan
 * on (resets after commit, resets before, timeouts, slow answers, 503 bursts, 429 storms,
 * malformed and truncated JSON). The user's flow re-sends a caught message as it was caught.
 * Checked against the emulator's own state: at most one withdrawal per custom_id, the balance
 * debited exactly once per withdrawal, every message ends in the output or in Catch with a clear,
 * secret-free message, none lost, none out twice.
 */
import assert from 'node:assert/strict';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import type { FaultPlanOptions } from '../../emulator/shared/faults';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import { helper } from '../support/node-red';
import { actionNode } from '../support/flows';
import type { ActionHarness } from '../support/flows';
import { EMU_CALLBACK_SECRET, EMU_KEY, EMU_SECRET, startCryptopayEmulator } from '../support/emulator';
import { checkOutcomes, drive, formatFaults, formatTally } from './fault-driver';
import type { Msg } from './fault-driver';

const COUNT = 1000;
const BTC_ADDRESS = '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ';
/** Cents so that every withdrawal has its own amount: a double debit shows in the sum. */
const amountOf = (i: number): string => (5 + (i % 97) / 100).toFixed(2);

export const WITHDRAW_PLAN: FaultPlanOptions = {
  seed: 20261201,
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

const cents = (s: string): number => Math.round(Number(s) * 100);

describe('fault injection: 1,000 Cryptopay withdrawals through paywire-withdraw', function () {
  this.timeout(60_000);
  let emulator: CryptopayEmulator;
  let node: ActionHarness | undefined;
  let client: CryptopayClient | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCryptopayEmulator({ rateLimitPerMinute: 1_000_000, initialBalances: { EUR: '100000.00', BTC: '10.0' } });
  });
  after(async () => {
    await node?.close();
    await client?.close();
    await emulator.stop();
    await helper.stopServer();
  });

  it('pays each withdrawal exactly once; every message ends in the output or in Catch with a clear message', async () => {
    // Client timeout 0.4 s (a held answer costs that much), 4 s of retries per send, no client-side pacing.
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' }, undefined, undefined, { timeout: 0.4, deadline: 4, rateLimit: 0 });
    const eurBefore = cents(emulator.balances().EUR!);
    emulator.setFaultPlan(WITHDRAW_PLAN);
    const result = await drive({
      count: COUNT,
      concurrency: 100,
      maxResends: 6,
      timeoutMs: 50_000,
      message: (i) => ({
        // even jobs bring their own custom_id, odd ones let the node generate one (written back onto msg)
        payload: { address: BTC_ADDRESS, charged_currency: 'EUR', received_currency: 'BTC', charged_amount: amountOf(i), force_commit: true, ...(i % 2 === 0 ? { custom_id: `fault-w-${i}` } : {}) },
      }),
    });
    const faultStats = emulator.faultPlanStats()!;
    emulator.setFaultPlan(null);

    const summary = checkOutcomes(result, 'Cryptopay', [EMU_SECRET, EMU_CALLBACK_SECRET]);

    // The emulator's own record.
    client = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET, reliability: { rateLimit: 0 } });
    const rows: Msg[] = [];
    for await (const w of client.coinWithdrawals.list()) rows.push(w);
    const byCustomId = new Map<string, Msg[]>();
    for (const w of rows) byCustomId.set(String(w.custom_id), [...(byCustomId.get(String(w.custom_id)) ?? []), w]);
    const doubles = [...byCustomId.values()].filter((ws) => ws.length > 1).length;
    assert.equal(doubles, 0, 'a custom_id was paid twice');

    const keyOf = (o: { out?: Msg; lastCaught?: Msg }): string => String((o.out ?? o.lastCaught)!.payload.custom_id);
    let replayed = 0;
    for (const o of result.outcomes) {
      const key = keyOf(o);
      if (o.job % 2 === 0) assert.equal(key, `fault-w-${o.job}`);
      else assert.match(key, /^pw-[0-9a-f-]{36}$/, 'the generated key was written back before the first request');
      const found = byCustomId.get(key) ?? [];
      if (o.out) {
        assert.equal(found.length, 1, `job ${o.job} succeeded but the emulator has ${found.length} withdrawals for it`);
        assert.equal(o.out.payload.id, found[0]!.id);
        if (o.out.paywire.replayed) replayed += 1;
      }
      for (const w of found) assert.equal(cents(String(w.charged_amount)), cents(amountOf(o.job)), `job ${o.job}: amount`);
    }
    const known = new Set(result.outcomes.map(keyOf));
    assert.deepEqual(rows.filter((w) => !known.has(String(w.custom_id))), [], 'no withdrawal the flow did not ask for');
    const debited = eurBefore - cents(emulator.balances().EUR!);
    const expected = rows.reduce((sum, w) => sum + cents(String(w.charged_amount)), 0);
    assert.equal(debited, expected, 'the balance was debited exactly once per withdrawal');

    assert.ok(faultStats.faulted >= 150, `enough faults injected (${faultStats.faulted})`);
    assert.ok(summary.succeededAfterCatch > 0, 'some messages reached Catch and succeeded when re-sent');
    assert.equal(summary.failedForGood, 0, 'every message succeeded within 6 re-sends');
    console.log(
      `      withdrawals: ${COUNT} messages, ${faultStats.requests} requests, ${faultStats.faulted} faults (${formatFaults(faultStats)}); ` +
        `sends ${COUNT + result.resends} (user re-sends after Catch ${result.resends}), client retries and duplicate_custom_id lookups ${faultStats.requests - COUNT - result.resends}, replayed ${replayed}; ` +
        `Catch causes: ${formatTally(summary.causes)}; outcomes: ${COUNT - summary.failedForGood} paid, ${summary.failedForGood} failed for good; ` +
        `withdrawals ${rows.length}, double payouts ${doubles}, lost 0, out twice ${result.extra}; ${(result.durationMs / 1000).toFixed(1)} s`,
    );
  });
});
