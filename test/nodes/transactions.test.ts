import assert from 'node:assert/strict';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import switchNode from '@node-red/nodes/core/function/10-switch';
import { collect, helper, loadFlow, waitUntil } from '../support/node-red';
import { actionNode } from '../support/flows';
import type { ActionHarness, Msg } from '../support/flows';
import { EMU_KEY, EMU_SECRET, gatewayConfig, gatewayCredentials, startCryptopayEmulator } from '../support/emulator';

describe('paywire-transactions against the emulator', () => {
  let emulator: CryptopayEmulator;
  let node: ActionHarness | undefined;
  let client: CryptopayClient;

  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  beforeEach(async () => {
    emulator = await startCryptopayEmulator();
    client = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET });
  });
  afterEach(async () => {
    await node?.close();
    node = undefined;
    await client.close();
    await emulator.stop();
  });

  async function paidInvoices(scenarios: Array<'exact' | 'under'>): Promise<string[]> {
    const ids: string[] = [];
    for (const scenario of scenarios) {
      const invoice = await client.invoices.create({ price_amount: '20', price_currency: 'EUR', pay_currency: 'BTC' });
      await emulator.pay(invoice.id, scenario);
      ids.push(invoice.id);
    }
    return ids;
  }

  it('lists the ledger with filters; every row carries its mapped state', async () => {
    const [paid] = await paidInvoices(['exact', 'exact']);
    await client.coinWithdrawals.create({ address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ', charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '10', force_commit: true, custom_id: 'w-1' });
    node = await actionNode(emulator, 'paywire-transactions', { operation: 'list', listMode: 'all', params: { reference_type: { value: 'Invoice', type: 'str' } } });
    const { out } = await node.send({ payload: {} });
    assert.ok(out!.payload.length >= 2);
    assert.ok(out!.payload.every((row: Msg) => row.reference_type === 'Invoice'));
    assert.ok(out!.payload.some((row: Msg) => row.reference_id === paid));
    await node.close();

    node = await actionNode(emulator, 'paywire-transactions', { operation: 'list', listMode: 'item' });
    const rows = await node.sendMany({ payload: { currency: 'EUR' } }, 3);
    const withdrawal = rows.find((m) => m.payload.reference_type === 'CoinWithdrawal')!;
    assert.ok(withdrawal, 'withdrawal row present');
    assert.equal(withdrawal.payload.amount.startsWith('-'), true, 'debits are negative decimal strings');
    assert.deepEqual([withdrawal.paywire.resource, withdrawal.paywire.state], ['transaction', 'pending']);
    const invoiceRow = rows.find((m) => m.payload.reference_type === 'Invoice')!;
    assert.equal(invoiceRow.paywire.state, 'completed');
  });

  it('rejects a malformed date filter before sending', async () => {
    node = await actionNode(emulator, 'paywire-transactions', { operation: 'list' });
    const before = emulator.requestCount();
    const { error } = await node.send({ payload: { created_at_from: 'yesterday' } });
    assert.match(error!.error.message, /created_at_from must be an ISO 8601 date-time/);
    assert.equal(emulator.requestCount(), before);
  });

  it('passes date filters with characters that need escaping, as signed', async () => {
    await paidInvoices(['exact']);
    node = await actionNode(emulator, 'paywire-transactions', { operation: 'list', listMode: 'all' });
    const from = new Date(emulator.now() - 3600_000).toISOString().replace('Z', '+00:00');
    const { out, error } = await node.send({ payload: { created_at_from: from } });
    assert.equal(error, undefined, error?.error?.message);
    assert.ok(out!.payload.length >= 1);
    const { out: none } = await node.send({ payload: { created_at_to: '2001-01-01T00:00:00Z' } });
    assert.equal(none!.payload.length, 0);
  });

  it('lists one account’s transactions', async () => {
    await paidInvoices(['exact']);
    const eur = (await client.accounts.list()).find((a) => a.currency === 'EUR')!;
    node = await actionNode(emulator, 'paywire-transactions', { operation: 'account', listMode: 'all' });
    const { out } = await node.send({ payload: { account_id: eur.id } });
    assert.ok(out!.payload.length >= 1);
    assert.ok(out!.payload.every((row: Msg) => row.currency === 'EUR'));
    const bad = await node.send({ payload: { account_id: 'not-a-uuid' } });
    assert.equal(bad.error!.error.code, 'invalid');
    assert.match(bad.error!.error.message, /account_id/);
  });

  it('streams 10,000 rows one message each with progress in the status', async function () {
    this.timeout(60_000);
    emulator.seedTransactions(10_000, { currency: 'EUR' });
    node = await actionNode(emulator, 'paywire-transactions', { operation: 'list', listMode: 'item', params: { currency: { value: 'EUR', type: 'str' } } });
    const rows = await node.sendMany({ payload: {} }, 10_000, 50_000);
    assert.equal(rows.length, 10_000);
    assert.equal(rows.at(-1)!.parts.count, 10_000);
    assert.equal(new Set(rows.map((m) => m.payload.id)).size, 10_000);
    const progress = node.statuses.map((s) => String(s.text)).filter((t) => /rows…$/.test(t));
    assert.ok(progress.length >= 100, `progress shown per page (${progress.length} updates)`);
    assert.deepEqual(node.statuses.at(-1), { fill: 'green', shape: 'dot', text: '10000 rows' });
  });

  it('gives each row message the incoming message’s properties, each message its own copy', async () => {
    await paidInvoices(['exact', 'exact', 'exact']);
    node = await actionNode(emulator, 'paywire-transactions', { operation: 'list', listMode: 'item' });
    // Plain values only (copied by a spread) and nested ones (deep-cloned like any Node-RED node).
    const flat = await node.sendMany({ payload: {}, topic: 'export', batch: 7 }, 3);
    const nested = await node.sendMany({ payload: {}, topic: 'export', run: { id: 'r1', tags: ['a'] } }, 3);
    for (const rows of [flat, nested]) {
      assert.ok(rows.every((m) => m.topic === 'export'));
      assert.equal(new Set(rows).size, 3, 'one object per row');
      assert.equal(new Set(rows.map((m) => m.paywire)).size, 3);
    }
    assert.ok(flat.every((m) => m.batch === 7));
    assert.ok(nested.every((m) => m.run.id === 'r1' && m.run.tags[0] === 'a'));
    assert.equal(new Set(nested.map((m) => m.run)).size, 3, 'nested values are not shared between rows');
  });

  it('does not outrun a downstream node that queues its input (core switch): no backlog builds up', async function () {
    this.timeout(60_000);
    emulator.seedTransactions(5_000, { currency: 'EUR' });
    const flow = await loadFlow(
      [
        { id: 'tab', type: 'tab' },
        gatewayConfig(emulator),
        { id: 'act', type: 'paywire-transactions', z: 'tab', gateway: 'gw', operation: 'list', listMode: 'item', params: {}, wires: [['direct', 'sw']] },
        { id: 'direct', type: 'helper', z: 'tab' },
        { id: 'sw', type: 'switch', z: 'tab', property: 'payload.id', propertyType: 'msg', rules: [{ t: 'nnull' }], checkall: 'true', repair: false, outputs: 1, wires: [['after']] },
        { id: 'after', type: 'helper', z: 'tab' },
      ],
      { gw: gatewayCredentials() },
      { extraNodes: [switchNode] },
    );
    try {
      const direct = collect('direct');
      const after = collect('after');
      // The switch handles one message per event-loop turn; its queue is what the node sent minus what came out.
      let backlog = 0;
      (helper.getNode('direct') as unknown as NodeJS.EventEmitter).on('input', () => {
        backlog = Math.max(backlog, direct.messages.length - after.messages.length);
      });
      helper.getNode('act').receive({ payload: {} });
      await waitUntil(() => after.messages.length >= 5_000, 50_000, '5000 rows through the switch');
      assert.equal(direct.messages.length, 5_000);
      assert.ok(backlog <= 5, `the switch queue reached ${backlog} messages`);
    } finally {
      await flow.close();
      await helper.unload();
    }
  });
});
