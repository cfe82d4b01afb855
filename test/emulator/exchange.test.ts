import assert from 'node:assert/strict';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { HttpResult, Transaction } from './helpers';
import { UUID_RE, api, data, expectError, list, rawRequest, recordedData } from './helpers';
import { RECORDED_COINS, RECORDED_EXCHANGE_TRANSFER } from './recorded';

interface ExchangeTransfer {
  id: string;
  charged_amount: string;
  charged_currency: string;
  received_amount: string;
  received_currency: string;
  custom_id: string | null;
  exchange: { pair: string; rate: string; fee: string; fee_currency: string };
}

describe('emulator exchange transfers', () => {
  const emu = new CryptopayEmulator();
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock });
  const transfer = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    charged_currency: 'EUR',
    charged_amount: '100.0',
    received_currency: 'BTC',
    received_amount: null,
    force_commit: true,
    ...extra,
  });

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('force_commit: 201 with the recorded keys and values; two ledger rows with status null', async () => {
    const res = await call('POST', '/api/exchange_transfers', transfer());
    assert.equal(res.status, 201, res.text);
    const t = data<ExchangeTransfer>(res);
    const recorded = recordedData<ExchangeTransfer>(RECORDED_EXCHANGE_TRANSFER);
    assert.deepEqual(Object.keys(t), Object.keys(recorded));
    assert.match(t.id, UUID_RE);
    // same request and rate as the 2023 recording → same amounts
    assert.deepEqual({ ...t, id: recorded.id }, recorded);
    assert.deepEqual([emu.balances().EUR, emu.balances().BTC], ['9900.0', '1.00333377']);
    const rows = list<Transaction>(await call('GET', '/api/transactions?reference_type=ExchangeTransfer')).data;
    assert.deepEqual(
      rows.map((r) => [r.currency, r.amount, r.fee, r.status, r.reference_id]),
      [
        ['BTC', '0.00333377', '0.0', null, t.id],
        ['EUR', '-100.0', '1.0', null, t.id],
      ],
    );
    assert.deepEqual(data(await call('GET', `/api/exchange_transfers/${t.id}`)), t);
    expectError(await call('GET', '/api/exchange_transfers/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11'), 404, 'not_found');
    expectError(await call('GET', '/api/exchange_transfers'), 405, 'method_not_allowed');
  });

  it('received_amount: the fee is added on top of its value; other directions and crypto pairs', async () => {
    const byReceived = data<ExchangeTransfer>(await call('POST', '/api/exchange_transfers', transfer({ charged_amount: null, received_amount: '0.01' })));
    assert.deepEqual([byReceived.charged_amount, byReceived.received_amount, byReceived.exchange.fee], ['299.94', '0.01', '2.97']);
    const sell = data<ExchangeTransfer>(await call('POST', '/api/exchange_transfers', transfer({ charged_currency: 'BTC', charged_amount: '0.1', received_currency: 'EUR' })));
    assert.deepEqual(sell.exchange, { pair: 'BTCEUR', rate: '28435.6646', fee: '0.001', fee_currency: 'BTC' });
    assert.equal(sell.received_amount, '2815.13'); // 0.099 × 28435.6646 rounded down
    const cross = data<ExchangeTransfer>(await call('POST', '/api/exchange_transfers', transfer({ charged_currency: 'USDT', charged_amount: '100', received_currency: 'ETH' })));
    assert.equal(cross.charged_currency, 'USDT');
    assert.ok(Number(cross.received_amount) > 0);
  });

  it('two-step: nothing moves until the commit; 409 already_committed and expired', async () => {
    const t = data<ExchangeTransfer>(await call('POST', '/api/exchange_transfers', transfer({ force_commit: false, custom_id: 'X-1' })));
    assert.equal(t.custom_id, 'X-1');
    assert.equal(emu.balances().EUR, '10000.0');
    const committed = await call('POST', `/api/exchange_transfers/${t.id}/commit`);
    assert.equal(committed.status, 200, committed.text);
    assert.deepEqual(data(committed), t);
    assert.equal(emu.balances().EUR, '9900.0');
    expectError(await call('POST', `/api/exchange_transfers/${t.id}/commit`), 409, 'already_committed');
    expectError(await call('POST', '/api/exchange_transfers', transfer({ custom_id: 'X-1' })), 409, 'duplicate_custom_id');

    const late = data<ExchangeTransfer>(await call('POST', '/api/exchange_transfers', transfer({ force_commit: false })));
    emu.advanceClock(30.5);
    expectError(await call('POST', `/api/exchange_transfers/${late.id}/commit`), 409, 'expired');
    assert.equal(emu.balances().EUR, '9900.0');
  });

  it('validation: exactly one amount, currencies, balance', async () => {
    const both = expectError(await call('POST', '/api/exchange_transfers', transfer({ received_amount: '0.1' })), 422, 'invalid');
    assert.deepEqual(both.error.details.map((d) => `${d.target}:${d.code}`), ['received_amount:must_be_empty']);
    const none = expectError(await call('POST', '/api/exchange_transfers', transfer({ charged_amount: null })), 422, 'invalid');
    assert.deepEqual(none.error.details.map((d) => `${d.target}:${d.code}`), ['charged_amount:required']);
    const same = expectError(await call('POST', '/api/exchange_transfers', transfer({ received_currency: 'EUR' })), 422, 'invalid');
    assert.deepEqual(same.error.details.map((d) => `${d.target}:${d.code}`), ['received_currency:unsupported_pair']);
    const unknown = expectError(await call('POST', '/api/exchange_transfers', transfer({ charged_currency: 'XXX', force_commit: 'yes' })), 422, 'invalid');
    assert.deepEqual(unknown.error.details.map((d) => `${d.target}:${d.code}`), ['charged_currency:must_be_included_in', 'force_commit:must_be_boolean']);
    const poor = expectError(await call('POST', '/api/exchange_transfers', transfer({ charged_amount: '10000.01' })), 422, 'invalid');
    assert.deepEqual(poor.error.details, [{ code: 'must_be_less_than_or_equal', target: 'charged_amount', message: 'must be less than or equal to 10000.0', args: { value: '10000.0' } }]);
    const poorReceived = expectError(await call('POST', '/api/exchange_transfers', transfer({ charged_currency: 'GBP', charged_amount: null, received_amount: '0.01' })), 422, 'invalid');
    assert.deepEqual(poorReceived.error.details[0]?.target, 'received_amount');
    assert.deepEqual(poorReceived.error.details[0]?.args, { value: '0.0' });
  });
});

