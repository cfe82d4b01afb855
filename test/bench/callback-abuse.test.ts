import assert from 'node:assert/strict';
import { formatAbuseBench, runAbuseBench } from '../../bench/callback-abuse';

// Smoke run of bench/callback-abuse: one round, 40 stalled connections (the 10 s deadline included).
describe('bench: callback abuse (smoke)', function () {
  this.timeout(120_000);

  it('measures the 413 of chunked bodies and the memory held by stalled ones', async () => {
    const result = await runAbuseBench({ rounds: 1, stalled: 40 });
    const [paced, , big] = result.chunked413;
    assert.ok(paced!.medianSentMiB < 4 && paced!.finishedFirst === 0, JSON.stringify(paced));
    assert.ok(big!.medianSentMiB < 100 && big!.finishedFirst === 0, JSON.stringify(big));
    const { answers } = result.stalled;
    assert.deepEqual(Object.keys(answers).sort(), ['408', '503'], JSON.stringify(answers));
    assert.equal((answers['408'] ?? 0) + (answers['503'] ?? 0), 40);
    // At most 16 MiB of bodies are held, whatever the number of senders.
    assert.ok(result.stalled.rssPeakMb - result.stalled.rssBeforeMb < 100, JSON.stringify(result.stalled));
    assert.match(formatAbuseBench(result), /time to 413/);
  });
});
