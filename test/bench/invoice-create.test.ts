import assert from 'node:assert/strict';
import { VARIANTS, formatInvoiceBench, runInvoiceBench } from '../../bench/invoice-create';

// Smoke run of bench/invoice-create: every variant creates invoices on the light gateway, side by side.
describe('bench: invoice creation (smoke)', function () {
  this.timeout(120_000);

  it('creates invoices through paywire-invoice, the hand-made flow, the raw loop and the library alone, passes messages through a no-op node, and reports ratios', async () => {
    const result = await runInvoiceBench({ concurrencies: [4], rounds: 1, seconds: 0.5, warmUpSeconds: 0.2 });
    const c4 = result.results[0]!;
    assert.equal(c4?.concurrency, 4);
    // 'base' runs only with an earlier build to compare (--base).
    for (const variant of VARIANTS.filter((v) => v !== 'base')) {
      const runs = c4.runs.filter((r: { variant: string }) => r.variant === variant);
      assert.equal(runs.length, 1, variant);
      assert.ok(runs[0]!.completed > 0 && runs[0]!.errors === 0, `${variant}: ${JSON.stringify(runs[0])}`);
      assert.equal(runs[0]!.sent, runs[0]!.completed, `${variant}: every invoice sent completed`);
      assert.ok(runs[0]!.cpuUsPerOp > 0, variant);
      if (variant !== 'noop') assert.ok(runs[0]!.gatewayCpuUsPerOp > 0, `${variant}: the gateway's CPU per invoice is counted`);
      assert.ok(runs[0]!.latency.p99Ms >= runs[0]!.latency.p50Ms, variant);
    }
    for (const ratio of [c4.oursVsHandmade, c4.oursTimeVsRaw, c4.oursCpuVsRaw, c4.libraryTimeVsRaw, c4.libraryCpuVsRaw]) assert.ok(Number.isFinite(ratio));
    assert.equal(result.gateway, 'light');
    assert.ok(result.gatewayCeiling.perSecondAtFullCore > 0);
    assert.match(formatInvoiceBench(result), /\| 4 \| paywire-invoice \|/);
    assert.match(formatInvoiceBench(result), /\| 4 \| floor: no-op node \|/);
  });
});
