import assert from 'node:assert/strict';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { PO_PASSWORD, PO_USER, startPoEmulator } from '../emulator/po-helpers';
import { actionNode } from '../support/flows';
import type { ActionHarness } from '../support/flows';
import { helper, waitUntil } from '../support/node-red';

const LIMIT = 100;
const WINDOW_SECONDS = 3;
const BURST = 300;

describe('CryptoPay payment orders: the X-RateLimit headers slow a burst down before the limit', function () {
  this.timeout(60_000);
  let emulator: PaymentOrdersEmulator;
  let node: ActionHarness | undefined;

  before(async () => {
    await helper.startServer();
    // The hourly quota of the real API, shrunk to 100 requests per 3 s.
    emulator = await startPoEmulator({ rateLimit: { limit: LIMIT, windowSeconds: WINDOW_SECONDS } });
  });
  after(async () => {
    await node?.close();
    await helper.stopServer();
    await emulator.stop();
  });

  it(`${BURST} list requests: none refused with 429, they wait, and the node status says so`, async () => {
    // The gateway is left at the provider's defaults: the limiter learns the quota from the headers.
    node = await actionNode(emulator, 'paywire-invoice', { operation: 'list', listMode: 'all' }, { username: PO_USER, password: PO_PASSWORD }, 'payment-orders');
    const started = Date.now();
    for (let i = 0; i < BURST; i++) helper.getNode('act').receive({ payload: { page_size: 1 } });
    await waitUntil(() => node!.outputs.length + node!.errors.length >= BURST, 50_000, `${BURST} answers`);
    const seconds = (Date.now() - started) / 1000;

    assert.deepEqual(node.errors.map((e) => String(e.error?.message)), [], 'nothing reached Catch');
    assert.equal(node.outputs.length, BURST);
    const api = emulator.requests().filter((r) => r.path.startsWith('/api/'));
    assert.equal(api.filter((r) => r.status === 429).length, 0, 'the emulator answered no 429');
    // One login, then one request per message: nothing was sent twice.
    assert.equal(api.filter((r) => r.path === '/api/payment-orders/').length, BURST);
    // 301 requests at 100 per 3 s need at least three full windows.
    assert.ok(seconds >= 2 * WINDOW_SECONDS, `took ${seconds.toFixed(2)} s: the requests waited for the quota`);
    const waiting = node.statuses.map((s) => (typeof s.text === 'string' ? s.text : '')).filter((t) => /^queued \d+$/.test(t));
    assert.ok(waiting.length > 0, 'the status showed the requests waiting');
    console.log(`      burst: ${BURST} requests at ${LIMIT} per ${WINDOW_SECONDS} s in ${seconds.toFixed(2)} s, 0 × 429`);
  });
});