describe('emulator coins, rates and cross-cutting API rules', () => {
  const emu = new CryptopayEmulator({ rateLimitPerMinute: 12 });
  let base = '';
  const clock = (): number => emu.now();

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('GET /api/coins: no meta, exactly the recorded 2023 list', async () => {
    const res = await api(base, 'GET', '/api/coins', undefined, { clock });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json as object), ['data']);
    assert.deepEqual(data(res), recordedData(RECORDED_COINS));
  });

  it('GET /api/rates has every pair twice (BTCEUR and BTC/EUR)', async () => {
    const rates = data<Record<string, unknown>>(await api(base, 'GET', '/api/rates', undefined, { clock }));
    assert.deepEqual(rates.BTCEUR, { buy_rate: '29699.2676', sell_rate: '28435.6646' });
    assert.deepEqual(rates['BTC/EUR'], rates.BTCEUR);
    assert.equal(Object.keys(rates).length % 2, 0);
  });

  it('auth, Date window, requestCount and the rate limit apply to every new route', async () => {
    const routes = ['/api/accounts', '/api/transactions', '/api/coin_withdrawals', '/api/channels', '/api/customers', '/api/subscriptions', '/api/coins', '/api/coin_withdrawals/network_fees'];
    for (const target of routes) {
      expectError(await rawRequest(base, 'GET', target, {}), 401, 'unauthenticated');
      expectError(await api(base, 'GET', target, undefined, { clock, secret: 'wrong' }), 401, 'unauthenticated');
      expectError(await api(base, 'GET', target, undefined, { date: new Date(emu.now() - 16 * 60_000).toUTCString() }), 401, 'unauthenticated');
    }
    expectError(await rawRequest(base, 'POST', '/api/exchange_transfers', { 'Content-Type': 'application/json' }, '{}'), 401, 'unauthenticated');
    assert.equal(emu.requestCount(), 0, 'refused requests are not counted');
    for (const target of routes) assert.equal((await api(base, 'GET', target, undefined, { clock })).status, 200, target);
    assert.equal(emu.requestCount(), routes.length);
    const bodies = [];
    for (let i = 0; i < 5; i += 1) bodies.push(await api(base, 'GET', '/api/accounts', undefined, { clock }));
    assert.deepEqual(bodies.map((r) => r.status), [200, 200, 200, 200, 429]);
    expectError(bodies[4] as HttpResult, 429, 'rate_limit_exceeded');
  });
});
