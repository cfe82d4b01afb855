import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { CpgEmulator } from '../../emulator/cpg';
import { CpgClient, withdrawalIdOf } from '../../lib/providers/cpg';
import { collect, delay, expectRouted, helper, loadFlow } from '../support/node-red';
import type { FlowNode, LoadOptions, LoadedFlow } from '../support/node-red';
import { CPG_KEY_ID, CPG_SECRET, CPG_WEBHOOK_SECRET, cpgCredentials, gatewayConfig, startCpgEmulator } from '../support/emulator';

type Msg = Record<string, any>;

const PATH = '/cpg/webhook';
const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

function webhookFlow(emulator: CpgEmulator): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    gatewayConfig(emulator, 'gw', 'cpg'),
    { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: PATH, wires: [['out', 'router']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'router', type: 'paywire-status', z: 'tab', granularity: 'group', outputs: 5, wires: [['open'], ['paid'], ['attention'], ['refunded'], ['closed']] },
    { id: 'open', type: 'helper', z: 'tab' },
    { id: 'paid', type: 'helper', z: 'tab' },
    { id: 'attention', type: 'helper', z: 'tab' },
    { id: 'refunded', type: 'helper', z: 'tab' },
    { id: 'closed', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ];
}

// Signed here with node:crypto, apart from lib/ and the emulator (reference §9).
const sign = (timestamp: number | string, body: string, secret = CPG_WEBHOOK_SECRET): string => createHmac('sha256', secret).update(`${timestamp}\n${body}`).digest('hex');

function envelope(id: number, event: string, data: Record<string, unknown>): string {
  return JSON.stringify({ id, event, created_at: '2027-01-15T08:00:00Z', api_version: '1', data });
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, text: await res.text() };
}

function signedHeaders(id: number, event: string, body: string, at = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'x-cpg-event': event, 'x-cpg-delivery': String(id), 'x-cpg-timestamp': String(at), 'x-cpg-signature': sign(at, body) };
}

