import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { CryptopayClient } from '../../lib/providers/cryptopay/client';
import { serveLightGateway } from '../../bench/light-gateway-server';
import { startLightGateway } from '../../bench/emulator-process';
import type { EmulatorProcess } from '../../bench/emulator-process';
import { startBenchNodeRed } from '../../bench/support/bench-node-red';
import type { BenchNodeRed } from '../../bench/support/bench-node-red';
import { LostCompletionError, closedLoop } from '../../bench/support/closed-loop';
import { INVOICE_REQUEST } from '../../bench/support/raw-cryptopay';
import { freePort } from '../../scripts/node-red-runner';

// Completion accounting: a gateway that never answers some requests and drops the connection of
// others, a short timeout, and aborts from the caller; every invoice sent must end as a
// completion or an error, none may be lost.
describe('bench: completion accounting under timeouts and aborts', function () {
  this.timeout(120_000);

  it('the closed loop fails a run that loses an operation, naming it and how long it has been out', async () => {
    const run = closedLoop({ concurrency: 3, durationMs: 50, graceMs: 100, describe: (seq) => ({ node: `n${seq}` }) }, (finish, seq) => {
      if (seq !== 2) setTimeout(() => finish(seq % 2 === 1), 5);
    });
    const err = await run.then(
      () => assert.fail('a lost operation passed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof LostCompletionError, String(err));
    assert.equal(err.inFlight.length, 1);
    assert.equal(err.inFlight[0]!.seq, 2);
    assert.equal(err.inFlight[0]!.node, 'n2');
    assert.ok(Number(err.inFlight[0]!.outMs) >= 100);
    assert.equal(err.accounting.sent, err.accounting.completed + err.accounting.errors + 1);
  });

  it('the Cryptopay client settles every request: stalled ones time out, dropped ones fail, aborted ones are cancelled', async () => {
    const server = serveLightGateway({ port: 0, stallEvery: 5, abortEvery: 7 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // No retries (a create without custom_id is never sent twice once it may have arrived).
    const client = new CryptopayClient({ apiKey: 'k', apiSecret: 's', baseUrl: url, timeoutMs: 150, reliability: { rateLimit: 0 } });
    const reasons = new Map<string, number>();
    try {
      const run = await closedLoop({ concurrency: 8, durationMs: 1000, graceMs: 3000 }, (finish, seq) => {
        const controller = new AbortController();
        // Every 11th is cancelled by its caller (a redeploy closing the node) while in flight.
        if (seq % 11 === 0) setTimeout(() => controller.abort(), 20);
        client.invoices.create({ ...INVOICE_REQUEST }, { signal: controller.signal }).then(
          () => finish(true),
          (err: Error) => {
            const reason = /did not answer/.test(err.message) ? 'timeout' : /cancelled/.test(err.message) ? 'cancelled' : 'other';
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            finish(false);
          },
        );
      });
      assert.equal(run.sent, run.completed + run.errors);
      assert.ok(run.completed > 0, JSON.stringify(run));
      for (const reason of ['timeout', 'cancelled', 'other']) assert.ok((reasons.get(reason) ?? 0) > 0, `no ${reason} among ${JSON.stringify([...reasons])}`);
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('through paywire-invoice in Node-RED', () => {
    let gateway: EmulatorProcess;
    let nodeRed: BenchNodeRed;

    before(async () => {
      gateway = await startLightGateway({ port: await freePort(), stallEvery: 5, abortEvery: 7 });
      const payload = JSON.stringify(INVOICE_REQUEST);
      const keyed = JSON.stringify({ ...INVOICE_REQUEST, custom_id: 'bench-order-1' });
      nodeRed = await startBenchNodeRed({
        flows: [
          { id: 'tab', type: 'tab', label: 'completion' },
          // Timeout 0.2 s; with a custom_id a timed-out create is retried until the 1 s deadline.
          { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'custom', baseUrl: gateway.url, timeout: 0.2, deadline: 1, rateLimit: 0 },
          { id: 'drv', type: 'paywire-bench-driver', z: 'tab', payload, wires: [['inv']] },
          { id: 'inv', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', params: {}, wires: [['drv']] },
          { id: 'catch', type: 'catch', z: 'tab', scope: ['inv'], uncaught: false, wires: [['drv']] },
          { id: 'drv-keyed', type: 'paywire-bench-driver', z: 'tab', payload: keyed, wires: [['inv-keyed']] },
          { id: 'inv-keyed', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', params: {}, wires: [['drv-keyed']] },
          { id: 'catch-keyed', type: 'catch', z: 'tab', scope: ['inv-keyed'], uncaught: false, wires: [['drv-keyed']] },
        ],
        credentials: { gw: { apiKey: 'k', apiSecret: 's' } },
      });
    });

    after(async () => {
      await nodeRed?.stop();
      await gateway?.stop();
    });

    for (const [driver, what] of [
      ['drv', 'without a key: timeouts and dropped connections end at Catch'],
      ['drv-keyed', 'with a custom_id: retried until the deadline, then Catch'],
    ] as const) {
      it(`every message sent ends as a completion or an error (${what})`, async () => {
        // A timed-out request ends within 0.2 s, a retried one within its 1 s deadline: 5 s of grace is ample.
        const run = await nodeRed.drive(driver, 8, 1500, undefined, { allowErrors: true, graceMs: 5000 });
        assert.equal(run.sent, run.completed + run.errors, JSON.stringify(run));
        assert.ok(run.completed > 0 && run.errors > 0, JSON.stringify(run));
        // A retry near its deadline gets a shorter timeout, so its message names fewer ms.
        assert.match(run.lastError, /did not answer within \d+ ms|Could not reach Cryptopay/);
      });
    }
  });
});
