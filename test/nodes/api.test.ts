import assert from 'node:assert/strict';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { helper } from '../support/node-red';
import { actionNode } from '../support/flows';
import type { ActionHarness, Msg } from '../support/flows';
import { startCryptopayEmulator } from '../support/emulator';

describe('paywire-api: the rest of the Cryptopay API through a node', () => {
  let emulator: CryptopayEmulator;
  let node: ActionHarness | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCryptopayEmulator();
  });
  after(async () => {
    await node?.close();
    await helper.stopServer();
    await emulator.stop();
  });

  /** Runs one operation through a fresh paywire-api node and returns its output. */
  async function call(resource: string, operation: string, payload: Msg, extra: Msg = {}): Promise<Msg> {
    await node?.close();
    node = await actionNode(emulator, 'paywire-api', { resource, operation, listMode: 'all', ...extra });
    const { out, error } = await node.send({ payload });
    assert.equal(error, undefined, `${resource} ${operation}: ${String(error?.error?.message)}`);
    assert.equal(out!.paywire.provider, 'cryptopay');
    return out!;
  }

  it('rates: one pair and all pairs', async () => {
    const pair = await call('rate', 'pair', { base_currency: 'BTC', quote_currency: 'EUR' });
    assert.match(pair.payload.sell_rate, /^\d+(\.\d+)?$/);
    const all = await call('rate', 'all', {});
    assert.ok(all.payload['BTCEUR'] && all.payload['BTC/EUR']);
  });

  it('accounts and coins', async () => {
    const accounts = await call('account', 'list', {});
    assert.ok(accounts.payload.some((a: Msg) => a.currency === 'EUR' && typeof a.balance === 'string'));
    assert.equal(accounts.paywire.count, accounts.payload.length);
    const coins = await call('coin', 'list', {});
    assert.ok(coins.payload.some((c: Msg) => c.currency === 'BTC'));
  });

  it('risks: scores an ordinary and a high-risk address; refuses an unknown type', async () => {
    const low = await call('risk', 'score', { address: '2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm', currency: 'BTC', type: 'source_of_funds' });
    assert.equal(low.payload.level, 'low');
    assert.equal(typeof low.payload.score, 'number');
    const high = await call('risk', 'score', { address: '2N3oefVeg6stiTb5Kh3ozdeadbeef91FDbsm', currency: 'BTC', type: 'destination_of_funds' });
    assert.equal(high.payload.level, 'high');
    const { error } = await node!.send({ payload: { address: '2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm', currency: 'BTC', type: 'nonsense' } });
    assert.match(String(error!.error.message), /type.*must be (one of|included)/i);
  });

  it('channels: create (replayed on retry), get, update, list, payments', async () => {
    const input = { name: 'Donations', pay_currency: 'BTC', receiver_currency: 'EUR', custom_id: 'donations' };
    const created = await call('channel', 'create', input);
    assert.equal(created.payload.status, 'enabled');
    const again = await call('channel', 'create', input);
    assert.deepEqual([again.payload.id, again.paywire.replayed], [created.payload.id, true]);
    assert.equal((await call('channel', 'get', { id: created.payload.id })).payload.name, 'Donations');
    assert.equal((await call('channel', 'get', { custom_id: 'donations' })).payload.id, created.payload.id);
    const updated = await call('channel', 'update', { channel_id: created.payload.id, description: 'Thanks!' });
    assert.equal(updated.payload.description, 'Thanks!');
    assert.ok((await call('channel', 'list', {})).payload.some((c: Msg) => c.id === created.payload.id));

    await emulator.payChannel(created.payload.id as string, '0.001');
    const payments = await call('channel', 'list-payments', { channel_id: created.payload.id });
    assert.equal(payments.payload.length, 1);
    const payment = await call('channel', 'get-payment', { channel_id: created.payload.id, channel_payment_id: payments.payload[0].id });
    assert.deepEqual([payment.paywire.resource, payment.paywire.state], ['channel_payment', 'completed']);

    await call('channel', 'update', { channel_id: created.payload.id, status: 'disabled' });
    await emulator.payChannel(created.payload.id as string, '0.001');
    const held = (await call('channel', 'list-payments', { channel_id: created.payload.id })).payload[0];
    assert.deepEqual([held.status, held.status_context], ['on_hold', 'channel_disabled']);
  });

  it('customers: create, get, update, list', async () => {
    const created = await call('customer', 'create', { id: 'CUSTOMER-1', currency: 'EUR', addresses: [{ address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ', currency: 'BTC', network: 'bitcoin' }] });
    assert.equal(created.payload.id, 'CUSTOMER-1');
    assert.equal((await call('customer', 'get', { customer_id: 'CUSTOMER-1' })).payload.currency, 'EUR');
    const updated = await call('customer', 'update', { customer_id: 'CUSTOMER-1', currency: 'USD' });
    assert.equal(updated.payload.currency, 'USD');
    assert.ok((await call('customer', 'list', {})).payload.some((c: Msg) => c.id === 'CUSTOMER-1'));
  });

  it('subscriptions: create, get by id and custom_id, list, cancel', async () => {
    const startsAt = new Date(emulator.now() + 4 * 86_400_000).toISOString().replace(/\.\d+Z$/, '+00:00');
    const created = await call('subscription', 'create', {
      name: 'Gold plan',
      amount: '10.0',
      currency: 'EUR',
      period: 'month',
      period_quantity: 1,
      starts_at: startsAt,
      payer_email: 'payer@example.com',
      custom_id: 'sub-1',
    });
    assert.deepEqual([created.payload.status, created.paywire.state], ['active', 'pending']);
    assert.equal((await call('subscription', 'get', { id: created.payload.id })).payload.custom_id, 'sub-1');
    assert.equal((await call('subscription', 'get', { custom_id: 'sub-1' })).payload.id, created.payload.id);
    assert.ok((await call('subscription', 'list', {})).payload.some((s: Msg) => s.id === created.payload.id));
    const cancelled = await call('subscription', 'cancel', { subscription_id: created.payload.id });
    assert.deepEqual([cancelled.payload.status, cancelled.paywire.state], ['cancelled', 'cancelled']);
  });

  it('exchange transfers: two steps, commit twice safely, get', async () => {
    const created = await call('exchange_transfer', 'create', { charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '50' });
    assert.match(created.payload.custom_id as string, /^pw-/, 'an idempotency key is always sent');
    assert.deepEqual([created.paywire.state, created.paywire.reason], ['pending', 'awaiting_commit']);
    const committed = await call('exchange_transfer', 'commit', { id: created.payload.id });
    assert.equal(committed.paywire.state, 'completed');
    const twice = await call('exchange_transfer', 'commit', { id: created.payload.id });
    assert.equal(twice.paywire.replayed, true);
    assert.equal((await call('exchange_transfer', 'get', { exchange_transfer_id: created.payload.id })).payload.id, created.payload.id);
  });

  it('tells the user when an operation does not exist for the resource', async () => {
    await node?.close();
    node = await actionNode(emulator, 'paywire-api', { resource: 'rate', operation: 'delete' });
    const { error } = await node.send({ payload: {} });
    assert.match(error!.error.message, /does not support "delete" on rates/);
  });
});
