import assert from 'node:assert/strict';
import { formatColdStart, runColdStart } from '../../bench/cold-start';

// Smoke run of bench/cold-start: the load probe times every one of our node files inside Node-RED.
describe('bench: cold start (smoke)', function () {
  this.timeout(120_000);

  it('times the require and register of each node file, with and without the package', async () => {
    const result = await runColdStart(1, undefined, false);
    assert.deepEqual(
      result.perFile.map((f) => f.file).sort(),
      ['gateway', 'invoice', 'withdraw', 'transactions', 'api', 'callback', 'status', 'redis'].map((n) => `dist/nodes/paywire-${n}.js`).sort(),
    );
    assert.ok(result.oursMs > 0 && result.withMs > 0 && result.withoutMs > 0);
    // zod and the providers load when a flow first starts one of our nodes, not with the package.
    assert.ok(result.firstUseMs > 0, 'the first-use load was seen');
    assert.ok(result.samples.every((s) => s.deferredMs === 0), 'no start without our nodes in a flow loaded the providers');
    assert.ok(result.samples.some((s) => !s.withPackage && s.files.length === 0), 'the run without the package loaded none of our files');
    // The Redis client loads when a paywire-redis first connects, never with the package (the
    // probe lists every package our node files require while they load).
    assert.ok(result.samples.every((s) => !('ioredis' in s.dependencies)), 'ioredis was not loaded at start');
    assert.match(formatColdStart(result), /require \+ register/);
  });
});
