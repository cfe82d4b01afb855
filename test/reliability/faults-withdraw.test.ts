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
import type { FaultPlanOptions, FaultPlanStats } from '../../emulator/shared/faults';
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

/** Every kind often enough to show up in 300 messages. */
const RETRIES_OFF_PLAN: FaultPlanOptions = {
  seed: 20261204,
  rates: { reset_after_commit: 0.05, reset_before: 0.04, timeout: 0.02, slow: 0.03, status_503: 0.015, status_429: 0.015, malformed_json: 0.03, truncated_json: 0.03 },
  burst503: 2,
  burst429: 3,
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

  interface Scenario {
    label: string;
    count: number;
    gateway: Record<string, unknown>;
    maxResends: number;
    plan: FaultPlanOptions;
  }

  /** Runs one scenario and checks it against the emulator; returns what Catch saw. */
  async function run({ label, count: COUNT, gateway, maxResends, plan }: Scenario): Promise<{ causes: Record<string, number>; faults: FaultPlanStats }> {
    emulator.reset();
    await node?.close();
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' }, undefined, undefined, gateway);
    const eurBefore = cents(emulator.balances().EUR!);
    emulator.setFaultPlan(plan);
    const result = await drive({
      count: COUNT,
      concurrency: 50,
      maxResends,
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

    assert.ok(faultStats.faulted >= COUNT * 0.15, `enough faults injected (${faultStats.faulted})`);
    // With retries on, the client absorbs nearly every fault (garbled answers included); with them
    // off, faults must surface at Catch and the re-sent messages must then succeed.
    if (gateway.deadline === 0) assert.ok(summary.succeededAfterCatch > 0, 'some messages reached Catch and succeeded when re-sent');
    assert.deepEqual(result.outcomes.filter((o) => !o.out).map((o) => o.errors), [], `every message succeeded within ${maxResends} re-sends`);
    console.log(
      `      ${label}: ${COUNT} messages, ${faultStats.requests} requests, ${faultStats.faulted} faults (${formatFaults(faultStats)}); ` +
        `sends ${COUNT + result.resends} (user re-sends after Catch ${result.resends}), client retries and duplicate_custom_id lookups ${faultStats.requests - COUNT - result.resends}, replayed ${replayed}; ` +
        `Catch causes: ${formatTally(summary.causes)}; outcomes: ${COUNT - summary.failedForGood} paid, ${summary.failedForGood} failed for good; ` +
        `withdrawals ${rows.length}, double payouts ${doubles}, lost 0, out twice ${result.extra}; ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    await client.close();
    client = undefined;
    return { causes: summary.causes, faults: faultStats };
  }

  it('pays each withdrawal exactly once; every message ends in the output or in Catch with a clear message', async () => {
    // Client timeout 1 s (a held answer costs that much; 0.4 s timed out unfaulted requests of 100 at once on
    // a busy 2-core machine), 4 s of retries per send, no client-side pacing; 50 messages in the node at once.
    await run({ label: 'withdrawals', count: COUNT, gateway: { timeout: 1, deadline: 4, rateLimit: 0 }, maxResends: 6, plan: WITHDRAW_PLAN });
  });

  it('with the client-side rate limit on, 429 storms pause and teach it, and still every withdrawal is paid once', async () => {
    // 10,000 per 100 ms: it does not pace, but each 429 pauses the key and lowers the limit for a while.
    await run({ label: 'withdrawals, rate limiter on', count: 300, gateway: { timeout: 1, deadline: 4, rateLimit: 10_000, rateLimitWindow: 0.1 }, maxResends: 6, plan: { ...WITHDRAW_PLAN, seed: 20261205, rates: { ...WITHDRAW_PLAN.rates, status_429: 0.01 } } });
  });

  it('with retries off, every kind of fault reaches Catch, each naming its cause, and still nothing is paid twice', async () => {
    // Retry time 0: one attempt per send, so each fault the client can see is a Catch message.
    const { causes, faults } = await run({ label: 'withdrawals, retries off', count: 300, gateway: { timeout: 1, deadline: 0, rateLimit: 0 }, maxResends: 20, plan: RETRIES_OFF_PLAN });
    // (a replay needs two clean requests in a row, the 409 and the lookup: up to 20 re-sends)
    for (const cause of ['connection lost', 'timeout', 'invalid JSON', '503', '429']) assert.ok((causes[cause] ?? 0) > 0, `no "${cause}" reached Catch: ${formatTally(causes)}`);
    // One Catch message per fault the client can see (slow answers are invisible).
    const n = (cause: string): number => causes[cause] ?? 0;
    const seen: Array<[string, number, number]> = [
      ['503', n('503'), faults.injected.status_503],
      ['429', n('429'), faults.injected.status_429],
      ['connection lost', n('connection lost'), faults.injected.reset_after_commit + faults.injected.reset_before],
      ['invalid JSON', n('invalid JSON') + n('unreadable error answer'), faults.injected.malformed_json + faults.injected.truncated_json],
    ];
    // A busy machine may let the 1 s timeout fire before a faulty answer arrives: that fault then
    // reaches Catch as a timeout. So each cause is seen at most as often as injected, and every
    // one missing under its own cause is among the extra timeouts.
    let missing = 0;
    for (const [cause, caught, injected] of seen) {
      assert.ok(caught <= injected, `"${cause}" reached Catch ${caught} times for ${injected} injected: ${formatTally(causes)}`);
      missing += injected - caught;
    }
    assert.ok(n('timeout') >= faults.injected.timeout + missing, `${missing} faults neither under their cause nor as a timeout: ${formatTally(causes)}`);
  });
});
