import assert from 'node:assert/strict';
import type { CpgEmulator } from '../../emulator/cpg';
import { helper } from '../support/node-red';
import { actionNode, retryOf } from '../support/flows';
import type { ActionHarness, Msg } from '../support/flows';
import { CpgClient } from '../../lib/providers/cpg';
import { CPG_KEY_ID, CPG_SECRET, cpgCredentials, startCpgEmulator } from '../support/emulator';

const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

/** Every CPG operation through the nodes, over real HTTP against the CPG emulator. */
describe('CPG through the nodes', () => {
  let emulator: CpgEmulator;
  let node: ActionHarness | undefined;

  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  beforeEach(async () => {
    emulator = await startCpgEmulator();
  });
  afterEach(async () => {
    await node?.close();
    node = undefined;
    await emulator.stop();
  });

  const cpgNode = (type: string, config: Record<string, unknown>, creds = cpgCredentials()): Promise<ActionHarness> => actionNode(emulator, type, config, creds, 'cpg');
  const usdtEth = (): Record<string, unknown> => emulator.balances().find((b) => b.currency === 'USDT' && b.network === 'ETH')!;

  describe('paywire-invoice', () => {
    it('create allocates a deposit address with a generated idempotency_key written back', async () => {
      node = await cpgNode('paywire-invoice', { operation: 'create' });
      const payload: Msg = { currency: 'USDT', network: 'ETH', user_identifier: 'user-42' };
      const { out, error } = await node.send({ payload });
      assert.equal(error, undefined, error?.error?.message);
      assert.match(payload.idempotency_key, /^pw-[0-9a-f-]{36}$/, 'generated and written onto the incoming payload');
      assert.match(out!.payload.address, /^0x[0-9a-f]{40}$/);
      assert.equal(out!.payload.user_identifier, 'user-42');
      assert.deepEqual(out!.paywire, { provider: 'cpg', resource: 'deposit', id: String(out!.payload.request_id), state: 'pending', reason: null, final: false });
    });

    it('create puts the generated idempotency_key on the message a Catch node gets, so its retry is the same allocation', async () => {
      node = await cpgNode('paywire-invoice', { operation: 'create' });
      const { error } = await node.send({ payload: { currency: 'USDT', network: 'XYZ', user_identifier: 'u-7' } });
      assert.equal(error!.error.code, 'currency_not_enabled');
      const key = error!.payload.idempotency_key as string;
      assert.match(key, /^pw-[0-9a-f-]{36}$/);
      // The flow fixes the network and sends the caught message back: a refused request took nothing.
      const { out: first } = await node.send({ ...retryOf(error!), payload: { ...error!.payload, network: 'ETH' } });
      const { out: retry } = await node.send({ payload: { currency: 'USDT', network: 'ETH', user_identifier: 'u-7', idempotency_key: key } });
      assert.equal(retry!.payload.request_id, first!.payload.request_id, 'same idempotency_key → same allocation');
      const { out: other } = await node.send({ payload: { currency: 'USDT', network: 'ETH', user_identifier: 'u-7' } });
      assert.notEqual(other!.payload.request_id, first!.payload.request_id);
      assert.equal(other!.payload.address, first!.payload.address, 'sticky address, new allocation');
    });

    it('create takes its fields from the node’s TypedInputs', async () => {
      node = await cpgNode('paywire-invoice', {
        operation: 'create',
        params: { currency: { value: 'TRX', type: 'str' }, network: { value: 'TRX', type: 'str' }, idempotency_key: { value: 'fixed-key', type: 'str' } },
      });
      const { out } = await node.send({ payload: 'ignored' });
      assert.match(out!.payload.address, /^T/);
      const { out: again } = await node.send({ payload: 'ignored' });
      assert.equal(again!.payload.request_id, out!.payload.request_id);
    });

    it('get reads the deposit request and maps active → detected → confirmed', async () => {
      node = await cpgNode('paywire-invoice', { operation: 'create' });
      const { out: made } = await node.send({ payload: { currency: 'USDT', network: 'ETH' } });
      await node.close();
      const requestId = made!.payload.request_id as number;
      node = await cpgNode('paywire-invoice', { operation: 'get' });
      const state = async (): Promise<[string, string]> => {
        const { out, error } = await node!.send({ payload: { request_id: requestId } });
        assert.equal(error, undefined, error?.error?.message);
        return [out!.payload.status, out!.paywire.state];
      };
      assert.deepEqual(await state(), ['active', 'pending']);
      const dep = emulator.simulateDeposit({ request_id: requestId, amount: '25' });
      assert.deepEqual(await state(), ['detected', 'confirming']);
      emulator.confirmDeposit(dep.tx_hash as string);
      assert.deepEqual(await state(), ['confirmed', 'completed']);
      // A webhook's deposit_request_id works as the input too.
      const { out } = await node.send({ payload: { deposit_request_id: requestId } });
      assert.equal(out!.payload.transactions[0].amount_decimal, '25.000000');
    });

    it('reports an unknown request, a disabled currency and a missing field to Catch', async () => {
      node = await cpgNode('paywire-invoice', { operation: 'get' });
      const { error } = await node.send({ payload: { request_id: 999 } });
      assert.equal(error!.error.code, 'not_found');
      assert.match(error!.error.message, /404 not_found - Deposit request not found/);
      await node.close();
      node = await cpgNode('paywire-invoice', { operation: 'create' });
      const disabled = await node.send({ payload: { currency: 'BTC', network: 'BTC' } });
      assert.equal(disabled.error!.error.code, 'currency_not_enabled');
      const before = emulator.requestCount();
      const missing = await node.send({ payload: { currency: 'USDT' } });
      assert.match(missing.error!.error.message, /network/i);
      assert.equal(emulator.requestCount(), before, 'nothing sent for a message the node can refuse');
    });
  });

  describe('paywire-withdraw', () => {
    it('create pays out with a generated client_reference written back; the same payout again never pays twice', async () => {
      node = await cpgNode('paywire-withdraw', { operation: 'create' });
      const payload: Msg = { currency: 'USDT', network: 'ETH', to_address: TO, amount: '50.00' };
      const { out, error } = await node.send({ payload });
      assert.equal(error, undefined, error?.error?.message);
      assert.match(out!.payload.client_reference, /^pw-[0-9a-f-]{36}$/);
      assert.equal(payload.client_reference, out!.payload.client_reference, 'written back onto the incoming payload');
      assert.deepEqual([out!.payload.status, out!.payload.amount_decimal, out!.payload.fee_decimal], ['broadcasted', '50.000000', '5.000000']);
      assert.deepEqual([out!.paywire.resource, out!.paywire.id, out!.paywire.state], ['withdrawal', String(out!.payload.withdrawal_id), 'confirming']);
      // The same payload sent again (now carrying its client_reference) is CPG's replay.
      const { out: again } = await node.send({ payload: { ...payload } });
      assert.equal(again!.payload.withdrawal_id, out!.payload.withdrawal_id);
      assert.equal(usdtEth().held, '55.000000', 'held once');
    });

    it('create keeps a client_reference the message brings, and a Catch retry after an error reuses it', async () => {
      node = await cpgNode('paywire-withdraw', { operation: 'create' });
      const { error } = await node.send({ payload: { currency: 'USDT', network: 'ETH', to_address: TO, amount: '20000' } });
      assert.equal(error!.error.code, 'insufficient_balance');
      assert.match(error!.error.message, /400 insufficient_balance - Insufficient balance: 20005\.000000 USDT needed/);
      const reference = error!.payload.client_reference as string;
      assert.match(reference, /^pw-/, 'the key is on the message Catch received');
      emulator.credit('USDT', 'ETH', '20000');
      const { out } = await node.send({ ...retryOf(error!), payload: { ...error!.payload } });
      assert.equal(out!.payload.client_reference, reference);
      const conflict = await node.send({ payload: { ...out!.payload, amount: '1.5' } });
      assert.equal(conflict.error!.error.code, 'idempotency_conflict');
    });

    it('reports validation problems per field', async () => {
      node = await cpgNode('paywire-withdraw', { operation: 'create' });
      const before = emulator.requestCount();
      const { error } = await node.send({ payload: { currency: 'USDT', network: 'ETH', to_address: 'short', amount: '0' } });
      assert.equal(error!.error.code, 'invalid_input', 'a zero amount never leaves the node');
      assert.match(error!.error.message, /amount "0" is zero; the amount must be greater than 0/);
      assert.equal(emulator.requestCount(), before);
      const { error: cpg } = await node.send({ payload: { currency: 'USDT', network: 'ETH', to_address: 'short', amount: '1' } });
      assert.equal(cpg!.error.code, 'invalid');
      assert.match(cpg!.error.message, /422 invalid - validation failed: to_address String should have at least 10 characters$/);
    });

    it('get follows a withdrawal to confirmed and a failed one with its error', async () => {
      node = await cpgNode('paywire-withdraw', { operation: 'create' });
      const { out: a } = await node.send({ payload: { currency: 'USDT', network: 'ETH', to_address: TO, amount: '10' } });
      const { out: b } = await node.send({ payload: { currency: 'USDT', network: 'ETH', to_address: TO, amount: '11' } });
      await node.close();
      emulator.confirmWithdrawal(a!.payload.withdrawal_id);
      emulator.failWithdrawal(b!.payload.withdrawal_id, 'replacement transaction underpriced');
      node = await cpgNode('paywire-withdraw', { operation: 'get' });
      const { out: ok } = await node.send({ payload: { withdrawal_id: a!.payload.withdrawal_id } });
      assert.deepEqual([ok!.payload.status, ok!.paywire.state, ok!.paywire.final], ['confirmed', 'completed', true]);
      const { out: bad } = await node.send({ payload: { id: b!.payload.withdrawal_id } });
      assert.deepEqual([bad!.payload.status, bad!.payload.error_message, bad!.paywire.state], ['failed', 'replacement transaction underpriced', 'failed']);
      assert.deepEqual([usdtEth().total, usdtEth().held], ['9985.000000', '0.000000'], 'only the confirmed one left the balance');
    });
  });

  describe('paywire-transactions', () => {
    it('lists everything in one message, following next_cursor across pages', async () => {
      emulator.seedTransactions({ count: 7 });
      node = await cpgNode('paywire-transactions', { operation: 'list', listMode: 'all', params: { limit: { value: '3', type: 'num' } } });
      const { out } = await node.send({ payload: {} });
      assert.deepEqual(out!.payload.map((t: Msg) => t.id), [7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual([out!.paywire.provider, out!.paywire.resource, out!.paywire.count], ['cpg', 'transaction', 7]);
    });

    it('emits one message per page, with msg.parts for a join', async () => {
      emulator.seedTransactions({ count: 6 });
      node = await cpgNode('paywire-transactions', { operation: 'list', listMode: 'page' });
      const pages = await node.sendMany({ payload: { limit: 3 } }, 2);
      assert.deepEqual(pages.map((m) => m.payload.map((t: Msg) => t.id)), [[6, 5, 4], [3, 2, 1]]);
      assert.equal(pages[1]!.parts.count, 2, 'the empty page after an exactly full one adds no message');
    });

    it('streams one message per row with the mapped state, filtered', async () => {
      emulator.seedTransactions({ count: 3, direction: 'withdrawal', currency: 'TRX', network: 'TRX' });
      emulator.seedTransactions({ count: 2 });
      const d = emulator.simulateDeposit({ request_id: await requestId(), amount: '5' });
      node = await cpgNode('paywire-transactions', { operation: 'list', listMode: 'item', params: { direction: { value: 'deposit', type: 'str' } } });
      const rows = await node.sendMany({ payload: {} }, 3);
      assert.deepEqual(rows.map((m) => [m.payload.direction, m.paywire.state]), [
        ['deposit', 'confirming'],
        ['deposit', 'completed'],
        ['deposit', 'completed'],
      ]);
      assert.equal(rows[0]!.payload.tx_hash, d.tx_hash);
      assert.equal(rows[2]!.parts.count, 3);
    });

    it('reports CPG’s refusal of a bad filter to Catch, per field', async () => {
      node = await cpgNode('paywire-transactions', { operation: 'list' });
      const { error } = await node.send({ payload: { direction: 'inbound', limit: 500 } });
      // The page size is the node's own rule (1–200); the direction list is CPG's.
      assert.equal(error!.error.code, 'invalid_input');
      assert.match(error!.error.message, /limit/);
      const { error: cpg } = await node.send({ payload: { direction: 'inbound' } });
      assert.equal(cpg!.error.code, 'invalid');
      assert.match(cpg!.error.message, /direction Input should be 'deposit', 'withdrawal', 'sweep' or 'gas_topup'/);
    });
  });

  /** A deposit address made through the client, as an earlier flow would have. */
  async function requestId(): Promise<number> {
    const client = new CpgClient({ baseUrl: emulator.url, keyId: CPG_KEY_ID, secret: CPG_SECRET });
    try {
      return (await client.createDepositAddress({ currency: 'USDT', network: 'ETH' })).request_id;
    } finally {
      await client.close();
    }
  }

  describe('paywire-api', () => {
    it('lists balances and currencies', async () => {
      node = await cpgNode('paywire-api', { resource: 'balance', operation: 'list' });
      const { out } = await node.send({ payload: {} });
      assert.deepEqual(out!.payload[0], { ...out!.payload[0], currency: 'USDT', network: 'ETH', available: '10000.000000' });
      assert.deepEqual([out!.paywire.resource, out!.paywire.count], ['balance', out!.payload.length]);
      await node.close();
      node = await cpgNode('paywire-api', { resource: 'currency', operation: 'list' });
      const { out: currencies } = await node.send({ payload: {} });
      const usdt = currencies!.payload.find((c: Msg) => c.currency === 'USDT' && c.network === 'ETH');
      assert.deepEqual([usdt.decimals, usdt.min_withdrawal_amount, usdt.withdrawal_fee_flat], [6, '10.000000000000000000', '5.000000000000000000']);
    });

    it('reads the hot wallet address of a network', async () => {
      node = await cpgNode('paywire-api', { resource: 'hot_wallet', operation: 'get', params: { network: { value: 'bsc', type: 'str' } } });
      const { out } = await node.send({ payload: {} });
      assert.equal(out!.payload.network, 'BSC');
      assert.match(out!.payload.address, /^0x[0-9a-f]{40}$/);
      await node.close();
      node = await cpgNode('paywire-api', { resource: 'hot_wallet', operation: 'get' });
      const missing = await node.send({ payload: { network: 'BTC' } });
      assert.equal(missing.error!.error.code, 'not_found');
      assert.match(missing.error!.error.message, /Hot wallet has not been allocated/);
    });

    it('pings with a signed round trip; a wrong secret or a missing permission reaches Catch without the secret', async () => {
      node = await cpgNode('paywire-api', { resource: 'connection', operation: 'ping' });
      const { out } = await node.send({ payload: {} });
      // The key id is a credential: the message shows only its last four characters.
      assert.deepEqual([out!.payload.pong, out!.payload.key_id], [true, `****${CPG_KEY_ID.slice(-4)}`]);
      assert.doesNotMatch(JSON.stringify(out), new RegExp(CPG_KEY_ID), 'no key id anywhere in the message');
      await node.close();
      node = await cpgNode('paywire-api', { resource: 'connection', operation: 'ping' }, cpgCredentials({ apiSecret: 'wrong' }));
      const { error } = await node.send({ payload: {} });
      assert.equal(error!.error.code, 'bad_signature');
      assert.doesNotMatch(JSON.stringify(error), /wrong|cpg-node-secret/, 'no secret in the error');
      await node.close();
      emulator.addKey({ keyId: 'no-balance', secret: 'nb', permissions: ['list_currencies'] });
      node = await cpgNode('paywire-api', { resource: 'balance', operation: 'list' }, cpgCredentials({ apiKey: 'no-balance', apiSecret: 'nb' }));
      const { error: forbidden } = await node.send({ payload: {} });
      assert.equal(forbidden!.error.code, 'forbidden');
      assert.match(forbidden!.error.message, /403 forbidden - API key does not have permission for this action/);
    });

    it('refuses an operation CPG does not have', async () => {
      node = await cpgNode('paywire-api', { resource: 'rate', operation: 'pair' });
      const { error } = await node.send({ payload: {} });
      assert.match(error!.error.message, /CPG \(Crypto Payment Gateway\) does not support "pair" on rates/);
    });
  });

  describe('paywire-gateway', () => {
    it('tests the connection with a signed ping, and names a wrong secret or key', async () => {
      node = await cpgNode('paywire-api', { resource: 'connection', operation: 'ping' });
      const settings = { provider: 'cpg', environment: 'custom', baseUrl: emulator.url, timeout: 5 };
      const probe = async (credentials: Record<string, string>): Promise<{ ok: boolean; code?: string; message: string }> => {
        const res = await helper.request().post('/paywire/gateways/gw/test').send({ ...settings, credentials }).expect(200);
        assert.doesNotMatch(JSON.stringify(res.body), /cpg-node-secret|typed-wrong/);
        return res.body;
      };
      const before = emulator.requestCount();
      const stored = await probe({ apiKey: '__PWRD__', apiSecret: '__PWRD__', callbackSecret: '__PWRD__' });
      assert.equal(stored.ok, true, stored.message);
      assert.match(stored.message, /CPG/);
      assert.equal(emulator.requestCount(), before + 1);
      const wrong = await probe({ apiKey: CPG_KEY_ID, apiSecret: 'typed-wrong-secret' });
      assert.deepEqual([wrong.ok, wrong.code], [false, 'bad_signature']);
      const unknown = await probe({ apiKey: 'nobody', apiSecret: 'x' });
      assert.deepEqual([unknown.ok, unknown.code], [false, 'unauthenticated']);
      assert.match(unknown.message, /Invalid API key/);
    });
  });
});
