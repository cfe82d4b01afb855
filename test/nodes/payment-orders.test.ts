import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import catchNode from '@node-red/nodes/core/common/25-catch';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { PO_API_KEY, PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { gatewayConfig } from '../support/emulator';
import { actionNode, retryOf } from '../support/flows';
import type { ActionHarness, Msg } from '../support/flows';
import { collect, helper, loadFlow } from '../support/node-red';
import { usePoNodeRed } from '../support/po-node-red';

const PROVIDER = 'payment-orders';
const LOGIN = { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET };
const ORDER = { amount: '25.00', currency: 'USDC', blockchain: 'base', order_info: { product: 'Premium Plan', quantity: 1 } };

describe('CryptoPay payment orders through the nodes', function () {
  let emulator: PaymentOrdersEmulator;
  let node: ActionHarness | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startPoEmulator();
  });
  after(async () => {
    await helper.stopServer();
    await emulator.stop();
  });
  beforeEach(() => emulator.reset());
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  async function use(type: string, config: Record<string, unknown>, creds: Record<string, string> = LOGIN, gateway: Record<string, unknown> = {}): Promise<ActionHarness> {
    await node?.close();
    node = await actionNode(emulator, type, { listMode: 'all', ...config }, creds, PROVIDER, gateway);
    return node;
  }

  async function run(type: string, config: Record<string, unknown>, payload: unknown, creds?: Record<string, string>): Promise<Msg> {
    const n = await use(type, config, creds);
    const { out, error } = await n.send({ payload });
    assert.equal(error, undefined, String(error?.error?.message));
    assert.equal(out!.paywire.provider, PROVIDER);
    return out!;
  }

  async function createOrder(payload: Msg = { ...ORDER }): Promise<Msg> {
    return run('paywire-invoice', { operation: 'create' }, payload);
  }

  it('invoice create: logs in, sends order_info JSON-encoded, generates the nonce and writes it back', async () => {
    const msg = await createOrder();
    assert.equal(msg.payload.status, 'pending');
    assert.equal(msg.payload.order_info, '{"product":"Premium Plan","quantity":1}');
    assert.equal(typeof msg.payload.nonce, 'number');
    assert.ok(Number.isSafeInteger(msg.payload.nonce) && msg.payload.nonce > Date.now() * 1000 - 60_000_000);
    assert.deepEqual(msg.paywire, { provider: PROVIDER, resource: 'invoice', id: msg.payload.order_id, state: 'pending', reason: null, final: false });
    assert.deepEqual(emulator.requests().map((r) => `${r.method} ${r.path} ${r.status} ${r.auth}`), ['POST /api/auth/login 200 none', 'POST /api/payment-orders/ 201 token']);
  });

  it('invoice create: a retried message after a lost answer returns the order already made, not a second one', async () => {
    emulator.injectFault({ method: 'POST', path: /^\/api\/payment-orders\/$/, mode: 'drop_after_commit' });
    // Retries off, so the lost answer reaches Catch and the caught message is sent again.
    const n = await use('paywire-invoice', { operation: 'create' }, LOGIN, { deadline: 0 });
    const first = await n.send({ payload: { ...ORDER } });
    assert.equal(first.error!.error.code, 'network_error');
    assert.equal(typeof first.error!.payload.nonce, 'number', 'the caught message keeps the generated nonce');
    const retry = await n.send(retryOf(first.error!));
    assert.equal(retry.out!.paywire.replayed, true);
    assert.equal(retry.out!.payload.nonce, first.error!.payload.nonce);
    const listed = await run('paywire-invoice', { operation: 'list' }, {});
    assert.equal(listed.payload.length, 1);
  });

  it('invoice create: gateway validation errors reach Catch with every field; bad input never leaves the node', async () => {
    const n = await use('paywire-invoice', { operation: 'create' });
    const refused = await n.send({ payload: { ...ORDER, currency: 'MATIC' } });
    assert.equal(refused.error!.error.code, 'VALIDATION_ERROR', 'the gateway’s code, verbatim');
    assert.match(refused.error!.error.message, /400 VALIDATION_ERROR - Invalid request data: currency "MATIC" is not supported on base/);
    const before = emulator.requests().length;
    const local = await n.send({ payload: { ...ORDER, order_info: '{not json' } });
    assert.equal(local.error!.error.code, 'invalid_input');
    assert.match(local.error!.error.message, /order_info must be an object, or text that is valid JSON/);
    assert.equal(emulator.requests().length, before);
    assert.deepEqual(n.statuses.at(-1), { fill: 'red', shape: 'ring', text: 'invalid input' });
  });

  it('invoice get and list: by order_id, with the state of a detected payment; every page', async () => {
    const created = await createOrder();
    emulator.detectPayment(created.payload.order_id);
    const got = await run('paywire-invoice', { operation: 'get' }, created.payload);
    assert.deepEqual([got.paywire.state, got.paywire.final], ['confirming', false]);
    assert.equal(got.payload.transaction.status, 'pending');
    for (let i = 0; i < 4; i++) await createOrder({ ...ORDER, amount: `${i + 1}.00` });
    const n = await use('paywire-invoice', { operation: 'list', params: { page_size: { value: '2', type: 'num' } } });
    const { out } = await n.send({ payload: {} });
    assert.equal(out!.payload.length, 5);
    assert.equal(out!.paywire.total, 5);
    const pages = emulator.requests().filter((r) => r.method === 'GET' && r.path === '/api/payment-orders/').length;
    assert.equal(pages, 3);
    const byId = await run('paywire-invoice', { operation: 'get' }, { id: created.payload.id });
    assert.equal(byId.payload.order_id, created.payload.order_id);
  });

  it('an expired login token: 401, one new login, the request repeated, and the token is never exposed', async () => {
    const n = await use('paywire-invoice', { operation: 'create' });
    const created = await n.send({ payload: { ...ORDER } });
    emulator.expireTokens();
    const again = await n.send({ payload: { ...ORDER } });
    assert.equal(again.error, undefined, String(again.error?.error?.message));
    assert.deepEqual(
      emulator.requests().map((r) => `${r.path} ${r.status}`),
      ['/api/auth/login 200', '/api/payment-orders/ 201', '/api/payment-orders/ 401', '/api/auth/login 200', '/api/payment-orders/ 201'],
    );
    const tokens = emulator.issuedTokens();
    assert.equal(tokens.length, 2);
    const seen = JSON.stringify([created, again, n.statuses, helper.log().args]);
    for (const secret of [...tokens, PO_PASSWORD]) assert.equal(seen.includes(secret), false, 'a token or the password reached a message, status or log');
    assert.deepEqual(n.statuses.at(-1), { fill: 'yellow', shape: 'ring', text: 'pending' });
  });

  it('a wrong password: 401 to Catch naming the credentials to check, red status, no secret shown', async () => {
    const n = await use('paywire-invoice', { operation: 'get' }, { username: PO_USER, password: 'not-the-password-5' });
    const { error } = await n.send({ payload: { order_id: 'ORD-x' } });
    assert.equal(error!.error.code, 'AUTHENTICATION_ERROR');
    assert.match(error!.error.message, /401 AUTHENTICATION_ERROR - Invalid username or password\. \(check the username and password on the gateway\)/);
    assert.doesNotMatch(JSON.stringify([error, n.statuses, helper.log().args]), /not-the-password-5/);
    assert.ok(helper.log().callCount > 0, "the log spy records what Node-RED logs");
    assert.deepEqual(n.statuses.at(-1), { fill: 'red', shape: 'ring', text: '401 AUTHENTICATION_ERROR' });
  });

  it('credentials that cannot work are an invalid_input before anything is sent', async () => {
    const n = await use('paywire-invoice', { operation: 'list' }, { username: PO_USER });
    const { error } = await n.send({ payload: {} });
    assert.equal(error!.error.code, 'invalid_input');
    assert.match(error!.error.message, /cannot call CryptoPay payment orders: missing credentials: Password/);
    assert.equal(emulator.requests().length, 0);
  });

  it('transactions: list (filtered by order) and get by hash, with an API key', async () => {
    const created = await createOrder();
    emulator.detectPayment(created.payload.order_id);
    emulator.confirmPayment(created.payload.order_id);
    const list = await run('paywire-transactions', { operation: 'list', params: { order_id: { value: created.payload.order_id, type: 'str' } } }, {}, { apiKey: PO_API_KEY });
    assert.equal(list.payload.length, 1);
    const tx = await run('paywire-transactions', { operation: 'get' }, list.payload[0], { apiKey: PO_API_KEY });
    assert.deepEqual([tx.paywire.resource, tx.paywire.id, tx.paywire.state], ['transaction', list.payload[0].transaction_hash, 'completed']);
    assert.equal(tx.payload.confirmations, 15);
  });

  it('merchant wallets through paywire-api: list, add, update (fields left empty keep their value)', async () => {
    const wallets = await run('paywire-api', { resource: 'wallet', operation: 'list' }, { blockchain: 'base' });
    assert.equal(wallets.payload.length, 1);
    const address = `0x${'ab'.repeat(20)}`;
    const added = await run('paywire-api', { resource: 'wallet', operation: 'add' }, { blockchain: 'base', address, label: 'New', is_active: false });
    assert.deepEqual([added.paywire.resource, added.paywire.id, added.payload.is_active], ['wallet', String(added.payload.id), false]);
    await run('paywire-api', { resource: 'wallet', operation: 'update' }, { ...wallets.payload[0], is_active: false });
    const switched = await run('paywire-api', { resource: 'wallet', operation: 'update' }, { id: added.payload.id, is_active: true });
    assert.deepEqual([switched.payload.address, switched.payload.label, switched.payload.is_active], [address, 'New', true]);
    assert.equal((await createOrder()).payload.receiving_address, address);
  });

  it('webhook endpoints through paywire-api: create (all events, the gateway’s secret), list, update; no secret on a message', async () => {
    const created = await run('paywire-api', { resource: 'webhook_endpoint', operation: 'create' }, { url: 'http://127.0.0.1:1880/po' });
    assert.deepEqual(created.payload.events, ['payment.pending', 'payment.confirmed', 'payment.failed', 'order.expired']);
    assert.equal('secret' in created.payload, false);
    const updated = await run('paywire-api', { resource: 'webhook_endpoint', operation: 'update' }, { id: created.payload.id, events: 'payment.confirmed, order.expired' });
    assert.deepEqual([updated.payload.url, updated.payload.events], ['http://127.0.0.1:1880/po', ['payment.confirmed', 'order.expired']]);
    const listed = await run('paywire-api', { resource: 'webhook_endpoint', operation: 'list' }, {});
    assert.equal(listed.payload.length, 1);
    assert.equal(JSON.stringify([created, updated, listed]).includes(PO_WEBHOOK_SECRET), false);
    const wrong = await use('paywire-api', { resource: 'webhook_endpoint', operation: 'create' });
    const { error } = await wrong.send({ payload: { url: 'http://127.0.0.1:1880/po', events: ['payment.refunded'] } });
    assert.match(error!.error.message, /events\.0 must be one of payment\.pending, payment\.confirmed, payment\.failed, order\.expired/);
  });
});

