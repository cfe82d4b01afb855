import assert from 'node:assert/strict';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import { helper } from '../support/node-red';
import { actionNode, retryOf } from '../support/flows';
import type { ActionHarness, Msg } from '../support/flows';
import { EMU_KEY, EMU_SECRET, startCryptopayEmulator } from '../support/emulator';

const BTC_ADDRESS = '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ';
const payout = (extra: Msg = {}): Msg => ({ address: BTC_ADDRESS, charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '100.00', force_commit: true, ...extra });

describe('paywire-withdraw against the emulator', () => {
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

  async function withdrawalsWith(customId: string): Promise<number> {
    let n = 0;
    for await (const w of client.coinWithdrawals.list()) if ((w as Msg).custom_id === customId) n++;
    return n;
  }

  it('pays out with a generated custom_id written back onto the message', async () => {
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
    const msg: Msg = { payload: payout() };
    const { out } = await node.send(msg);
    assert.ok(out, 'no output');
    assert.match(out.payload.custom_id, /^pw-[0-9a-f-]{36}$/);
    assert.equal(out.payload.status, 'pending');
    assert.deepEqual([out.paywire.resource, out.paywire.state, out.paywire.final], ['withdrawal', 'pending', false]);
    assert.equal(typeof out.payload.charged_amount, 'string');
  });

  for (const [mode, fields] of [
    ['charged_amount_to_send', { charged_amount: undefined, charged_amount_to_send: '50' }],
    ['received_amount', { charged_amount: undefined, received_amount: '0.001' }],
    ['amount + amount_currency', { charged_amount: undefined, amount: '60', amount_currency: 'EUR', amount_includes_processing_fee: true, amount_includes_network_fee: false }],
  ] as const) {
    it(`accepts the ${mode} amount mode`, async () => {
      node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
      const payload = JSON.parse(JSON.stringify(payout(fields))) as Msg;
      const { out, error } = await node.send({ payload });
      assert.equal(error, undefined, error?.error?.message);
      assert.equal(out!.paywire.state, 'pending');
    });
  }

  it('refuses two amounts, or none, before sending anything', async () => {
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
    const before = emulator.requestCount();
    const two = await node.send({ payload: payout({ received_amount: '0.1' }) });
    assert.match(two.error!.error.message, /give only one amount, not charged_amount and received_amount/);
    const none = await node.send({ payload: payout({ charged_amount: undefined }) });
    assert.match(none.error!.error.message, /needs one amount/);
    assert.equal(emulator.requestCount(), before);
  });

  it('creates in two steps and commits; a second commit does not pay twice', async () => {
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
    const { out: created } = await node.send({ payload: payout({ force_commit: false }) });
    assert.deepEqual([created!.payload.status, created!.paywire.state, created!.paywire.reason], ['new', 'pending', 'awaiting_commit']);
    await node.close();
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'commit' });
    const { out: committed } = await node.send({ payload: created!.payload });
    assert.equal(committed!.payload.status, 'pending');
    const { out: again, error } = await node.send({ payload: created!.payload });
    assert.equal(error, undefined, error?.error?.message);
    assert.equal(again!.paywire.replayed, true);
    assert.equal(await withdrawalsWith(created!.payload.custom_id as string), 1);
  });

  it('with retries off, a lost response retried from Catch results in exactly one withdrawal', async () => {
    // Retry time 0: the dropped answer reaches Catch at once (as it does when the retry time runs out).
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' }, undefined, undefined, { deadline: 0 });
    const accountsBefore = await client.accounts.list();
    emulator.injectFault({ method: 'POST', path: /^\/api\/coin_withdrawals$/, mode: 'drop_after_commit', times: 1 });
    const first = await node.send({ payload: payout() });
    assert.ok(first.error, 'the dropped connection reaches Catch');
    assert.equal(first.error.error.code, 'network_error');
    const key = first.error.payload.custom_id as string;
    assert.match(key, /^pw-/, 'the key was on the message before the request');
    // What a Catch → delay → back-into-the-node retry sends: the caught message itself.
    const second = await node.send(retryOf(first.error));
    assert.equal(second.error, undefined, second.error?.error?.message);
    assert.equal(second.out!.paywire.replayed, true);
    assert.equal(second.out!.payload.custom_id, key);
    assert.equal(await withdrawalsWith(key), 1);
    const eurBefore = accountsBefore.find((a) => a.currency === 'EUR')!.balance;
    const eurAfter = (await client.accounts.list()).find((a) => a.currency === 'EUR')!.balance;
    assert.equal(Number(eurBefore) - Number(eurAfter), 100, 'debited once');
  });

  it('keeps the key on msg.idempotencyKey when the payload is not an object', async () => {
    const params = Object.fromEntries(Object.entries(payout()).map(([k, v]) => [k, { value: String(v), type: k === 'force_commit' ? 'bool' : 'str' }]));
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create', params }, undefined, undefined, { deadline: 0 });
    emulator.injectFault({ method: 'POST', path: /^\/api\/coin_withdrawals$/, mode: 'drop_after_commit', times: 1 });
    const first = await node.send({ payload: 1700000000000 });
    assert.match(first.error!.idempotencyKey as string, /^pw-/);
    const second = await node.send(retryOf(first.error!));
    assert.equal(second.out!.paywire.replayed, true);
    assert.equal(await withdrawalsWith(first.error!.idempotencyKey as string), 1);
  });

  const failures: Array<[string, Msg, string, RegExp]> = [
    ['insufficient balance', { charged_amount: '99999999' }, 'invalid', /charged_amount must be less than or equal.*insufficient balance/],
    ['below the minimum payout', { charged_amount: undefined, charged_amount_to_send: '1' }, 'invalid', /must be greater than or equal.*minimum payout/],
    ['an invalid address', { address: 'not-an-address' }, 'invalid', /address.*(invalid_coin_address|valid BTC address)/],
    ['a high-risk address', { address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjdeadbeef' }, 'high_risk_address', /high_risk_address/],
  ];
  for (const [what, change, code, message] of failures) {
    it(`reports ${what} clearly to Catch`, async () => {
      node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
      const payload = JSON.parse(JSON.stringify(payout(change))) as Msg;
      const { error } = await node.send({ payload });
      assert.ok(error, 'expected an error');
      assert.equal(error.error.code, code);
      assert.match(error.error.message, message);
      assert.deepEqual(node.statuses.at(-1)?.fill, 'red');
    });
  }

  it('gets by id and custom_id, lists, and reads network fees', async () => {
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
    const { out: a } = await node.send({ payload: payout({ custom_id: 'payout-a' }) });
    await node.send({ payload: payout({ custom_id: 'payout-b' }) });
    await node.close();
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'get' });
    assert.equal((await node.send({ payload: { id: a!.payload.id } })).out!.payload.custom_id, 'payout-a');
    assert.equal((await node.send({ payload: { custom_id: 'payout-a' } })).out!.payload.id, a!.payload.id);
    await node.close();
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'list', listMode: 'all' });
    const { out: listed } = await node.send({ payload: {} });
    assert.deepEqual(listed!.payload.map((w: Msg) => w.custom_id), ['payout-b', 'payout-a']);
    await node.close();
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'network-fees', listMode: 'all' });
    const { out: fees } = await node.send({ payload: {} });
    assert.ok(fees!.payload.some((f: Msg) => f.currency === 'BTC' && f.level === 'fast'));
  });

  it('follows the lifecycle to completed, and cancelled gives the money back', async () => {
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'create' });
    const { out: a } = await node.send({ payload: payout() });
    const { out: b } = await node.send({ payload: payout() });
    await node.close();
    node = await actionNode(emulator, 'paywire-withdraw', { operation: 'get' });
    const states: string[] = [];
    for (const status of ['processing', 'sent', 'completed'] as const) {
      emulator.setWithdrawalStatus(a!.payload.id as string, status);
      states.push((await node.send({ payload: { id: a!.payload.id } })).out!.paywire.state as string);
    }
    assert.deepEqual(states, ['confirming', 'confirming', 'completed']);
    emulator.setWithdrawalStatus(b!.payload.id as string, 'failed');
    assert.deepEqual(
      ((await node.send({ payload: { id: b!.payload.id } })).out!.paywire as Msg).reason,
      'failed',
    );
    const eur = async (): Promise<number> => Number((await client.accounts.list()).find((x) => x.currency === 'EUR')!.balance);
    const before = await eur();
    emulator.setWithdrawalStatus(b!.payload.id as string, 'cancelled');
    assert.equal((await node.send({ payload: { id: b!.payload.id } })).out!.paywire.state, 'cancelled');
    assert.equal((await eur()) - before, 100);
  });
});
