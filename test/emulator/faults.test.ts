import assert from 'node:assert/strict';
import { ApiError, CryptopayEmulator } from '../../emulator/cryptopay';
import type { HttpResult, Withdrawal } from './helpers';
import { api, control, data, expectError, list, rawRequest } from './helpers';

const PAYOUT = { address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ', charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '100.0', force_commit: true };

describe('emulator fault injection', () => {
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock });
  const withdrawals = async (): Promise<Withdrawal[]> => list<Withdrawal>(await call('GET', '/api/coin_withdrawals')).data;

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('drop_after_commit: processed and debited, the client gets a socket error; a retry with the same custom_id cannot pay twice', async () => {
    emu.injectFault({ method: 'POST', path: /^\/api\/coin_withdrawals$/, mode: 'drop_after_commit' });
    const before = emu.requestCount();
    await assert.rejects(call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'pay-once' }), (err: NodeJS.ErrnoException) => {
      assert.ok(['ECONNRESET', 'socket hang up'].some((s) => err.code === s || err.message.includes(s)), err.message);
      return true;
    });
    assert.equal(emu.requestCount(), before + 1, 'authenticated and counted like any request');
    assert.equal(emu.balances().EUR, '9900.0', 'money moved');
    // the retry: the fault fired once (times default 1), the key is already used
    expectError(await call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'pay-once' }), 409, 'duplicate_custom_id');
    const found = data<Withdrawal>(await call('GET', '/api/coin_withdrawals/custom_id/pay-once'));
    assert.equal(found.status, 'pending');
    assert.deepEqual((await withdrawals()).map((w) => w.custom_id), ['pay-once'], 'exactly one withdrawal');
    assert.equal(emu.balances().EUR, '9900.0', 'debited once');
  });

  it('drop_after_commit also drops error responses (the request was still processed)', async () => {
    emu.injectFault({ path: '^/api/coin_withdrawals$', mode: 'drop_after_commit', times: 2 });
    await assert.rejects(call('POST', '/api/coin_withdrawals', { ...PAYOUT, charged_amount: '99999999' }));
    await assert.rejects(call('POST', '/api/coin_withdrawals', PAYOUT));
    assert.equal((await withdrawals()).length, 1);
  });

  it('drop_before: the socket is destroyed before anything happens', async () => {
    emu.injectFault({ method: 'post', path: '^/api/coin_withdrawals$', mode: 'drop_before' });
    const before = emu.requestCount();
    await assert.rejects(call('POST', '/api/coin_withdrawals', PAYOUT));
    assert.equal(emu.requestCount(), before, 'not authenticated, not counted');
    assert.deepEqual(await withdrawals(), []);
    assert.equal(emu.balances().EUR, '10000.0');
    assert.equal((await call('POST', '/api/coin_withdrawals', PAYOUT)).status, 201, 'the fault fired once');
  });

  it('status: the standard envelope with the status, unprocessed, `times` times; only for the method given', async () => {
    emu.injectFault({ method: 'POST', path: /coin_withdrawals/, mode: 'status', status: 503, times: 2 });
    for (let i = 0; i < 2; i += 1) {
      // GETs on the same path are not affected
      assert.equal((await call('GET', '/api/coin_withdrawals')).status, 200);
      const b = expectError(await call('POST', '/api/coin_withdrawals', PAYOUT), 503, 'service_unavailable');
      assert.deepEqual(b.error, { code: 'service_unavailable', message: 'service unavailable', details: [] });
    }
    assert.deepEqual(await withdrawals(), []);
    assert.equal((await call('POST', '/api/coin_withdrawals', PAYOUT)).status, 201);

    emu.injectFault({ path: '^/api/invoices', mode: 'status' });
    expectError(await call('GET', '/api/invoices?customer_id=x'), 503, 'service_unavailable');
    emu.injectFault({ path: '^/api/rates', mode: 'status', status: 500 });
    expectError(await rawRequest(base, 'GET', '/api/rates', {}), 500, 'internal_error');
  });

  it('faults apply to /api only; bad faults are refused', async () => {
    emu.injectFault({ path: '.*', mode: 'drop_before', times: 5 });
    assert.equal((await rawRequest(base, 'GET', '/_emulator/health', {})).status, 200);
    emu.clearFaults();
    assert.equal((await call('GET', '/api/accounts')).status, 200);
    assert.throws(() => emu.injectFault({ path: '(', mode: 'status' }), (err: unknown) => err instanceof ApiError && err.status === 422);
    assert.throws(() => emu.injectFault({ path: 'x', mode: 'explode' as 'status' }), ApiError);
    assert.throws(() => emu.injectFault({ path: 'x', mode: 'status', status: 200 }), ApiError);
    assert.throws(() => emu.injectFault({ path: 'x', mode: 'status', times: 0 }), ApiError);
  });

  it('HTTP control: POST /_emulator/faults (path as a regex source), GET lists, DELETE clears', async () => {
    const added = await control(base, 'POST', '/_emulator/faults', { method: 'POST', path: '^/api/coin_withdrawals/[^/]+/commit$', mode: 'drop_after_commit' });
    assert.equal(added.status, 201, added.text);
    assert.deepEqual(data(added), { method: 'POST', path: '^/api/coin_withdrawals/[^/]+/commit$', mode: 'drop_after_commit', status: null, times: 1 });
    const w = data<Withdrawal>(await call('POST', '/api/coin_withdrawals', { ...PAYOUT, force_commit: false }));
    await assert.rejects(call('POST', `/api/coin_withdrawals/${w.id}/commit`));
    expectError(await call('POST', `/api/coin_withdrawals/${w.id}/commit`), 409, 'already_committed');
    assert.equal(emu.balances().EUR, '9900.0');

    await control(base, 'POST', '/_emulator/faults', { path: '^/api/', mode: 'status', status: 502, times: 3 });
    assert.equal(data<unknown[]>(await control(base, 'GET', '/_emulator/faults')).length, 1);
    assert.equal((await control(base, 'DELETE', '/_emulator/faults')).status, 204);
    assert.deepEqual(data(await control(base, 'GET', '/_emulator/faults')), []);
    assert.equal((await call('GET', '/api/accounts')).status, 200);
    expectError(await control(base, 'POST', '/_emulator/faults', { path: '[', mode: 'status' }), 422, 'invalid');
    expectError(await control(base, 'POST', '/_emulator/faults', { mode: 'status' }), 422, 'invalid');
  });
});