describe('paywire-callback with CPG webhooks', function () {
  let emulator: CpgEmulator;
  let flow: LoadedFlow | undefined;
  let client: CpgClient;

  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  beforeEach(async () => {
    emulator = await startCpgEmulator();
    client = new CpgClient({ baseUrl: emulator.url, keyId: CPG_KEY_ID, secret: CPG_SECRET });
  });
  afterEach(async () => {
    await flow?.close();
    flow = undefined;
    await helper.unload();
    await client.close();
    await emulator.stop();
  });

  async function load(options: LoadOptions = {}, target: CpgEmulator = emulator): Promise<string> {
    flow = await loadFlow(webhookFlow(target), { gw: cpgCredentials() }, options);
    return `${flow.httpUrl}${PATH}`;
  }

  for (const productionLike of [false, true]) {
    it(`turns the emulator's real deliveries of all six events into one message each, mapped${productionLike ? ' (behind the editor JSON parser)' : ''}`, async () => {
      const url = await load({ productionLike });
      emulator.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET });
      const out = collect('out');
      const paid = collect('paid');
      const closed = collect('closed');
      const routed = Object.fromEntries(['open', 'attention', 'refunded', 'caught'].map((id) => [id, collect(id)]));

      const address = await client.createDepositAddress({ currency: 'USDT', network: 'ETH', user_identifier: 'user-9' });
      const deposit = emulator.simulateDeposit({ request_id: address.request_id, amount: '25' });
      emulator.confirmDeposit(deposit.tx_hash as string);
      emulator.sweepDeposit(deposit.tx_hash as string);
      const good = await client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: TO, amount: '10', client_reference: 'ok-1' });
      emulator.confirmWithdrawal(withdrawalIdOf(good));
      const bad = await client.createWithdrawal({ currency: 'USDT', network: 'ETH', to_address: TO, amount: '12', client_reference: 'bad-1' });
      emulator.failWithdrawal(withdrawalIdOf(bad), 'nonce too low');

      const msgs = (await out.next(7)) as Msg[];
      assert.deepEqual(
        msgs.map((m) => [m.paywire.event, m.paywire.resource, m.paywire.state, m.paywire.final]),
        [
          ['deposit.detected', 'deposit', 'confirming', false],
          ['deposit.confirmed', 'deposit', 'completed', true],
          ['deposit.swept', 'deposit', 'completed', true],
          ['withdrawal.broadcasted', 'withdrawal', 'confirming', false],
          ['withdrawal.confirmed', 'withdrawal', 'completed', true],
          ['withdrawal.broadcasted', 'withdrawal', 'confirming', false],
          ['withdrawal.failed', 'withdrawal', 'failed', true],
        ],
      );
      assert.deepEqual(msgs.slice(0, 3).map((m) => m.paywire.id), Array(3).fill(String(address.request_id)));
      assert.deepEqual(msgs.slice(3).map((m) => m.paywire.id), [good, good, bad, bad].map((w) => String(w.withdrawal_id)));
      assert.deepEqual([msgs[0]!.payload.amount, msgs[0]!.payload.user_identifier, msgs[0]!.payload.tx_hash], ['25.000000', 'user-9', deposit.tx_hash]);
      assert.equal(msgs[6]!.payload.error_message, 'nonce too low');
      await emulator.waitForDeliveries(7);
      assert.ok(emulator.deliveries().every((d) => d.state === 'delivered' && d.attempts.length === 1 && d.attempts[0]!.status === 200));
      // Exactly one message per delivery, and the router behind: three open, three paid, one closed.
      await expectRouted({ out: 7, open: 3, paid: 3, attention: 0, refunded: 0, closed: 1, caught: 0 }, { out, paid, closed, ...routed });
    });
  }

  it('accepts a hand-signed delivery once; the same X-CPG-Delivery again gets 2xx and no message', async () => {
    const url = await load({ productionLike: true });
    const out = collect('out');
    const body = envelope(77, 'deposit.confirmed', { deposit_request_id: 5, amount: '1.000000', currency: 'USDT', network: 'ETH', tx_hash: '0xabc' });
    const first = await post(url, body, signedHeaders(77, 'deposit.confirmed', body));
    assert.equal(first.status, 200, first.text);
    const [msg] = (await out.next(1)) as Msg[];
    assert.deepEqual(msg!.paywire, { provider: 'cpg', resource: 'deposit', id: '5', state: 'completed', reason: null, final: true, event: 'deposit.confirmed' });
    // A retry: same id and body, a later timestamp and its own signature.
    const second = await post(url, body, signedHeaders(77, 'deposit.confirmed', body, Math.floor(Date.now() / 1000) + 2));
    assert.equal(second.status, 200);
    await delay(100);
    assert.equal(out.messages.length, 1);
  });

  it('suppresses the emulator’s redelivery of a delivery it already took, across a redeploy too', async () => {
    const url = await load();
    emulator.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET, events: ['deposit.detected'] });
    const out = collect('out');
    const address = await client.createDepositAddress({ currency: 'TRX', network: 'TRX' });
    emulator.simulateDeposit({ request_id: address.request_id, amount: '3' });
    await out.next(1);
    const [delivery] = await emulator.waitForDeliveries(1);
    const again = await emulator.redeliver(delivery!.id);
    assert.deepEqual(again.attempts.map((a) => a.status), [200, 200], 'the duplicate is answered 2xx');
    await helper.setFlows(webhookFlow(emulator), 'full');
    const afterDeploy = collect('out');
    await emulator.redeliver(delivery!.id);
    await delay(100);
    assert.equal(out.messages.length, 1);
    assert.equal(afterDeploy.messages.length, 0);
  });

  it('answers 401 and emits nothing for a stale, unsigned, wrongly signed or tampered webhook', async () => {
    const url = await load({ productionLike: true });
    const out = collect('out');
    const body = envelope(90, 'withdrawal.confirmed', { id: 501, status: 'confirmed', amount: '10.000000' });
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string, Record<string, string>]> = [
      ['older than 300 s', body, signedHeaders(90, 'withdrawal.confirmed', body, now - 301)],
      ['from the future', body, signedHeaders(90, 'withdrawal.confirmed', body, now + 400)],
      ['unsigned', body, { 'x-cpg-event': 'withdrawal.confirmed', 'x-cpg-delivery': '90' }],
      ['no timestamp', body, { 'x-cpg-delivery': '90', 'x-cpg-signature': sign(now, body) }],
      ['another secret', body, { ...signedHeaders(90, 'withdrawal.confirmed', body), 'x-cpg-signature': sign(now, body, 'not-the-secret') }],
      ['tampered', body.replace('10.000000', '99.000000'), signedHeaders(90, 'withdrawal.confirmed', body)],
      ['signature of another timestamp', body, { ...signedHeaders(90, 'withdrawal.confirmed', body), 'x-cpg-timestamp': String(now - 1) }],
    ];
    for (const [what, text, headers] of cases) {
      const res = await post(url, text, headers);
      assert.equal(res.status, 401, what);
      assert.doesNotMatch(res.text, /secret|cpg-node/, what);
    }
    // A stale delivery is refused however often it comes; the fresh one still gets through once.
    const fresh = await post(url, body, signedHeaders(90, 'withdrawal.confirmed', body));
    assert.equal(fresh.status, 200);
    await out.next(1);
    await delay(50);
    assert.equal(out.messages.length, 1);
  });

  it('refuses the emulator’s deliveries while its clock is more than 300 s behind, and the retries keep coming', async () => {
    const late = await startCpgEmulator({ now: () => Date.now() - 400_000, timeScale: 0.0001 });
    try {
      const url = await load({}, late);
      late.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET, events: ['deposit.detected'] });
      const out = collect('out');
      const lateClient = new CpgClient({ baseUrl: late.url, keyId: CPG_KEY_ID, secret: CPG_SECRET, now: () => Date.now() - 400_000 });
      const address = await lateClient.createDepositAddress({ currency: 'USDT', network: 'ETH' });
      await lateClient.close();
      late.simulateDeposit({ request_id: address.request_id, amount: '2' });
      await late.waitForDeliveries(0, 5000, (list) => (list[0]?.attempts.length ?? 0) >= 3);
      const [d] = late.deliveries();
      assert.ok(d!.attempts.every((a) => a.status === 401));
      assert.equal(d!.state, 'pending', 'CPG keeps retrying');
      assert.equal(out.messages.length, 0);
    } finally {
      await late.stop();
    }
  });

  it('acknowledges a signed body that is not a CPG event it knows, or whose header event disagrees, and hands it to Catch once', async () => {
    const url = await load();
    const out = collect('out');
    const caught = collect('caught');
    const now = Math.floor(Date.now() / 1000);
    const notEvent = '{"hello":"world"}';
    assert.equal((await post(url, notEvent, { 'x-cpg-timestamp': String(now), 'x-cpg-signature': sign(now, notEvent) })).status, 200);
    const body = envelope(3, 'deposit.detected', { deposit_request_id: 1 });
    assert.equal((await post(url, body, { ...signedHeaders(3, 'deposit.detected', body), 'x-cpg-event': 'withdrawal.failed' })).status, 200);
    const refunded = envelope(4, 'deposit.refunded', { deposit_request_id: 2 });
    for (let i = 0; i < 2; i++) assert.equal((await post(url, refunded, signedHeaders(4, 'deposit.refunded', refunded))).status, 200, 'a retry is answered too');
    const msgs = (await caught.next(3)) as Msg[];
    assert.deepEqual(msgs.map((m) => m.payload), [JSON.parse(notEvent), JSON.parse(body), JSON.parse(refunded)]);
    assert.ok(msgs.every((m) => m.error.code === 'unexpected_callback'));
    assert.match(msgs[1]!.error.message, /X-CPG-Event header "withdrawal.failed" does not match/);
    await delay(100);
    assert.equal(caught.messages.length, 3, 'the retried delivery 4 was suppressed');
    assert.equal(out.messages.length, 0);
  });
});
