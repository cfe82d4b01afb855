import assert from 'node:assert/strict';
import { HEAP_CAP_MB, compareLedgerExport, runLedgerExport } from '../../bench/ledger-export';

describe('bench: ledger export (smoke)', function () {
  this.timeout(120_000);

  // A real Node-RED with a capped heap streams a ledger far larger than the cap could hold if
  // rows were kept; a per-row leak ends in an out-of-memory exit.
  it(`streams 50,000 rows one message each in a Node-RED capped at ${HEAP_CAP_MB} MB of heap`, async () => {
    const runs = await runLedgerExport([5000, 50000], { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
    assert.deepEqual(runs.map((r) => r.rows), [5000, 50000]);
    for (const run of runs) assert.ok(run.peakGrowthMb < 40, `peak RSS grew ${run.peakGrowthMb.toFixed(1)} MB for ${run.rows} rows`);
  });

  it('exports the same ledger through Node-RED and the raw loop, and the same rows from memory (the floor), side by side', async () => {
    const result = await compareLedgerExport(2000, 1);
    assert.equal(result.rounds.length, 1);
    assert.ok(result.oursSeconds > 0 && result.rawSeconds > 0 && result.floorSeconds > 0);
    assert.ok([result.oursTimeVsRaw, result.oursTimeVsFloor, result.rawTimeVsFloor].every(Number.isFinite));
  });
});
