import assert from 'node:assert/strict';
import { VARIANTS, formatInvoiceBench, runInvoiceBench } from '../../bench/invoice-create';

// Smoke run of bench/invoice-create: all three flows create invoices on one emulator, side by side.
describe('bench: invoice creation (smoke)', function () {
  this.timeout(120_000);

  it('creates invoices through paywire-invoice, the hand-made flow and the raw loop, and reports ratios', async () => {
    const result = await runInvoiceBench({ concurrencies: [4], rounds: 1, seconds: 0.5, warmUpSeconds: 0.2 });
    const c4 = result.results[0]!;
    assert.equal(c4?.concurrency, 4);
    for (const variant of VARIANTS) {
      const runs = c4.runs.filter((r: { variant: string }) => r.variant === variant);
      assert.equal(runs.length, 1, variant);
      assert.ok(runs[0]!.completed > 0 && runs[0]!.errors === 0, `${variant}: ${JSON.stringify(runs[0])}`);
      assert.ok(runs[0]!.latency.p99Ms >= runs[0]!.latency.p50Ms, variant);
    }
    assert.ok(Number.isFinite(c4.oursVsHandmade) && Number.isFinite(c4.oursTimeVsRaw));
    assert.ok(result.emulatorCeiling.perSecondAtFullCore > 0);
    assert.match(formatInvoiceBench(result), /\| 4 \| ours \|/);
  });
});
