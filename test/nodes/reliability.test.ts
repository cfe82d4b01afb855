import assert from 'node:assert/strict';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import type { GatewayNode } from '../../nodes/shared/gateway-types';
import { helper, waitUntil } from '../support/node-red';
import { actionNode } from '../support/flows';
import type { ActionHarness, Msg } from '../support/flows';
import { EMU_KEY, EMU_SECRET, startCryptopayEmulator } from '../support/emulator';

const BTC_ADDRESS = '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ';
const INVOICE = { price_amount: '10.00', price_currency: 'EUR', pay_currency: 'BTC' };
const payout = (extra: Msg = {}): Msg => ({ address: BTC_ADDRESS, charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '10.00', force_commit: true, ...extra });
const texts = (node: ActionHarness): string[] => node.statuses.map((s) => (typeof s.text === 'string' ? s.text : ''));

describe('reliability: rate limit, retries and idempotency against the emulator', function () {
  this.timeout(60_000);
  let emulator: CryptopayEmulator | undefined;
  let node: ActionHarness | undefined;
  let client: CryptopayClient | undefined;

  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    await node?.close();
    node = undefined;
    await client?.close();
    client = undefined;
    await emulator?.stop();
    emulator = undefined;
  });

  async function ledger(emu: CryptopayEmulator): Promise<Msg[]> {
    client ??= new CryptopayClient({ baseUrl: emu.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET, reliability: { rateLimit: 0 } });
    const rows: Msg[] = [];
    for await (const w of client.coinWithdrawals.list()) rows.push(w);
    return rows;
  }

  it('a burst of 1,000 invoices queues for the rate limit: zero 429s, the queue length in the status', async () => {
    // 100 requests per 250 ms on both sides: the real 200 a minute, 120x faster.
    emulator = await startCryptopayEmulator({ rateLimitPerMinute: 100, rateLimitWindowMs: 250 });
    node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' }, undefined, undefined, { rateLimit: 100, rateLimitWindow: 0.25 });
    const gatewayStatuses: string[] = [];
    (helper.getNode('gw') as unknown as GatewayNode).register({ id: 'probe', onGatewayStatus: (s) => gatewayStatuses.push(String(s.text)) });
    const started = Date.now();
    // No custom_id: a 429 would not be retried, it would reach Catch.
    for (let i = 0; i < 1000; i++) helper.getNode('act').receive({ payload: { ...INVOICE, description: `burst ${i}` } });
    await waitUntil(() => node!.outputs.length + node!.errors.length >= 1000, 50_000, '1000 answers');
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual(node.errors.map((e) => e.error.message), [], 'nothing reached Catch');
    assert.equal(node.outputs.length, 1000);
    assert.equal(emulator.rateLimited(), 0, 'the emulator answered no 429');
    assert.equal(emulator.requestCount(), 1000, 'every invoice sent exactly once');
    const queued = texts(node)
      .map((t) => /^queued (\d+)$/.exec(t))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]));
    assert.ok(Math.max(...queued) >= 800, `the status showed the queue (max ${Math.max(...queued)})`);
    assert.ok(queued.includes(1), 'and counted down');
    assert.ok(node.statuses.some((s) => s.fill === 'yellow' && /^queued/.test(String(s.text))));
    assert.ok(gatewayStatuses.includes('rate limited'), 'the gateway fanned out "rate limited"');
    assert.equal(gatewayStatuses.at(-1), 'connected');
    // 1,000 at 100 per 250 ms cannot take less than 2.25 s; it should not take much more.
    assert.ok(seconds >= 2.25 && seconds < 20, `took ${seconds} s`);
    console.log(`      burst: 1000 invoices in ${seconds.toFixed(2)} s, max queue ${Math.max(...queued)}, 0 × 429`);
  });

  it('learns a lower limit from 429s, says so in the gateway log, and still answers every read', async () => {
    emulator = await startCryptopayEmulator({ rateLimitPerMinute: 5, rateLimitWindowMs: 1000 });
    // The gateway believes 50 per second; the account allows 5.
    node = await actionNode(emulator, 'paywire-api', { resource: 'rate', operation: 'pair' }, undefined, undefined, { rateLimit: 50, rateLimitWindow: 1 });
    const warnings: string[] = [];
    (helper.getNode('gw') as unknown as NodeJS.EventEmitter).on('call:warn', (call: { args: unknown[] }) => warnings.push(String(call.args[0])));
    for (let i = 0; i < 12; i++) helper.getNode('act').receive({ payload: { base_currency: 'BTC', quote_currency: 'EUR' } });
    await waitUntil(() => node!.outputs.length + node!.errors.length >= 12, 20_000, '12 rates');
    assert.deepEqual(node.errors.map((e) => e.error.message), [], 'the refused reads were retried');
    assert.ok(emulator.rateLimited() >= 1 && emulator.rateLimited() <= 7, `${emulator.rateLimited()} × 429`);
    assert.ok(warnings.length >= 1, 'the gateway said what it learned');
    assert.match(warnings.at(-1)!, /^Cryptopay refused a request \(429\) after accepting [1-5] in 1 s: from now on at most [1-5] requests per 1 s are sent with this API key/);
    assert.ok(!warnings.join(' ').includes(EMU_SECRET) && !warnings.join(' ').includes(EMU_KEY), 'no credential in the log');
  });

  it('a full queue refuses clearly (rate_limit_queue_full to Catch); what was queued still goes', async () => {
    emulator = await startCryptopayEmulator();
    node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' }, undefined, undefined, { rateLimit: 5, rateLimitWindow: 0.2, rateLimitQueue: 20 });
    for (let i = 0; i < 40; i++) helper.getNode('act').receive({ payload: { ...INVOICE, description: `q ${i}` } });
    await waitUntil(() => node!.outputs.length + node!.errors.length >= 40, 20_000, '40 answers');
    const caughtCodes = node.errors.map((e) => `${String(e.error.code)}: ${e.error.message}`);
    assert.equal(node.errors.length, 15, `5 sent at once, 20 queued, the other 15 refused; caught:\n${caughtCodes.join('\n')}`);
    for (const caught of node.errors) {
      assert.equal(caught.error.code, 'rate_limit_queue_full');
      assert.match(caught.error.message, /Cryptopay rate limit: 20 requests are already waiting for this API key, so this one was not sent/);
    }
    assert.equal(node.outputs.length, 25);
    assert.equal(emulator.requestCount(), 25);
    assert.ok(node.statuses.some((s) => s.fill === 'red' && s.text === 'rate limit queue full'));
  });

  it('withdrawals through 503 bursts and dropped connections: exactly one withdrawal each on the ledger, retries in the status', async () => {
    emulator = await startCryptopayEmulator();
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
    emulator.injectFault({ method: 'POST', path: /^\/api\/coin_withdrawals$/, mode: 'status', status: 503, times: 2 });
    emulator.injectFault({ method: 'POST', path: /^\/api\/coin_withdrawals$/, mode: 'drop_after_commit', times: 1 });
    const { out, error } = await node.send({ payload: payout() }, 15_000);
    assert.equal(error, undefined, error?.error?.message);
    assert.equal(out!.paywire.replayed, true, 'the 4th attempt met duplicate_custom_id: the withdrawal the 3rd made');
    const key = out!.payload.custom_id as string;
    const rows = await ledger(emulator);
    assert.deepEqual(rows.map((w) => w.custom_id), [key], 'exactly one withdrawal');
    assert.equal(emulator.balances().EUR, '9990.0', 'debited once');
    const retries = texts(node).filter((t) => /^retry \d in \d+\.\d s$/.test(t));
    assert.deepEqual(retries.map((t) => t.split(' ')[1]), ['1', '2', '3']);

    // Ten at once through eight more 503s and six more drops.
    emulator.injectFault({ method: 'POST', path: /^\/api\/coin_withdrawals$/, mode: 'status', status: 503, times: 8 });
    emulator.injectFault({ method: 'POST', path: /^\/api\/coin_withdrawals$/, mode: 'drop_after_commit', times: 6 });
    const before = node.outputs.length;
    for (let i = 0; i < 10; i++) helper.getNode('act').receive({ payload: payout({ custom_id: `batch-${i}` }) });
    await waitUntil(() => node!.outputs.length - before + node!.errors.length >= 10, 30_000, '10 payouts');
    assert.deepEqual(node.errors.map((e) => e.error.message), []);
    const batch = node.outputs.slice(before);
    assert.ok(batch.some((m) => m.paywire.replayed === true), 'some were answered by their replay');
    const all = await ledger(emulator);
    const counts = new Map<string, number>();
    for (const w of all) counts.set(w.custom_id as string, (counts.get(w.custom_id as string) ?? 0) + 1);
    assert.equal(all.length, 11);
    for (let i = 0; i < 10; i++) assert.equal(counts.get(`batch-${i}`), 1, `batch-${i} paid once`);
    assert.equal(emulator.balances().EUR, '9890.0', 'eleven payouts of 10 EUR, each debited once');
    const armed = (await (await fetch(`${emulator.url}/_emulator/faults`)).json()) as { data: unknown[] };
    assert.deepEqual(armed.data, [], 'every fault fired');
  });

  it('an invoice without custom_id is not sent again after a dropped connection; with one it is, and resolves to the original', async () => {
    emulator = await startCryptopayEmulator();
    node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' });
    emulator.injectFault({ method: 'POST', path: /^\/api\/invoices$/, mode: 'drop_after_commit', times: 1 });
    const lost = await node.send({ payload: INVOICE });
    assert.equal(lost.error?.error.code, 'network_error');
    assert.doesNotMatch(lost.error.error.message, /attempts/, 'one attempt');
    assert.equal(emulator.requestCount(), 1, 'not sent again');

    emulator.injectFault({ method: 'POST', path: /^\/api\/invoices$/, mode: 'drop_after_commit', times: 1 });
    const keyed = await node.send({ payload: { ...INVOICE, custom_id: 'order-77' } }, 10_000);
    assert.equal(keyed.error, undefined, keyed.error?.error?.message);
    assert.equal(keyed.out!.paywire.replayed, true);
    assert.equal(keyed.out!.payload.custom_id, 'order-77');
    client ??= new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET });
    const invoices: Msg[] = [];
    for await (const i of client.invoices.list()) invoices.push(i);
    assert.equal(invoices.length, 2, 'the lost one (created, answer dropped) and order-77, once');
    assert.equal(invoices.filter((i) => i.custom_id === 'order-77').length, 1);
  });
});
