import assert from 'node:assert/strict';
import type { CpgEmulator } from '../../emulator/cpg';
import { control } from './helpers';
import { ManualClock, cpgApi, expectCpgError, okEnvelope, startCpg } from './cpg-helpers';

const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
const REST_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

describe('CPG emulator: resources (reference §4–6)', () => {
  let emu: CpgEmulator;
  let clock: ManualClock;
  let n = 0;

  beforeEach(async () => {
    clock = new ManualClock();
    emu = await startCpg({ now: clock.now });
  });
  afterEach(async () => {
    await emu.stop();
  });

  // Every call signs a distinct timestamp so identical requests are not replays.
  const next = (): number => clock.seconds + (n++ % 200);
  const get = (target: string) => cpgApi(emu.url, 'GET', target, undefined, { clock: clock.now, timestamp: next() });
  const post = (target: string, payload: unknown) => cpgApi(emu.url, 'POST', target, payload, { clock: clock.now, timestamp: next() });
  const balance = (currency: string, network: string): Record<string, string> => emu.balances().find((b) => b.currency === currency && b.network === network) as Record<string, string>;

  describe('validation', () => {
    it('lists every field problem as "field: problem; …" with 422', async () => {
      expectCpgError(
        await post('/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: 'short', amount: '0' }),
        422,
        'to_address: String should have at least 10 characters; amount: Input should be greater than 0',
      );
      expectCpgError(await post('/v1/withdrawals', {}), 422, 'currency: Field required; network: Field required; to_address: Field required; amount: Field required');
      expectCpgError(
        await post('/v1/withdrawals', { currency: 5, network: '', to_address: TO, amount: 'ten', client_reference: 'x'.repeat(129) }),
        422,
        'currency: Input should be a valid string; network: String should have at least 1 character; amount: Input should be a valid decimal; client_reference: String should have at most 128 characters',
      );
      expectCpgError(
        await post('/v1/deposit-addresses', { currency: 'U'.repeat(33), network: 'ETH', user_identifier: 'u'.repeat(257), idempotency_key: 'k'.repeat(129) }),
        422,
        'currency: String should have at most 32 characters; user_identifier: String should have at most 256 characters; idempotency_key: String should have at most 128 characters',
      );
      expectCpgError(await post('/v1/deposit-addresses', '{"currency":'), 422, 'body: JSON decode error');
      expectCpgError(await post('/v1/deposit-addresses', '[1]'), 422, 'body: Input should be a valid dictionary or object to extract fields from');
      expectCpgError(await get('/v1/transactions?limit=0&direction=inbound&cursor=abc'), 422, "direction: Input should be 'deposit', 'withdrawal', 'sweep' or 'gas_topup'; cursor: Input should be a valid integer, unable to parse string as an integer; limit: Input should be greater than or equal to 1");
      expectCpgError(await get('/v1/transactions?limit=201'), 422, 'limit: Input should be less than or equal to 200');
      expectCpgError(await get('/v1/withdrawals/abc'), 422, 'withdrawal_id: Input should be a valid integer, unable to parse string as an integer');
      expectCpgError(await get('/v1/hot-wallet-address'), 422, 'network: Field required');
    });

    it('accepts the amount as a JSON number and user_identifier as null', async () => {
      const w = okEnvelope(await post('/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: TO, amount: 12.5 })).data;
      assert.equal(w.amount_decimal, '12.500000');
      const d = okEnvelope(await post('/v1/deposit-addresses', { currency: 'USDT', network: 'ETH', user_identifier: null })).data;
      assert.equal(d.user_identifier, null);
    });
  });

  describe('deposit addresses and requests', () => {
    it('allocates an address and follows its request from active to detected to confirmed', async () => {
      const d = okEnvelope(await post('/v1/deposit-addresses', { currency: 'USDT', network: 'ETH' })).data;
      assert.deepEqual(Object.keys(d), ['request_id', 'address', 'network', 'currency', 'contract_address', 'user_identifier', 'display_expires_at', 'created_at']);
      assert.match(d.address, /^0x[0-9a-f]{40}$/);
      assert.equal(d.contract_address, '0xdac17f958d2ee523a2206206994597c13d831ec7');
      assert.match(d.created_at, REST_TIME);
      assert.equal(Date.parse(d.display_expires_at) - Date.parse(d.created_at), 3 * 3600 * 1000);
      let r = okEnvelope(await get(`/v1/deposit-requests/${d.request_id}`)).data;
      assert.deepEqual([r.status, r.transactions], ['active', []]);

      const detected = emu.simulateDeposit({ request_id: d.request_id, amount: '25' });
      r = okEnvelope(await get(`/v1/deposit-requests/${d.request_id}`)).data;
      assert.equal(r.status, 'detected');
      assert.deepEqual(
        [r.transactions[0].tx_hash, r.transactions[0].amount_decimal, r.transactions[0].status, r.transactions[0].confirmations, r.transactions[0].confirmed_at],
        [detected.tx_hash, '25.000000', 'pending', 1, null],
      );
      assert.equal(balance('USDT', 'ETH').total, '10000.000000', 'nothing credited before confirmation');

      emu.confirmDeposit(detected.tx_hash as string);
      r = okEnvelope(await get(`/v1/deposit-requests/${d.request_id}`)).data;
      assert.deepEqual([r.status, r.transactions[0].status, r.transactions[0].confirmations], ['confirmed', 'confirmed', 12]);
      assert.match(r.transactions[0].confirmed_at, REST_TIME);
      assert.equal(balance('USDT', 'ETH').total, '10025.000000');
      expectCpgError(await control(emu.url, 'POST', `/_emulator/deposits/${String(detected.tx_hash)}/confirm`), 409, /already confirmed/);
    });

    it('keeps the address of a user_identifier per network; other requests get pool addresses', async () => {
      const a = okEnvelope(await post('/v1/deposit-addresses', { currency: 'USDT', network: 'ETH', user_identifier: 'user-42' })).data;
      const b = okEnvelope(await post('/v1/deposit-addresses', { currency: 'USDC', network: 'ETH', user_identifier: 'user-42' })).data;
      const c = okEnvelope(await post('/v1/deposit-addresses', { currency: 'USDT', network: 'TRX', user_identifier: 'user-42' })).data;
      const d = okEnvelope(await post('/v1/deposit-addresses', { currency: 'USDT', network: 'ETH' })).data;
      assert.equal(a.address, b.address, 'sticky per user and network');
      assert.notEqual(a.request_id, b.request_id, 'each call is its own allocation');
      assert.match(c.address, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
      assert.notEqual(d.address, a.address);
      assert.equal(a.user_identifier, 'user-42');
    });

    it('replays an idempotency_key with the same body and refuses it with another (409)', async () => {
      const body = { currency: 'USDT', network: 'ETH', idempotency_key: 'alloc-1' };
      const first = okEnvelope(await post('/v1/deposit-addresses', body)).data;
      const again = okEnvelope(await post('/v1/deposit-addresses', body)).data;
      assert.deepEqual(again, first);
      expectCpgError(await post('/v1/deposit-addresses', { ...body, network: 'BSC' }), 409, 'idempotency_key already used with different parameters');
      // Remembered for a day.
      clock.advance(24 * 3600 + 1);
      assert.notEqual(okEnvelope(await post('/v1/deposit-addresses', body)).data.request_id, first.request_id);
    });

    it('refuses a currency not enabled for deposits, and unknown request ids', async () => {
      expectCpgError(await post('/v1/deposit-addresses', { currency: 'BTC', network: 'BTC' }), 400, 'BTC on BTC is not enabled for deposits on this account');
      expectCpgError(await post('/v1/deposit-addresses', { currency: 'USDT', network: 'SOL' }), 400, /not enabled for deposits/);
      expectCpgError(await get('/v1/deposit-requests/99999'), 404, 'Deposit request not found');
    });

    it('marks an unpaid request expired after display_expires_at; a late deposit still credits', async () => {
      const d = okEnvelope(await post('/v1/deposit-addresses', { currency: 'TRX', network: 'TRX' })).data;
      clock.advance(3 * 3600 + 1);
      assert.equal(okEnvelope(await get(`/v1/deposit-requests/${d.request_id}`)).data.status, 'expired');
      const late = emu.simulateDeposit({ address: d.address, currency: 'TRX', amount: '10' });
      emu.confirmDeposit(late.tx_hash as string);
      assert.equal(okEnvelope(await get(`/v1/deposit-requests/${d.request_id}`)).data.status, 'confirmed');
      assert.equal(balance('TRX', 'TRX').total, '10010.000000');
    });
  });

  describe('withdrawals', () => {
    it('holds amount + fee, answers broadcasted, and debits on confirmation', async () => {
      const w = okEnvelope(await post('/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: TO, amount: '50.00', client_reference: 'order_1' })).data;
      assert.deepEqual(Object.keys(w), ['withdrawal_id', 'status', 'tx_hash', 'network', 'currency', 'to_address', 'amount_decimal', 'fee_decimal', 'client_reference']);
      assert.deepEqual([w.status, w.amount_decimal, w.fee_decimal], ['broadcasted', '50.000000', '5.000000']);
      assert.match(w.tx_hash, /^0x[0-9a-f]{64}$/);
      assert.deepEqual(balance('USDT', 'ETH'), { ...balance('USDT', 'ETH'), total: '10000.000000', held: '55.000000', available: '9945.000000' });
      const g = okEnvelope(await get(`/v1/withdrawals/${w.withdrawal_id}`)).data;
      assert.deepEqual(
        [g.id, g.amount, g.fee, g.status, g.tx_hash, g.error_message, g.confirmed_at],
        [w.withdrawal_id, '50.000000', '5.000000', 'broadcasted', w.tx_hash, null, null],
      );
      assert.equal(g.requested_at, g.broadcast_at);
      emu.confirmWithdrawal(w.withdrawal_id);
      assert.equal(okEnvelope(await get(`/v1/withdrawals/${w.withdrawal_id}`)).data.status, 'confirmed');
      assert.deepEqual([balance('USDT', 'ETH').total, balance('USDT', 'ETH').held], ['9945.000000', '0.000000']);
    });

    it('releases the hold of a failed withdrawal and keeps its error', async () => {
      const w = okEnvelope(await post('/v1/withdrawals', { currency: 'TRX', network: 'TRX', to_address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', amount: '100' })).data;
      assert.equal(w.client_reference, null);
      const failed = await control(emu.url, 'POST', `/_emulator/withdrawals/${w.withdrawal_id}/fail`, { error_message: 'energy exhausted' });
      assert.equal(okEnvelope(failed).data.status, 'failed');
      const g = okEnvelope(await get(`/v1/withdrawals/${w.withdrawal_id}`)).data;
      assert.deepEqual([g.status, g.error_message], ['failed', 'energy exhausted']);
      assert.deepEqual([balance('TRX', 'TRX').total, balance('TRX', 'TRX').held], ['10000.000000', '0.000000']);
      expectCpgError(await control(emu.url, 'POST', `/_emulator/withdrawals/${w.withdrawal_id}/confirm`), 409, /only a broadcasted withdrawal/);
    });

    it('adds the percent fee to the flat fee, rounded up to the currency’s decimals', async () => {
      // USDT on BSC: 0.5 flat + 0.1 %.
      const w = okEnvelope(await post('/v1/withdrawals', { currency: 'USDT', network: 'BSC', to_address: TO, amount: '123.456' })).data;
      assert.equal(w.fee_decimal, '0.623456000000000000');
      assert.equal(balance('USDT', 'BSC').held, '124.079456000000000000');
    });

    it('replays a client_reference with the same request (no second payout) and refuses it with another (409)', async () => {
      const body = { currency: 'USDT', network: 'ETH', to_address: TO, amount: '20', client_reference: 'payout-7' };
      const first = okEnvelope(await post('/v1/withdrawals', body)).data;
      const again = okEnvelope(await post('/v1/withdrawals', { ...body, amount: '20.000' })).data;
      assert.deepEqual(again, first);
      assert.equal(balance('USDT', 'ETH').held, '25.000000', 'held once');
      expectCpgError(await post('/v1/withdrawals', { ...body, amount: '21' }), 409, 'client_reference already used with different parameters');
      // Even after the first one was confirmed, and long after.
      emu.confirmWithdrawal(first.withdrawal_id);
      clock.advance(7 * 24 * 3600);
      assert.deepEqual(okEnvelope(await post('/v1/withdrawals', body)).data, first);
    });

    it('refuses with 400 in order: not enabled, address, minimum, decimals, balance — holding nothing', async () => {
      const w = (extra: Record<string, unknown>) => post('/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: TO, amount: '50', ...extra });
      expectCpgError(await w({ currency: 'DAI' }), 400, 'DAI on ETH is not enabled for withdrawals on this account');
      expectCpgError(await w({ to_address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', amount: '1' }), 400, 'Invalid destination address for network ETH');
      expectCpgError(await w({ amount: '9.99' }), 400, 'Amount is below the minimum withdrawal amount of 10.000000 USDT');
      expectCpgError(await w({ amount: '10.1234567' }), 400, 'Amount has more decimal places than USDT allows (6)');
      expectCpgError(await w({ amount: '9996' }), 400, 'Insufficient balance: 10001.000000 USDT needed (amount plus fee 5.000000), 10000.000000 available');
      okEnvelope(await w({ amount: '9995' }));
      assert.equal(balance('USDT', 'ETH').available, '0.000000');
      expectCpgError(await get('/v1/withdrawals/4242'), 404, 'Withdrawal not found');
    });
  });

  describe('transactions', () => {
    it('lists newest first in cursor pages: next_cursor is the last id, rows below it follow', async () => {
      emu.seedTransactions({ count: 7 });
      const p1 = okEnvelope(await get('/v1/transactions?limit=3'));
      assert.deepEqual(p1.data.map((t: { id: number }) => t.id), [7, 6, 5]);
      assert.deepEqual([p1.data_count, p1.next_cursor, p1.has_more], [3, 5, true]);
      const p2 = okEnvelope(await get('/v1/transactions?limit=3&cursor=5'));
      assert.deepEqual(p2.data.map((t: { id: number }) => t.id), [4, 3, 2]);
      const p3 = okEnvelope(await get('/v1/transactions?limit=3&cursor=2'));
      assert.deepEqual([p3.data.map((t: { id: number }) => t.id), p3.data_count, p3.next_cursor, p3.has_more], [[1], 1, null, false]);
      assert.deepEqual(Object.keys(p3.data[0]), ['id', 'tx_hash', 'direction', 'status', 'currency', 'network', 'from_address', 'to_address', 'amount_decimal', 'confirmations', 'block_number', 'created_at', 'confirmed_at']);
      assert.equal(p3.data[0].amount_decimal, '1.000000');
    });

    it('reports has_more on an exactly full last page, then an empty page (no look-ahead)', async () => {
      emu.seedTransactions({ count: 4 });
      const p1 = okEnvelope(await get('/v1/transactions?limit=2&cursor=3'));
      assert.deepEqual([p1.data.map((t: { id: number }) => t.id), p1.next_cursor, p1.has_more], [[2, 1], 1, true]);
      const p2 = okEnvelope(await get('/v1/transactions?limit=2&cursor=1'));
      assert.deepEqual([p2.data, p2.data_count, p2.next_cursor, p2.has_more], [[], 0, null, false]);
    });

    it('defaults to 50 rows, filters by direction, currency, network and status', async () => {
      emu.seedTransactions({ count: 60 });
      emu.seedTransactions({ count: 2, direction: 'withdrawal', currency: 'TRX', network: 'TRX' });
      const d = okEnvelope(await post('/v1/deposit-addresses', { currency: 'ETH', network: 'ETH' })).data;
      emu.simulateDeposit({ request_id: d.request_id, amount: '0.5' });
      assert.equal(okEnvelope(await get('/v1/transactions')).data_count, 50);
      const out = okEnvelope(await get('/v1/transactions?direction=withdrawal&currency=TRX&network=TRX'));
      assert.deepEqual(out.data.map((t: { direction: string }) => t.direction), ['withdrawal', 'withdrawal']);
      const pending = okEnvelope(await get('/v1/transactions?status=pending'));
      assert.deepEqual([pending.data_count, pending.data[0].currency, pending.data[0].block_number > 0], [1, 'ETH', true]);
    });

    it('shows the rows a withdrawal, a deposit and its sweep make', async () => {
      const d = okEnvelope(await post('/v1/deposit-addresses', { currency: 'USDT', network: 'ETH' })).data;
      const dep = emu.simulateDeposit({ request_id: d.request_id, amount: '30' });
      emu.confirmDeposit(dep.tx_hash as string);
      emu.sweepDeposit(dep.tx_hash as string);
      const w = okEnvelope(await post('/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: TO, amount: '10' })).data;
      const rows = okEnvelope(await get('/v1/transactions')).data as Array<Record<string, unknown>>;
      assert.deepEqual(rows.map((r) => [r.direction, r.status, r.currency]), [
        ['withdrawal', 'broadcasted', 'USDT'],
        ['sweep', 'confirmed', 'USDT'],
        ['gas_topup', 'confirmed', 'ETH'],
        ['deposit', 'confirmed', 'USDT'],
      ]);
      assert.equal(rows[0]!.tx_hash, w.tx_hash);
      assert.equal(rows[0]!.from_address, okEnvelope(await get('/v1/hot-wallet-address?network=ETH')).data.address);
      assert.equal(rows[3]!.to_address, d.address);
    });
  });

  describe('balances, currencies, hot wallet, ping', () => {
    it('lists balances and currencies with data_count and without cursor fields', async () => {
      const b = okEnvelope(await get('/v1/balances'));
      assert.equal(b.data_count, b.data.length);
      assert.ok(!('next_cursor' in b) && !('has_more' in b));
      assert.deepEqual(b.data[0], { ...b.data[0], currency: 'USDT', network: 'ETH', total: '10000.000000', held: '0.000000', available: '10000.000000' });
      const c = okEnvelope(await get('/v1/currencies'));
      assert.ok(!('next_cursor' in c));
      assert.deepEqual(c.data[0], {
        currency: 'USDT',
        network: 'ETH',
        name: 'Tether USD',
        is_token: true,
        contract_address: '0xdac17f958d2ee523a2206206994597c13d831ec7',
        decimals: 6,
        deposit_enabled: true,
        withdrawal_enabled: true,
        min_deposit_amount: '0.000000000000000000',
        min_withdrawal_amount: '10.000000000000000000',
        withdrawal_fee_flat: '5.000000000000000000',
        withdrawal_fee_percent: '0.000000',
      });
      assert.ok(!c.data.some((row: { currency: string }) => row.currency === 'BTC'), 'a disabled currency is not listed');
      assert.ok(c.data.some((row: { currency: string; withdrawal_enabled: boolean }) => row.currency === 'DAI' && !row.withdrawal_enabled));
    });

    it('gives one hot wallet per network, upper-casing the code; 404s as documented', async () => {
      const eth = okEnvelope(await get('/v1/hot-wallet-address?network=eth')).data;
      assert.equal(eth.network, 'ETH');
      assert.match(eth.address, /^0x[0-9a-f]{40}$/);
      assert.equal(okEnvelope(await get('/v1/hot-wallet-address?network=ETH')).data.address, eth.address);
      assert.match(okEnvelope(await get('/v1/hot-wallet-address?network=TRX')).data.address, /^T/);
      expectCpgError(await get('/v1/hot-wallet-address?network=DOGE'), 404, 'Network not found');
      expectCpgError(await get('/v1/hot-wallet-address?network=BTC'), 404, 'Hot wallet has not been allocated for this network. Enable at least one currency first.');
    });
  });

  it('reset forgets the data, restores balances and keeps keys and webhooks', async () => {
    emu.registerWebhook({ url: 'http://127.0.0.1:9/none', events: ['deposit.detected'] });
    okEnvelope(await post('/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: TO, amount: '20', client_reference: 'r' }));
    assert.equal(okEnvelope(await control(emu.url, 'POST', '/_emulator/reset')).data.reset, true);
    assert.equal(balance('USDT', 'ETH').held, '0.000000');
    assert.equal(okEnvelope(await get('/v1/transactions')).data_count, 0);
    expectCpgError(await get('/v1/withdrawals/501'), 404, 'Withdrawal not found');
    assert.equal(emu.webhooks().length, 1);
    okEnvelope(await get('/v1/_ping'));
  });
});
