import assert from 'node:assert/strict';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { helper, loadFlow } from '../support/node-red';
import type { LoadedFlow } from '../support/node-red';
import { limitersInUse } from '../../lib/http/shared-limiters';
import { EMU_KEY, EMU_SECRET, gatewayConfig, gatewayCredentials, startCryptopayEmulator } from '../support/emulator';

interface TestAnswer {
  ok: boolean;
  code?: string;
  message: string;
}

describe('paywire-gateway: test connection (admin endpoint)', () => {
  let emulator: CryptopayEmulator;
  let flow: LoadedFlow | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCryptopayEmulator();
    flow = await loadFlow([{ id: 'tab', type: 'tab' }, gatewayConfig(emulator)], { gw: gatewayCredentials() });
  });
  after(async () => {
    await flow?.close();
    await helper.unload();
    await helper.stopServer();
    await emulator.stop();
  });

  async function test(body: Record<string, unknown>, id = 'gw'): Promise<TestAnswer> {
    const res = await helper.request().post(`/paywire/gateways/${id}/test`).send(body).expect(200);
    const answer = res.body as TestAnswer;
    // Whatever the outcome, no credential comes back.
    for (const secret of [EMU_SECRET, 'typed-wrong-secret-93']) assert.ok(!JSON.stringify(answer).includes(secret));
    return answer;
  }

  const settings = (): Record<string, unknown> => ({ provider: 'cryptopay', environment: 'custom', baseUrl: emulator.url, timeout: 5 });

  it('connects with the stored credentials when the dialog sends the password placeholders', async () => {
    const before = emulator.requestCount();
    const answer = await test({ ...settings(), credentials: { apiKey: '__PWRD__', apiSecret: '__PWRD__', callbackSecret: '__PWRD__' } });
    assert.equal(answer.ok, true, answer.message);
    assert.match(answer.message, /Connected to Cryptopay/);
    assert.equal(emulator.requestCount(), before + 1);
  });

  it('uses what was typed in the dialog before deploy', async () => {
    const good = await test({ ...settings(), credentials: { apiKey: EMU_KEY, apiSecret: EMU_SECRET } });
    assert.equal(good.ok, true);
    const bad = await test({ ...settings(), credentials: { apiKey: EMU_KEY, apiSecret: 'typed-wrong-secret-93' } });
    assert.equal(bad.ok, false);
    assert.equal(bad.code, 'unauthenticated');
    assert.match(bad.message, /401/);
  });

  it('says what is wrong with the settings without sending anything', async () => {
    assert.match((await test({ ...settings(), credentials: { apiKey: '', apiSecret: '' } }, 'not-deployed')).message, /Missing credentials: API key, API secret/);
    assert.match((await test({ ...settings(), baseUrl: '' })).message, /custom environment needs a base URL/);
    assert.match((await test({ ...settings(), provider: 'nope' })).message, /Unknown provider "nope"/);
    // Another base URL than the deployed one: only typed credentials go there.
    const unreachable = await test({ ...settings(), baseUrl: 'http://127.0.0.1:1', credentials: { apiKey: EMU_KEY, apiSecret: 'typed-wrong-secret-93' } });
    assert.deepEqual([unreachable.ok, unreachable.code], [false, 'network_error']);
  });

  it('keeps its verdict one line when the settings hold a huge value (found by fuzzing)', async () => {
    const provider = await test({ ...settings(), provider: 'x'.repeat(50_000) });
    assert.equal(provider.ok, false);
    assert.match(provider.message, /^Unknown provider "x+… \(50000 characters\)"$/);
    assert.ok(provider.message.length < 200);
    const environment = await test({ ...settings(), environment: 'e'.repeat(50_000) });
    assert.equal(environment.ok, false);
    assert.match(environment.message, /^The gateway settings can not work: Cryptopay \(cryptopay\.me\) has no e+… \(50044 characters\)$/);
    assert.ok(environment.message.length < 400);
  });

  it('an environment named like an Object.prototype member is just unknown, not a crash (found by fuzzing)', async () => {
    for (const environment of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const answer = await test({ ...settings(), environment });
      assert.equal(answer.ok, false);
      assert.equal(answer.code, 'invalid_input');
      assert.equal(answer.message, `The gateway settings can not work: Cryptopay (cryptopay.me) has no ${environment} environment`);
    }
  });

  it('settings whose objects carry their own toString or valueOf keys get a verdict, not a 500 (found by fuzzing)', async () => {
    const provider = await test({ ...settings(), provider: { toString: 5, valueOf: 'x' } });
    assert.deepEqual([provider.ok, provider.code, provider.message], [false, 'invalid_input', 'Unknown provider "{"toString":5,"valueOf":"x"}"']);
    const timeout = await test({ ...settings(), timeout: { valueOf: 'x', toString: [] }, credentials: { apiKey: '__PWRD__', apiSecret: '__PWRD__' } });
    assert.equal(timeout.ok, true, timeout.message);
  });
});

