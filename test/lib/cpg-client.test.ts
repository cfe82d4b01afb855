import assert from 'node:assert/strict';
import { CpgEmulator } from '../../emulator/cpg';
import { CpgClient } from '../../lib/providers/cpg';
import { GatewayError } from '../../lib/errors';

const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

describe('CpgClient against the CPG emulator', () => {
  let emu: CpgEmulator;
  let client: CpgClient;

  beforeEach(async () => {
    emu = new CpgEmulator({ keys: [{ keyId: 'k', secret: 's' }], timeScale: 0.001 });
    await emu.start(0);
    client = new CpgClient({ baseUrl: emu.url, keyId: 'k', secret: 's' });
  });
  afterEach(async () => {
    await client.close();
    await emu.stop();
  });

  const gatewayError = async (p: Promise<unknown>): Promise<GatewayError> => {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof GatewayError, String(err));
      return err;
    }
    assert.fail('expected a GatewayError');
  };

  it('signs every attempt afresh: identical requests within one second are not replays', async () => {
    const fixed = Date.now();
    const sameSecond = new CpgClient({ baseUrl: emu.url, keyId: 'k', secret: 's', now: () => fixed });
    try {
      for (let i = 0; i < 5; i++) assert.equal(((await sameSecond.ping()) as { pong: boolean }).pong, true);
      await Promise.all([sameSecond.balances(), sameSecond.balances(), sameSecond.balances()]);
    } finally {
      await sameSecond.close();
    }
    assert.equal(emu.requestCount('k'), 8);
  });

  it('turns the emulator’s answers into typed errors', async () => {
    const invalid = await gatewayError(client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: 'x', amount: '-1' }));
    assert.deepEqual([invalid.httpStatus, invalid.code, invalid.details.map((d) => d.field)], [422, 'invalid', ['to_address', 'amount']]);
    const poor = await gatewayError(client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: TO, amount: '999999' }));
    assert.deepEqual([poor.httpStatus, poor.code], [400, 'insufficient_balance']);
    const min = await gatewayError(client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: TO, amount: '1' }));
    assert.equal(min.code, 'below_minimum');
    const address = await gatewayError(client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', amount: '20' }));
    assert.equal(address.code, 'invalid_address');
    const disabled = await gatewayError(client.createWithdrawal({ currency: 'DAI', network: 'ETH', to_address: TO, amount: '20' }));
    assert.equal(disabled.code, 'currency_not_enabled');
    await client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: TO, amount: '20', client_reference: 'ref-1' });
    const conflict = await gatewayError(client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: TO, amount: '21', client_reference: 'ref-1' }));
    assert.deepEqual([conflict.httpStatus, conflict.code], [409, 'idempotency_conflict']);
    assert.equal((await gatewayError(client.withdrawal(999))).code, 'not_found');
    assert.equal((await gatewayError(client.hotWalletAddress('BTC'))).code, 'not_found');

    const skewed = new CpgClient({ baseUrl: emu.url, keyId: 'k', secret: 's', now: () => Date.now() - 400_000 });
    const wrongSecret = new CpgClient({ baseUrl: emu.url, keyId: 'k', secret: 'nope' });
    const unknown = new CpgClient({ baseUrl: emu.url, keyId: 'who', secret: 's' });
    try {
      assert.match((await gatewayError(skewed.ping())).code, /^clock_skew$/);
      assert.equal((await gatewayError(wrongSecret.ping())).code, 'bad_signature');
      assert.equal((await gatewayError(unknown.ping())).code, 'unauthenticated');
    } finally {
      await Promise.all([skewed.close(), wrongSecret.close(), unknown.close()]);
    }
  });

  it('reports a permission, IP or rate-limit refusal with its code; the 429 is retryable', async () => {
    emu.addKey({ keyId: 'limited', secret: 'l', permissions: ['list_currencies'], rateLimitPerMin: 2 });
    emu.addKey({ keyId: 'remote', secret: 'r', ipWhitelist: ['192.0.2.1'] });
    // One attempt and no client-side limit, so the gateway's own 429 reaches the caller.
    const limited = new CpgClient({ baseUrl: emu.url, keyId: 'limited', secret: 'l', reliability: { deadlineMs: 0, rateLimit: 0 } });
    const remote = new CpgClient({ baseUrl: emu.url, keyId: 'remote', secret: 'r' });
    try {
      assert.equal((await gatewayError(remote.ping())).code, 'ip_not_allowed');
      assert.equal((await gatewayError(limited.balances())).code, 'forbidden');
      await limited.currencies();
      const limit = await gatewayError(limited.currencies());
      assert.deepEqual([limit.code, limit.retryable], ['rate_limit_exceeded', true]);
    } finally {
      await Promise.all([limited.close(), remote.close()]);
    }
  });

  it('pages transactions by next_cursor, including an exactly full last page', async () => {
    emu.seedTransactions({ count: 6 });
    const pages: number[][] = [];
    for await (const page of client.transactions({ limit: 3 }).pages()) pages.push(page.items.map((t) => t.id));
    assert.deepEqual(pages, [[6, 5, 4], [3, 2, 1], []]);
    const all = await client.transactions({ limit: 4, direction: 'deposit' }).toArray(100);
    assert.deepEqual(all.map((t) => t.id), [6, 5, 4, 3, 2, 1]);
  });
});
