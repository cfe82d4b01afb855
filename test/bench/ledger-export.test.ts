import assert from 'node:assert/strict';
import { HEAP_CAP_MB, runLedgerExport } from '../../bench/ledger-export';

// Smoke run of bench/ledger-export: a real Node-RED with a capped heap streams a ledger far
// larger than the cap could hold if rows were kept; a per-row leak ends in an out-of-memory exit.
describe('bench: ledger export (smoke)', function () {
  this.timeout(120_000);

  it(`streams 50,000 rows one message each in a Node-RED capped at ${HEAP_CAP_MB} MB of heap`, async () => {
    const runs = await runLedgerExport([5000, 50000], { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
    assert.deepEqual(runs.map((r) => r.rows), [5000, 50000]);
    for (const run of runs) assert.ok(run.peakGrowthMb < 40, `peak RSS grew ${run.peakGrowthMb.toFixed(1)} MB for ${run.rows} rows`);
  });
});
