/**
 * 1,000 CPG withdrawals through paywire-withdraw with the CPG emulator's seeded fault plan on.
 * Re-sent after Catch as caught (same client_reference). Checked against the emulator: at most
 * one withdrawal per client_reference, the balance held exactly once per withdrawal (amount +
 * fee), nothing lost or out twice, every Catch message clear and secret-free.
 */
import assert from 'node:assert/strict';
import type { CpgEmulator } from '../../emulator/cpg';
import type { FaultPlanOptions } from '../../emulator/shared/faults';
import { CpgClient } from '../../lib/providers/cpg';
import { GatewayError } from '../../lib/errors';
import { helper } from '../support/node-red';
import { actionNode } from '../support/flows';
import type { ActionHarness } from '../support/flows';
import { CPG_KEY_ID, CPG_SECRET, CPG_WEBHOOK_SECRET, cpgCredentials, startCpgEmulator } from '../support/emulator';
import { checkOutcomes, drive, formatFaults, formatTally } from './fault-driver';
import type { Msg } from './fault-driver';

const COUNT = 1000;
const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const amountOf = (i: number): string => (10 + i / 100).toFixed(2);
/** USDT has 6 decimals on CPG: count in micro-units. */
const micros = (s: unknown): number => Math.round(Number(s) * 1e6);

const PLAN: FaultPlanOptions = {
  seed: 20261203,
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

describe('fault injection: 1,000 CPG withdrawals through paywire-withdraw', function () {
  this.timeout(60_000);
  let emulator: CpgEmulator;
  let node: ActionHarness | undefined;
  let client: CpgClient | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCpgEmulator({ keys: [{ keyId: CPG_KEY_ID, secret: CPG_SECRET, rateLimitPerMin: 1_000_000 }] });
    emulator.credit('USDT', 'ETH', '100000');
  });
  after(async () => {
    await node?.close();
    await client?.close();
    await emulator.stop();
    await helper.stopServer();
  });

  const usdtEth = (): Record<string, unknown> => emulator.balances().find((b) => b.currency === 'USDT' && b.network === 'ETH')!;

  it('holds each withdrawal exactly once; every message ends in the output or in Catch with a clear message', async () => {
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' }, cpgCredentials(), 'cpg', { timeout: 1, deadline: 4, rateLimit: 0 });
    const heldBefore = micros(usdtEth().held);
    emulator.setFaultPlan(PLAN);
    const result = await drive({
      count: COUNT,
      concurrency: 50,
      maxResends: 6,
      timeoutMs: 50_000,
      message: (i) => ({ payload: { currency: 'USDT', network: 'ETH', to_address: TO, amount: amountOf(i), ...(i % 2 === 0 ? { client_reference: `fault-cpg-${i}` } : {}) } }),
    });
    const faults = emulator.faultPlanStats()!;
    emulator.setFaultPlan(null);
    const summary = checkOutcomes(result, 'CPG', [CPG_SECRET, CPG_WEBHOOK_SECRET]);

    // Withdrawal ids count up from 501: read them back until the first unknown one.
    client = new CpgClient({ baseUrl: emulator.url, keyId: CPG_KEY_ID, secret: CPG_SECRET, reliability: { rateLimit: 0 } });
    const rows: Msg[] = [];
    for (let id = 501; ; id += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          client!.withdrawal(id + k).then(
            (w) => w as Msg,
            (err: unknown) => {
              if (err instanceof GatewayError && err.httpStatus === 404) return undefined;
              throw err;
            },
          ),
        ),
      );
      rows.push(...batch.filter((w): w is Msg => w !== undefined));
      if (batch.some((w) => w === undefined)) break;
    }
    const byRef = new Map<string, Msg[]>();
    for (const w of rows) byRef.set(String(w.client_reference), [...(byRef.get(String(w.client_reference)) ?? []), w]);
    const doubles = [...byRef.values()].filter((ws) => ws.length > 1).length;
    assert.equal(doubles, 0, 'a client_reference was paid twice');

    let replayed = 0;
    const keyOf = (o: { out?: Msg; lastCaught?: Msg }): string => String((o.out ?? o.lastCaught)!.payload.client_reference);
    for (const o of result.outcomes) {
      const key = keyOf(o);
      if (o.job % 2 === 0) assert.equal(key, `fault-cpg-${o.job}`);
      else assert.match(key, /^pw-[0-9a-f-]{36}$/);
      const found = byRef.get(key) ?? [];
      if (o.out) {
        assert.equal(found.length, 1, `job ${o.job} succeeded but the emulator has ${found.length} withdrawals for it`);
        assert.equal(o.out.payload.withdrawal_id, found[0]!.withdrawal_id ?? found[0]!.id);
        if (o.out.paywire.replayed) replayed += 1;
      }
      for (const w of found) assert.equal(micros(w.amount_decimal ?? w.amount), micros(amountOf(o.job)), `job ${o.job}: amount`);
    }
    const known = new Set(result.outcomes.map(keyOf));
    assert.deepEqual(rows.filter((w) => !known.has(String(w.client_reference))), [], 'no withdrawal the flow did not ask for');
    const held = micros(usdtEth().held) - heldBefore;
    const expected = rows.reduce((sum, w) => sum + micros(w.amount_decimal ?? w.amount) + micros(w.fee_decimal ?? w.fee), 0);
    assert.equal(held, expected, 'held exactly once per withdrawal (amount + fee)');
    assert.ok(faults.faulted >= 150, `enough faults injected (${faults.faulted})`);
    assert.equal(summary.failedForGood, 0, 'every message succeeded within 6 re-sends');
    console.log(
      `      CPG withdrawals: ${COUNT} messages, ${faults.requests} requests, ${faults.faulted} faults (${formatFaults(faults)}); ` +
        `sends ${COUNT + result.resends} (user re-sends after Catch ${result.resends}), client retries ${faults.requests - COUNT - result.resends}, replayed ${replayed}; ` +
        `Catch causes: ${formatTally(summary.causes)}; outcomes: ${COUNT - summary.failedForGood} paid, ${summary.failedForGood} failed for good; ` +
        `withdrawals ${rows.length}, double payouts ${doubles}, lost 0, out twice ${result.extra}; ${(result.durationMs / 1000).toFixed(1)} s`,
    );
  });
});
