import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Express } from 'express';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { collect, delay, expectRouted, helper, loadFlow, waitUntil } from '../support/node-red';
import type { FlowNode, LoadOptions, LoadedFlow } from '../support/node-red';
import { EMU_CALLBACK_SECRET, gatewayConfig, gatewayCredentials, startCryptopayEmulator } from '../support/emulator';

type Msg = Record<string, any>;

function callbackFlow(emulator: CryptopayEmulator, path = '/cryptopay/callback'): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    gatewayConfig(emulator),
    { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path, wires: [['out', 'router']] },
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

function sign(body: string, secret = EMU_CALLBACK_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, text: await res.text() };
}

describe('paywire-callback', function () {
  let emulator: CryptopayEmulator;
  let flow: LoadedFlow | undefined;

  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  beforeEach(async () => {
    emulator = await startCryptopayEmulator();
  });
  afterEach(async () => {
    await flow?.close();
    flow = undefined;
    await helper.unload();
    await emulator.stop();
  });

  async function load(options: LoadOptions = {}, path?: string): Promise<string> {
    flow = await loadFlow(callbackFlow(emulator, path), { gw: gatewayCredentials() }, options);
    const url = `${flow.httpUrl}${options.httpNodeRoot && options.httpNodeRoot !== '/' ? options.httpNodeRoot : ''}${path ?? '/cryptopay/callback'}`;
    emulator.setCallback(url, EMU_CALLBACK_SECRET);
    return url;
  }

  async function createInvoice(): Promise<string> {
    // Created through the API client, as the invoice node would.
    const { CryptopayClient } = await import('../../lib/providers/cryptopay');
    const client = new CryptopayClient({ baseUrl: emulator.url, apiKey: 'emu-key', apiSecret: 'emu-secret' });
    try {
      const invoice = await client.invoices.create({ price_amount: '100', price_currency: 'EUR', pay_currency: 'BTC' });
      return invoice.id;
    } finally {
      await client.close();
    }
  }

  for (const productionLike of [false, true]) {
    it(`emits one verified message per event of a paid invoice${productionLike ? ' behind the editor JSON parser (production-like)' : ''}`, async () => {
      await load({ productionLike });
      const out = collect('out');
      const paid = collect('paid');
      const open = collect('open');
      const routed = Object.fromEntries(['attention', 'refunded', 'closed', 'caught'].map((id) => [id, collect(id)]));
      const id = await createInvoice();
      await emulator.pay(id, 'exact');
      const msgs = (await out.next(3)) as Msg[];
      assert.deepEqual(
        msgs.map((m) => [m.paywire.event, m.paywire.state]),
        [
          ['transaction_created', 'confirming'],
          ['transaction_confirmed', 'confirming'],
          ['status_changed', 'completed'],
        ],
      );
      assert.deepEqual(msgs[2]!.paywire, { provider: 'cryptopay', resource: 'invoice', id, state: 'completed', reason: null, final: true, event: 'status_changed' });
      assert.equal(msgs[2]!.payload.id, id);
      assert.equal(typeof msgs[2]!.payload.paid_amount, 'string');
      // The status router behind the callback: two open, one paid, nothing anywhere else.
      await expectRouted({ out: 3, open: 2, paid: 1, attention: 0, refunded: 0, closed: 0, caught: 0 }, { out, open, paid, ...routed });
      assert.ok(emulator.deliveries().every((d) => d.delivered));
    });
  }

  it('proves the production-like setup parses JSON before httpNode routes', async () => {
    await load({ productionLike: true });
    const RED = flow!.RED as unknown as { httpNode: Express };
    let seenBody: unknown;
    RED.httpNode.post('/naive', (req, res) => {
      seenBody = req.body;
      res.sendStatus(200);
    });
    await post(`${flow!.httpUrl}/naive`, '{"a":1}');
    assert.deepEqual(seenBody, { a: 1 }, 'a naive route sees an already-parsed object, so raw capture is needed');
  });

  const scenarios: Array<['under' | 'over' | 'late' | 'high_risk', string]> = [
    ['under', 'underpaid'],
    ['over', 'overpaid'],
    ['late', 'paid_late'],
    ['high_risk', 'high_risk'],
  ];
  for (const [scenario, reason] of scenarios) {
    it(`maps a ${scenario} payment to action_required/${reason} and routes it to "attention"`, async () => {
      await load({ productionLike: true });
      const attention = collect('attention');
      const id = await createInvoice();
      await emulator.pay(id, scenario);
      const [msg] = (await attention.next(1)) as Msg[];
      assert.deepEqual([msg!.paywire.state, msg!.paywire.reason, msg!.paywire.final], ['action_required', reason, false]);
    });
  }

  it('answers 401 and emits nothing for unsigned, tampered or wrongly signed callbacks', async () => {
    const url = await load({ productionLike: true });
    const out = collect('out');
    const body = JSON.stringify({ type: 'Invoice', event: 'status_changed', data: { id: 'x', status: 'completed' } });
    const cases: Array<[string, Record<string, string>]> = [
      [body, {}],
      [body.replace('completed', 'completeD'), { 'x-cryptopay-signature': sign(body) }],
      [body, { 'x-cryptopay-signature': sign(body, 'not-the-secret') }],
      [body, { 'x-cryptopay-signature': sign(body).slice(0, 20) }],
    ];
    for (const [text, headers] of cases) {
      const res = await post(url, text, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.doesNotMatch(res.text, /secret|emu-/);
    }
    await delay(50);
    assert.equal(out.messages.length, 0);
  });

  it('acknowledges a verified callback it does not know and hands it to Catch with the parsed body, once; 415 for a non-JSON content type', async () => {
    const url = await load({ productionLike: true });
    const out = collect('out');
    const caught = collect('caught');
    const invoice = (await import('../support/fixtures')).cryptopayCallbacks().find((c) => c.file === 'ruby-invoice.json')!.json;
    const bodies = [
      '{"type":"Invoice"}',
      '{"type":"ExchangeTransfer","event":"completed","data":{"id":"et-1"}}',
      '{"type":"constructor","event":"x","data":{"id":"c-1"}}',
      '{"type":"toString","event":"x","data":{"id":"t-1"}}',
      '{"type":"__proto__","event":"x","data":{"id":"p-1"}}',
      JSON.stringify({ ...invoice, data: { ...invoice.data, status: 'disputed' } }),
    ];
    for (const body of bodies) {
      const res = await post(url, body, { 'x-cryptopay-signature': sign(body) });
      assert.equal(res.status, 200, `${body}: ${res.text}`);
    }
    const msgs = (await caught.next(bodies.length)) as Msg[];
    assert.deepEqual(
      msgs.map((m) => m.payload),
      bodies.map((b) => JSON.parse(b)),
      'msg.payload is the whole parsed body',
    );
    for (const m of msgs) {
      assert.equal(m.error.code, 'unexpected_callback');
      assert.match(m.error.message, /Cryptopay callback is correctly signed, but .*; it was acknowledged and handed to Catch/);
      assert.equal(m.paywire.state, null);
    }
    // A retry of one of them is a duplicate, suppressed like any other callback.
    assert.equal((await post(url, bodies[1]!, { 'x-cryptopay-signature': sign(bodies[1]!) })).status, 200);
    const text = 'signed, but not JSON';
    assert.equal((await post(url, text, { 'x-cryptopay-signature': sign(text) })).status, 200);
    const [raw] = (await caught.next(bodies.length + 1)).slice(-1) as Msg[];
    assert.equal(raw!.payload, text);
    assert.equal((await post(url, bodies[0]!, { 'x-cryptopay-signature': sign(bodies[0]!), 'content-type': 'text/plain' })).status, 415);
    await delay(100);
    assert.equal(caught.messages.length, bodies.length + 1, 'the retry was suppressed');
    assert.equal(out.messages.length, 0, 'nothing unexpected reaches the output');
    for (const group of ['open', 'paid', 'attention', 'refunded', 'closed']) assert.equal(collect(group).messages.length, 0);
  });

  it('suppresses a duplicate delivery of the same callback', async () => {
    await load();
    const out = collect('out');
    const id = await createInvoice();
    await emulator.pay(id, 'exact');
    await out.next(3);
    const last = emulator.deliveries().at(-1)!;
    await emulator.redeliver(last.id);
    await delay(100);
    assert.equal(out.messages.length, 3);
    // A redeploy in between does not make the node forget what it already emitted.
    await helper.setFlows(callbackFlow(emulator), 'full');
    const again = collect('out');
    await emulator.redeliver(last.id);
    await delay(100);
    assert.equal(again.messages.length, 0);
  });

  it('works with httpNodeRoot mounted below /', async () => {
    const url = await load({ productionLike: true, httpNodeRoot: '/api' });
    assert.match(url, /\/api\/cryptopay\/callback$/);
    const out = collect('out');
    const body = JSON.stringify({ type: 'Invoice', event: 'status_changed', data: (await (async () => {
      const id = await createInvoice();
      return (await emulator.pay(id, 'exact')) as Record<string, unknown>;
    })()) });
    const res = await post(url, body, { 'x-cryptopay-signature': sign(body) });
    assert.equal(res.status, 200);
    await waitUntil(() => out.messages.some((m: Msg) => m.paywire.state === 'completed'));
  });

  it('removes its route on close and registers exactly one on redeploy', async () => {
    const url = await load({ productionLike: true });
    const RED = flow!.RED as unknown as { httpNode: { _router: { stack: Array<{ route?: { path: string } }> } } };
    const routes = (): number => RED.httpNode._router.stack.filter((l) => l.route?.path === '/cryptopay/callback').length;
    assert.equal(routes(), 1);
    const body = '{"type":"Invoice","event":"status_changed","data":{"id":"x"}}';
    await helper.setFlows(callbackFlow(emulator), 'full');
    assert.equal(routes(), 1, 'redeploy leaves exactly one route');
    await helper.unload();
    assert.equal(routes(), 0);
    const res = await post(url, body, { 'x-cryptopay-signature': sign(body) });
    assert.equal(res.status, 404);
  });
});
