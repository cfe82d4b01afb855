import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac } from 'node:crypto';
import catchNode from '@node-red/nodes/core/common/25-catch';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { collect, helper, loadFlow, waitUntil } from '../support/node-red';
import type { FlowNode, LoadedFlow } from '../support/node-red';
import { EMU_KEY, EMU_SECRET, gatewayConfig, gatewayCredentials, startCryptopayEmulator } from '../support/emulator';

type Msg = Record<string, any>;

function invoiceFlow(emulator: CryptopayEmulator, node: Record<string, unknown>, gateway: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { ...gatewayConfig(emulator), z: undefined, ...gateway },
    { id: 'inv', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', wires: [['out']], ...node },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ];
}

describe('paywire-invoice against the Cryptopay emulator', function () {
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

  async function load(node: Record<string, unknown>, creds = gatewayCredentials(), gateway: Record<string, unknown> = {}): Promise<void> {
    flow = await loadFlow(invoiceFlow(emulator, node, gateway), { gw: creds }, { extraNodes: [catchNode] });
  }

  async function run(node: Record<string, unknown>, payload: unknown, creds?: Record<string, string>, gateway: Record<string, unknown> = {}): Promise<{ out: Msg[]; caught: Msg[] }> {
    await load(node, creds, gateway);
    const out = collect('out');
    const caught = collect('caught');
    helper.getNode('inv').receive({ payload });
    await waitUntil(() => out.messages.length + caught.messages.length > 0, 5000);
    return { out: out.messages, caught: caught.messages };
  }

  it('creates an invoice from msg.payload and maps its state', async () => {
    const { out, caught } = await run({}, { price_amount: '100.00', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'order-1' });
    assert.equal(caught.length, 0);
    const msg = out[0]!;
    assert.equal(msg.payload.status, 'new');
    assert.match(msg.payload.price_amount, /^100(\.0+)?$/);
    assert.equal(typeof msg.payload.pay_amount, 'string');
    assert.equal(msg.payload.custom_id, 'order-1');
    assert.deepEqual(msg.paywire, { provider: 'cryptopay', resource: 'invoice', id: msg.payload.id, state: 'pending', reason: null, final: false });
  });

  it('takes node fields (TypedInput) before msg.payload', async () => {
    const params = {
      price_amount: { value: '25.5', type: 'str' },
      price_currency: { value: 'EUR', type: 'str' },
      pay_currency: { value: 'order.coin', type: 'msg' },
      metadata: { value: '{"order":"A-1"}', type: 'json' },
    };
    await load({ params });
    const out = collect('out');
    helper.getNode('inv').receive({ payload: { price_amount: '999', pay_currency: 'LTC' }, order: { coin: 'ETH' } });
    const [msg] = (await out.next(1)) as Msg[];
    assert.equal(msg!.payload.price_currency, 'EUR');
    assert.equal(msg!.payload.pay_currency, 'ETH');
    assert.match(msg!.payload.price_amount, /^25\.50*$/);
    assert.deepEqual(msg!.payload.metadata, { order: 'A-1' });
  });

  it('sends bad input to Catch with a clear message and makes no request', async () => {
    const before = emulator.requestCount();
    const { out, caught } = await run({}, { price_currency: 'EUR', pay_currency: 'BTC', price_amount: 0.1 + 0.2 });
    assert.equal(out.length, 0);
    const err = caught[0]!.error;
    assert.equal(err.code, 'invalid_input');
    assert.match(err.message, /price_amount 0\.30000000000000004 has 17 significant digits .*: pass the amount as a decimal string/);
    assert.equal(emulator.requestCount(), before);
    const missing = await (async () => {
      helper.getNode('inv').receive({ payload: 'not an object' });
      return (await collect('caught').next(1))[0] as Msg;
    })();
    assert.match(missing.error.message, /price_amount is required.*price_currency is required.*pay_currency is required/);
  });

  it('reports gateway validation errors with the gateway code and fields', async () => {
    const { caught } = await run({}, { price_amount: '10', price_currency: 'EUR', pay_currency: 'NOPE' });
    const err = caught[0]!.error;
    assert.equal(err.code, 'invalid');
    assert.match(err.message, /422 invalid.*pay_currency/);
    assert.match(err.message, /request [0-9a-f]{32}/);
  });

  it('returns the existing invoice when a retried create meets duplicate_custom_id', async () => {
    await load({});
    const out = collect('out');
    const caught = collect('caught');
    const payload = { price_amount: '10.00', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'retry-1' };
    helper.getNode('inv').receive({ payload: { ...payload } });
    await out.next(1);
    helper.getNode('inv').receive({ payload: { ...payload, price_amount: '10' } });
    const [first, second] = (await out.next(2)) as Msg[];
    assert.equal(second!.payload.id, first!.payload.id);
    assert.equal(second!.paywire.replayed, true);
    assert.equal(first!.paywire.replayed, undefined);
    helper.getNode('inv').receive({ payload: { ...payload, price_amount: '11' } });
    const [err] = (await caught.next(1)) as Msg[];
    assert.equal(err!.error.code, 'idempotency_conflict');
    assert.match(err!.error.message, /custom_id "retry-1" already belongs to invoice [0-9a-f-]{36}, which differs from this request \(price_amount: this request 11, existing 10\.0\)/);
    assert.equal(out.messages.length, 2, 'no success output for the differing request');
  });

  it('gets an invoice by id (payload is the invoice) and by custom_id', async () => {
    await load({});
    const out = collect('out');
    helper.getNode('inv').receive({ payload: { price_amount: '5', price_currency: 'EUR', pay_currency: 'ETH', custom_id: 'get-me' } });
    const [created] = (await out.next(1)) as Msg[];
    await helper.unload();
    await flow!.close();
    await load({ operation: 'get' });
    const got = collect('out');
    helper.getNode('inv').receive({ payload: created!.payload });
    helper.getNode('inv').receive({ payload: { custom_id: 'get-me' } });
    const [byId, byCustom] = (await got.next(2)) as Msg[];
    assert.equal(byId!.payload.id, created!.payload.id);
    assert.equal(byCustom!.payload.id, created!.payload.id);
    assert.equal(byId!.paywire.state, 'pending');
  });

  it('answers not_found for an unknown invoice', async () => {
    const { caught } = await run({ operation: 'get' }, { id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(caught[0]!.error.code, 'not_found');
  });

  describe('list', () => {
    async function seed(count: number): Promise<void> {
      await load({});
      const out = collect('out');
      // One at a time: concurrent creates reach the emulator in no fixed order, and the list
      // test checks the newest (the last created) comes first.
      for (let i = 0; i < count; i++) {
        helper.getNode('inv').receive({ payload: { price_amount: String(i + 1), price_currency: 'EUR', pay_currency: 'BTC' } });
        await out.next(i + 1, 5000);
      }
      await flow!.close();
      await helper.unload();
    }

    it('returns every invoice in one message across pages', async () => {
      await seed(120);
      await load({ operation: 'list', listMode: 'all' });
      const out = collect('out');
      helper.getNode('inv').receive({ payload: {} });
      const [msg] = (await out.next(1)) as Msg[];
      assert.equal(msg!.payload.length, 120);
      assert.equal(msg!.paywire.count, 120);
      assert.equal(msg!.paywire.total, 120);
      assert.equal(new Set(msg!.payload.map((i: Msg) => i.id)).size, 120, 'no duplicates across pages');
      assert.equal(msg!.payload[0].price_amount.replace(/\.0+$/, ''), '120', 'newest first');
    });

    it('streams one message per row with msg.parts and per-row state', async () => {
      await seed(55);
      await load({ operation: 'list', listMode: 'item' });
      const out = collect('out');
      helper.getNode('inv').receive({ payload: {} });
      const msgs = (await out.next(55)) as Msg[];
      assert.deepEqual(msgs.map((m) => m.parts.index), [...Array(55).keys()]);
      assert.equal(msgs[54]!.parts.count, 55);
      assert.equal(msgs[0]!.parts.count, undefined);
      assert.ok(msgs.every((m) => m.paywire.state === 'pending' && m.paywire.resource === 'invoice'));
    });

    it('sends one message per page', async () => {
      await seed(55);
      await load({ operation: 'list', listMode: 'page' });
      const out = collect('out');
      helper.getNode('inv').receive({ payload: {} });
      const msgs = (await out.next(2)) as Msg[];
      assert.deepEqual(msgs.map((m) => m.payload.length), [50, 5]);
      assert.deepEqual(msgs.map((m) => m.paywire.hasMore), [true, false]);
    });

    it('errors clearly above max rows', async () => {
      await seed(60);
      await load({ operation: 'list', listMode: 'all', maxRows: 50 });
      const caught = collect('caught');
      helper.getNode('inv').receive({ payload: {} });
      const [msg] = (await caught.next(1)) as Msg[];
      assert.match(msg!.error.message, /more than 50 rows/);
    });
  });

  it('refunds an underpaid invoice and recalculates in two steps', async () => {
    await load({});
    const out = collect('out');
    const caught = collect('caught');
    helper.getNode('inv').receive({ payload: { price_amount: '50', price_currency: 'EUR', pay_currency: 'ETH' } });
    helper.getNode('inv').receive({ payload: { price_amount: '60', price_currency: 'EUR', pay_currency: 'ETH' } });
    await waitUntil(() => out.messages.length + caught.messages.length >= 2);
    assert.deepEqual(caught.messages.map((m) => m.error), []);
    const [a, b] = out.messages as Msg[];
    await emulator.pay(a!.payload.id, 'under');
    await emulator.pay(b!.payload.id, 'under');
    await flow!.close();
    await helper.unload();

    await load({ operation: 'refund', params: { address: { value: '0xf3532c1fd002665ec54d46a50787e0c69c76cd44', type: 'str' } } });
    const refunds = collect('out');
    helper.getNode('inv').receive({ payload: a!.payload });
    const [refund] = (await refunds.next(1)) as Msg[];
    assert.equal(refund!.paywire.resource, 'refund');
    assert.equal(refund!.payload.invoice_id, a!.payload.id);
    assert.equal(refund!.payload.address, '0xf3532c1fd002665ec54d46a50787e0c69c76cd44');
    await flow!.close();
    await helper.unload();

    await load({ operation: 'recalculate' });
    const recalcs = collect('out');
    helper.getNode('inv').receive({ payload: b!.payload });
    const [recalc] = (await recalcs.next(1)) as Msg[];
    assert.deepEqual([recalc!.paywire.state, recalc!.paywire.reason], ['pending', 'awaiting_commit']);
    await flow!.close();
    await helper.unload();

    await load({ operation: 'commit-recalculation' });
    const commits = collect('out');
    helper.getNode('inv').receive({ payload: recalc!.payload });
    const [commit] = (await commits.next(1)) as Msg[];
    assert.equal(commit!.paywire.state, 'completed');
    await flow!.close();
    await helper.unload();

    await load({ operation: 'get' });
    const gets = collect('out');
    helper.getNode('inv').receive({ payload: { id: a!.payload.id } });
    helper.getNode('inv').receive({ payload: { id: b!.payload.id } });
    const [afterRefund, afterRecalc] = (await gets.next(2)) as Msg[];
    assert.equal(afterRefund!.paywire.state, 'refunded');
    assert.equal(afterRecalc!.paywire.state, 'completed');
    await flow!.close();
    await helper.unload();

    await load({ operation: 'list-refunds', listMode: 'all' });
    const lists = collect('out');
    helper.getNode('inv').receive({ payload: { invoice_id: a!.payload.id } });
    const [listed] = (await lists.next(1)) as Msg[];
    assert.deepEqual(listed!.payload.map((r: Msg) => r.id), [refund!.payload.id]);
  });

  it('lists invoices filtered by customer_id', async () => {
    await load({});
    const out = collect('out');
    helper.getNode('inv').receive({ payload: { price_amount: '20', price_currency: 'EUR', pay_currency: 'BTC', customer_id: 'CUST-7' } });
    helper.getNode('inv').receive({ payload: { price_amount: '30', price_currency: 'EUR', pay_currency: 'BTC' } });
    await out.next(2);
    await flow!.close();
    await helper.unload();
    const { out: listed, caught } = await run({ operation: 'list', listMode: 'all', params: { customer_id: { value: 'CUST-7', type: 'str' } } }, {});
    assert.deepEqual(caught, []);
    assert.equal(listed[0]!.payload.length, 1);
    assert.equal(listed[0]!.payload[0].customer_id, 'CUST-7');
  });

  it('never refunds to an invoice\'s own deposit address taken from msg.payload', async () => {
    await load({});
    const out = collect('out');
    helper.getNode('inv').receive({ payload: { price_amount: '50', price_currency: 'EUR', pay_currency: 'ETH' } });
    const [created] = (await out.next(1)) as Msg[];
    await emulator.pay(created!.payload.id, 'under');
    await flow!.close();
    await helper.unload();
    await load({ operation: 'refund' });
    const refunds = collect('out');
    // The payload is the invoice itself: its `address` is where the customer paid.
    helper.getNode('inv').receive({ payload: { ...created!.payload } });
    const [refund] = (await refunds.next(1)) as Msg[];
    assert.notEqual(refund!.payload.address, created!.payload.address);
  });

  it('surfaces a wrong secret as auth failed on every node using the gateway', async () => {
    const nodes = invoiceFlow(emulator, {});
    nodes.push({ id: 'idle', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'get', wires: [[]] });
    flow = await loadFlow(nodes, { gw: gatewayCredentials({ apiSecret: 'wrong-secret' }) });
    const caught = collect('caught');
    const idle = helper.getNode('idle') as unknown as NodeJS.EventEmitter;
    const statuses: Array<Record<string, unknown>> = [];
    idle.on('call:status', (call: { args: Array<Record<string, unknown>> }) => statuses.push(call.args[0]!));
    helper.getNode('inv').receive({ payload: { price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC' } });
    const [msg] = (await caught.next(1)) as Msg[];
    assert.equal(msg!.error.code, 'unauthenticated');
    assert.doesNotMatch(JSON.stringify(msg!.error), /wrong-secret|emu-secret/);
    await waitUntil(() => statuses.length > 0);
    assert.deepEqual(statuses.at(-1), { fill: 'red', shape: 'ring', text: 'auth failed' });
  });

  it('reports an unreachable gateway as network_error once its retry time is up', async () => {
    const port = emulator.url.split(':').pop();
    await emulator.stop();
    // A refused connection never reached Cryptopay, so even this key-less create is retried, for 1.5 s here.
    const { caught } = await run({}, { price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC' }, undefined, { deadline: 1.5 });
    assert.equal(caught[0]!.error.code, 'network_error');
    assert.match(caught[0]!.error.message, new RegExp(`Could not reach Cryptopay at http://127.0.0.1:${port}: ECONNREFUSED after [2-9] attempts`));
  });

  it('signs exactly the bytes it sends (checked independently of the client code)', async () => {
    const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
    const recorder = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        // Forward to the emulator so the same request is also checked there.
        const fwd = http.request(`${emulator.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode!, r.headers);
          r.pipe(res);
        });
        fwd.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (recorder.address() as AddressInfo).port;
      const flowNodes = invoiceFlow(emulator, { operation: 'create' });
      (flowNodes[1] as Msg).baseUrl = `http://127.0.0.1:${port}`;
      flow = await loadFlow(flowNodes, { gw: gatewayCredentials() }, { extraNodes: [catchNode] });
      const out = collect('out');
      helper.getNode('inv').receive({ payload: { price_amount: '100', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'ä/ü?' } });
      const [created] = (await out.next(1)) as Msg[];
      await flow.close();
      await helper.unload();
      const flowGet = invoiceFlow(emulator, { operation: 'get' });
      (flowGet[1] as Msg).baseUrl = `http://127.0.0.1:${port}`;
      flow = await loadFlow(flowGet, { gw: gatewayCredentials() }, { extraNodes: [catchNode] });
      const got = collect('out');
      helper.getNode('inv').receive({ payload: { custom_id: 'ä/ü?' } });
      const [fetched] = (await got.next(1)) as Msg[];
      assert.equal(fetched!.payload.id, created!.payload.id, 'emulator accepted both signed requests');

      for (const req of seen) {
        const md5 = req.body.length ? createHash('md5').update(req.body).digest('hex') : '';
        const toSign = [req.method, md5, req.headers['content-type'], req.headers.date, req.url].join('\n');
        const sig = createHmac('sha1', EMU_SECRET).update(toSign).digest('base64');
        assert.equal(req.headers.authorization, `HMAC ${EMU_KEY}:${sig}`);
        assert.equal(req.headers['content-type'], 'application/json');
      }
      assert.equal(seen[1]!.url, '/api/invoices/custom_id/%C3%A4%2F%C3%BC%3F');
      assert.equal(seen[1]!.body.length, 0);
      assert.deepEqual(JSON.parse(seen[0]!.body.toString()), { price_amount: '100', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'ä/ü?' });
    } finally {
      recorder.closeAllConnections();
      await new Promise<void>((resolve) => recorder.close(() => resolve()));
    }
  });
});