describe('paywire-callback with a CryptoPay payment-orders gateway', function () {
  const fx = usePoNodeRed();

  it('verifies X-Webhook-Signature and maps the four events to the shared states, once each', async () => {
    const nodes = [
      { id: 'tab', type: 'tab' },
      gatewayConfig(fx.emulator, 'gw', PROVIDER),
      { id: 'register', type: 'paywire-api', z: 'tab', gateway: 'gw', resource: 'webhook_endpoint', operation: 'create', wires: [['registered']] },
      { id: 'registered', type: 'helper', z: 'tab' },
      { id: 'order', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', wires: [['orders']] },
      { id: 'orders', type: 'helper', z: 'tab' },
      { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/paywire/payment-orders', wires: [['events']] },
      { id: 'events', type: 'helper', z: 'tab' },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'tab' },
    ];
    fx.flow = await loadFlow(nodes, { gw: LOGIN }, { extraNodes: [catchNode], productionLike: true });
    const url = `${fx.flow.httpUrl}/paywire/payment-orders`;
    const registered = collect('registered');
    const orders = collect('orders');
    const events = collect('events');
    helper.getNode('register').receive({ payload: { url } });
    await registered.next(1);
    for (let i = 0; i < 3; i++) helper.getNode('order').receive({ payload: { ...ORDER } });
    const [paid, failing, expiring] = ((await orders.next(3)) as Msg[]).map((m) => m.payload.order_id as string);
    fx.emulator.detectPayment(paid!);
    fx.emulator.confirmPayment(paid!);
    fx.emulator.detectPayment(failing!);
    fx.emulator.failPayment(failing!, 'reverted');
    fx.emulator.expireOrder(expiring!);
    await fx.emulator.waitForDeliveries(5);
    const got = (await events.next(5)) as Msg[];
    assert.deepEqual(
      got.map((m) => `${m.paywire.id} ${m.paywire.event} ${m.paywire.state} ${m.paywire.final}`).sort(),
      [
        `${paid} payment.pending confirming false`,
        `${paid} payment.confirmed completed true`,
        `${failing} payment.pending confirming false`,
        `${failing} payment.failed failed true`,
        `${expiring} order.expired expired true`,
      ].sort(),
    );
    assert.ok(got.every((m) => m.paywire.resource === 'invoice' && m.paywire.provider === PROVIDER));
    assert.equal(got.find((m) => m.paywire.event === 'payment.confirmed')!.payload.confirmations, 15);

    // A redelivery of the same event is answered 200 and emits nothing; a forged one is 401.
    const delivery = fx.emulator.deliveries().find((d) => d.event === 'payment.confirmed')!;
    const again = await fetch(url, { method: 'POST', body: delivery.body, headers: { 'content-type': 'application/json', 'x-webhook-signature': delivery.signature } });
    assert.equal(again.status, 200);
    const forged = delivery.body.replace('"confirmed"', '"failed"');
    const refused = await fetch(url, { method: 'POST', body: forged, headers: { 'content-type': 'application/json', 'x-webhook-signature': createHmac('sha256', 'guess').update(forged).digest('hex') } });
    assert.equal(refused.status, 401);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(events.messages.length, 5);
    assert.equal(collect('caught').messages.length, 0);
  });
});

describe('paywire-gateway with CryptoPay payment orders: catalog and test connection', () => {
  const fx = usePoNodeRed();
  before(async () => {
    fx.flow = await loadFlow([{ id: 'tab', type: 'tab' }, gatewayConfig(fx.emulator, 'gw', PROVIDER)], { gw: LOGIN });
  });

  const test = async (credentials: Record<string, string>): Promise<{ ok: boolean; code?: string; message: string }> => {
    const res = await helper.request().post('/paywire/gateways/gw/test').send({ provider: PROVIDER, environment: 'custom', baseUrl: fx.emulator.url, timeout: 5, credentials }).expect(200);
    assert.equal(JSON.stringify(res.body).includes(PO_PASSWORD), false);
    return res.body as { ok: boolean; code?: string; message: string };
  };

  it('lists the provider with its four credentials and its resources', async () => {
    const res = await helper.request().get('/paywire/catalog').expect(200);
    const provider = (res.body as { providers: Array<Record<string, any>> }).providers.find((p) => p.id === PROVIDER)!;
    assert.deepEqual(provider.credentials.map((c: { name: string }) => c.name), ['username', 'password', 'apiKey', 'callbackSecret']);
    assert.deepEqual(Object.keys(provider.resources), ['invoice', 'transaction', 'wallet', 'webhook_endpoint']);
    const create = provider.resources.invoice.find((o: { name: string }) => o.name === 'create');
    assert.deepEqual(create.fields.find((f: { name: string }) => f.name === 'nonce'), {
      name: 'nonce',
      label: 'Nonce',
      kind: 'integer',
      help: create.fields.find((f: { name: string }) => f.name === 'nonce').help,
      payloadKeys: ['nonce', 'idempotencyKey'],
      required: false,
      generated: true,
    });
  });

  it('logs in with the stored username and password, or the typed API key; says what is missing', async () => {
    const stored = await test({ username: '__PWRD__', password: '__PWRD__' });
    assert.equal(stored.ok, true, stored.message);
    assert.match(stored.message, /Connected to CryptoPay payment orders/);
    assert.deepEqual(fx.emulator.requests().map((r) => r.path), ['/api/auth/login', '/api/merchant-wallets/']);
    assert.equal((await test({ apiKey: PO_API_KEY, username: '', password: '' })).ok, true);
    const wrong = await test({ username: PO_USER, password: 'typo' });
    assert.deepEqual([wrong.ok, wrong.code], [false, 'AUTHENTICATION_ERROR']);
    assert.match((await test({ username: '', password: '', apiKey: '' })).message, /^Missing credentials: Username and Password, or API key \(token\)/);
  });
});