describe('paywire-gateway: closing', () => {
  let emulator: CryptopayEmulator;

  before(async () => {
    await helper.startServer();
    emulator = await startCryptopayEmulator();
  });
  after(async () => {
    await helper.stopServer();
    await emulator.stop();
  });

  it('opens no new connection for a request that arrives after close (a message caught by a redeploy)', async () => {
    const flow = await loadFlow([{ id: 'tab', type: 'tab' }, gatewayConfig(emulator)], { gw: gatewayCredentials() });
    try {
      const gw = helper.getNode('gw') as unknown as {
        run(resource: string, operation: string, input: Record<string, unknown>, ctx: Record<string, unknown>): Promise<unknown>;
        close(removed: boolean): Promise<void>;
      };
      await gw.run('invoice', 'list', {}, {});
      assert.equal(limitersInUse(), 1, 'the connection joined its rate limiter');
      await gw.close(false);
      assert.equal(limitersInUse(), 0, 'closing left it');
      const before = emulator.requestCount();
      await assert.rejects(gw.run('invoice', 'list', {}, {}), /was stopped \(redeploy or shutdown\); nothing was sent/);
      assert.equal(emulator.requestCount(), before, 'nothing was sent');
      assert.equal(limitersInUse(), 0, 'no new connection (pool, limiter membership) was opened that nothing would close');
    } finally {
      await flow.close();
      await helper.unload();
    }
  });
});

describe('paywire-gateway: the scope of its watch and callback records', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  /** The record scope of gateway "gw" deployed with these settings and credentials. */
  async function scopeOf(baseUrl: string, credentials: Record<string, string>): Promise<string> {
    const flow = await loadFlow([{ id: 'tab', type: 'tab' }, gatewayConfig({ url: baseUrl })], { gw: credentials });
    const scope = (helper.getNode('gw') as unknown as { recordScope: string }).recordScope;
    await flow.close();
    await helper.unload();
    return scope;
  }

  it('changes with the base URL and with the account, and holds neither credential', async () => {
    const sandbox = await scopeOf('http://127.0.0.1:9/sandbox', { apiKey: 'account-a-key', apiSecret: 'account-a-secret' });
    assert.equal(await scopeOf('http://127.0.0.1:9/sandbox', { apiKey: 'account-a-key', apiSecret: 'rotated-secret' }), sandbox, 'a new secret is the same account');
    assert.notEqual(await scopeOf('http://127.0.0.1:9/live', { apiKey: 'account-a-key', apiSecret: 'account-a-secret' }), sandbox, 'another address');
    const otherAccount = await scopeOf('http://127.0.0.1:9/sandbox', { apiKey: 'account-b-key', apiSecret: 'account-b-secret' });
    assert.notEqual(otherAccount, sandbox, 'another account at the same address');
    for (const scope of [sandbox, otherAccount]) assert.doesNotMatch(scope, /account-[ab]-(key|secret)/);
  });
});
