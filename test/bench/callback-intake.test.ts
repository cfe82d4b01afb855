import assert from 'node:assert/strict';
import { CALLBACK_VARIANTS, formatCallbackBench, runCallbackBench } from '../../bench/callback-intake';

// Smoke run of bench/callback-intake: both flows refuse a bad signature, then take signed callbacks under autocannon.
describe('bench: callback intake (smoke)', function () {
  this.timeout(120_000);

  it('posts signed callbacks to paywire-callback and to the hand-made flow, all answered 200', async () => {
    const result = await runCallbackBench({ rounds: 1, seconds: 1, connections: 4 });
    for (const variant of CALLBACK_VARIANTS) {
      const [run] = result.runs.filter((r) => r.variant === variant);
      assert.ok(run && run.completed > 0 && run.non2xx === 0 && run.errors === 0, `${variant}: ${JSON.stringify(run)}`);
    }
    assert.ok(Number.isFinite(result.oursVsHandmade));
    assert.match(formatCallbackBench(result), /\| ours \|/);
  });
});
