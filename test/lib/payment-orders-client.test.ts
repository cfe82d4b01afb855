import assert from 'node:assert/strict';
import { GatewayError, IdempotencyConflictError, InputError, TransportError } from '../../lib/errors';
import { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { freePort } from '../../scripts/node-red-runner';
import { PaymentOrdersClient, verifyPaymentOrdersWebhook } from '../../lib/providers/payment-orders';
import { Receiver } from '../emulator/helpers';
import { PO_API_KEY, PO_PASSWORD, PO_USER, startPoEmulator, usePoEmulator } from '../emulator/po-helpers';

const order = (nonce: number, amount = '25.00'): Parameters<PaymentOrdersClient['createOrder']>[0] => ({
  amount,
  currency: 'USDC',
  blockchain: 'base',
  order_info: { product: 'Premium Plan', quantity: 1 },
  nonce,
});

describe('PaymentOrdersClient against the emulator', () => {
  const fx = usePoEmulator();
  const clients: PaymentOrdersClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof PaymentOrdersClient>[0]> = { username: PO_USER, password: PO_PASSWORD }): PaymentOrdersClient => {
    const c = new PaymentOrdersClient({ baseUrl: fx.emu.url, timeoutMs: 5000, ...options });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  const logins = (): number => fx.emu.requests().filter((r) => r.path === '/api/auth/login').length;

  it('logs in on first use, then reuses the token; order_info objects are sent JSON-encoded', async () => {
    const c = client();
    const created = await c.createOrder(order(1));
    assert.equal(created.order_info, '{"product":"Premium Plan","quantity":1}');
    assert.equal((await c.order(created.order_id)).id, created.id);
    assert.equal((await c.order(created.id)).order_id, created.order_id);
    assert.equal(logins(), 1);
    assert.deepEqual(fx.emu.requests().map((r) => r.auth), ['none', 'token', 'token', 'token']);
  });

  it('after the token expires: one 401, one new login for all requests in flight, and each request retried once', async () => {
    const c = client();
    await c.createOrder(order(2));
    fx.emu.expireTokens();
    const results = await Promise.all([1, 2, 3, 4].map(() => c.order(1)));
    assert.ok(results.every((o) => o.id === 1));
    assert.equal(logins(), 2);
    const statuses = fx.emu.requests().filter((r) => r.path === '/api/payment-orders/1/').map((r) => r.status);
    assert.deepEqual([...statuses].sort(), [200, 200, 200, 200, 401, 401, 401, 401]);
    assert.equal(fx.emu.issuedTokens().length, 2);
  });

  it('gives up after the retried request is refused too, without looping, and says what to check', async () => {
    const c = client();
    fx.emu.injectFault({ path: /^\/api\/transactions\/$/, mode: 'status', status: 401, times: 5 });
    await assert.rejects(c.transactions().toArray(10), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, 'AUTHENTICATION_ERROR', 'the gateway code, verbatim');
      assert.match(err.message, /check the username and password on the gateway/);
      return true;
    });
    assert.deepEqual(fx.emu.requests().map((r) => `${r.path} ${r.status}`), ['/api/auth/login 200', '/api/transactions/ 401', '/api/auth/login 200', '/api/transactions/ 401']);
  });

  it('refuses a wrong password at login with a 401 that names the credentials, never the password', async () => {
    const c = client({ username: PO_USER, password: 'wrong-password-77' });
    await assert.rejects(c.order(1), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.httpStatus, 401);
      assert.match(err.message, /Invalid username or password\. \(check the username and password on the gateway\)/);
      assert.ok(!err.message.includes('wrong-password-77'));
      return true;
    });
  });

  it('uses an API key as it is; a refused key is an error, or a login when a username and password are set', async () => {
    const key = client({ apiKey: PO_API_KEY });
    await key.wallets().toArray(10);
    assert.equal(logins(), 0);
    const bad = client({ apiKey: 'revoked' });
    await assert.rejects(bad.wallets().toArray(10), /401 AUTHENTICATION_ERROR - Invalid token\. \(check the API key \(token\) on the gateway\)/);
    const fallback = client({ apiKey: 'revoked', username: PO_USER, password: PO_PASSWORD });
    assert.equal((await fallback.wallets().toArray(10)).length, 5);
    assert.equal(logins(), 1);
    assert.throws(() => new PaymentOrdersClient({ baseUrl: fx.emu.url, username: PO_USER }), InputError);
  });

  it('pages through a long list by page number, 20 at a time by default', async () => {
    const c = client({ apiKey: PO_API_KEY });
    for (let i = 0; i < 45; i++) await c.createOrder(order(100 + i, `${i + 1}.00`));
    const pager = c.orders({ blockchain: 'base' });
    const pages = [];
    for await (const page of pager.pages()) pages.push(page);
    assert.deepEqual(pages.map((p) => [p.items.length, p.hasMore, p.total]), [[20, true, 45], [20, true, 45], [5, false, 45]]);
    assert.deepEqual(pages.flatMap((p) => p.items).map((o) => o.amount).slice(0, 2), ['45.00', '44.00']);
    assert.equal((await c.orders({ page_size: 100 }).toArray(1000)).length, 45);
    const targets = fx.emu.requests().filter((r) => r.method === 'GET').length;
    assert.equal(targets, 4);
  });

  it('returns the order a lost answer created when the same nonce is sent again, and refuses a different order on that nonce', async () => {
    // One attempt per call, so the lost answer reaches the caller, who sends the same order again.
    const c = client({ apiKey: PO_API_KEY, reliability: { deadlineMs: 0 } });
    fx.emu.injectFault({ method: 'POST', path: /^\/api\/payment-orders\/$/, mode: 'drop_after_commit' });
    await assert.rejects(c.createOrderOnce(order(7)), TransportError);
    const retry = await c.createOrderOnce(order(7));
    assert.equal(retry.replayed, true);
    assert.equal(retry.order.nonce, 7);
    assert.equal((await c.orders().toArray(10)).length, 1, 'one order, not two');
    for (const [changed, field, values] of [
      [order(7, '30.00'), 'amount', 'this request 30.00, existing 25.00'],
      [{ ...order(7), currency: 'USDT' }, 'currency', 'this request "USDT", existing "USDC"'],
      [{ ...order(7), blockchain: 'polygon' }, 'blockchain', 'this request "polygon", existing "base"'],
    ] as const) {
      await assert.rejects(c.createOrderOnce(changed), (err: unknown) => {
        assert.ok(err instanceof IdempotencyConflictError, String(err));
        assert.equal(err.code, 'idempotency_conflict');
        assert.match(err.message, new RegExp(`nonce "7" already belongs to order ORD-\\w+ .*${field}: ${values.replace(/[()]/g, '\\$&')}`));
        return true;
      });
    }
    assert.equal((await c.orders().toArray(10)).length, 1, 'still one order');
  });

  it('never sends a create again by itself once it may have reached the gateway; the error names the nonce and how to look the order up', async () => {
    const c = client({ apiKey: PO_API_KEY });
    for (const mode of ['drop_before', 'drop_after_commit'] as const) {
      fx.emu.reset();
      fx.emu.injectFault({ method: 'POST', path: /^\/api\/payment-orders\/$/, mode });
      await assert.rejects(c.createOrderOnce(order(9)), (err: unknown) => {
        assert.ok(err instanceof TransportError, String(err));
        assert.equal(err.code, 'network_error');
        assert.match(err.message, /The order may have been created: look it up before sending this message again, with "List payment orders" \(paywire-invoice\) and nonce 9 \(msg\.payload\.nonce/);
        return true;
      });
      assert.equal(fx.emu.requests().filter((r) => r.method === 'POST').length, 1, `${mode}: sent once`);
    }
    // The lookup the message points to finds the order the lost answer (drop_after_commit) made.
    const [found] = await c.orders({ nonce: 9 }).toArray(10);
    assert.equal(found?.nonce, 9);
  });

  it('a 5xx answer to a create is not sent again either, and says how to look the order up', async () => {
    const c = client({ apiKey: PO_API_KEY });
    fx.emu.injectFault({ method: 'POST', path: /^\/api\/payment-orders\/$/, mode: 'status', status: 503 });
    await assert.rejects(c.createOrderOnce(order(10)), (err: unknown) => {
      assert.ok(err instanceof GatewayError && err.httpStatus === 503);
      assert.match(err.message, /^CryptoPay payment orders rejected the request: 503 SERVICE_UNAVAILABLE - Service temporarily unavailable, try again later\. The order may have been created: .* nonce 10 \(msg\.payload\.nonce of this message\)\. Sending the same message again reports that order if the gateway refuses the used nonce\.$/);
      assert.equal(err.message.match(/rejected the request/g)?.length, 1, 'said once');
      return true;
    });
    assert.equal(fx.emu.requests().filter((r) => r.method === 'POST').length, 1);
  });

  it('sends a create again by itself only when it provably never left: a refused connection', async () => {
    // Nothing listens on the port for the first attempt; the emulator starts there before the retry.
    const port = await freePort();
    const emulator = new PaymentOrdersEmulator({ timeScale: 0.001, now: () => fx.clock });
    const c = new PaymentOrdersClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: PO_API_KEY, timeoutMs: 5000 });
    clients.push(c);
    const waits: string[] = [];
    let starting: Promise<unknown> | undefined;
    try {
      const created = await c.createOrderOnce(order(11), {
        onWait: (p) => {
          waits.push(p.reason);
          if (p.reason === 'retry') starting ??= emulator.start(port);
        },
      });
      assert.equal(created.replayed, false);
      assert.ok(waits.includes('retry'), 'the refused attempt was retried');
      assert.deepEqual(emulator.requests().map((r) => `${r.method} ${r.path} ${r.status}`), ['POST /api/payment-orders/ 201']);
    } finally {
      await starting;
      await emulator.stop();
    }
  });

  it('reads a list answered as the bare page {count, next, previous, results}, the shape the documentation shows', async () => {
    const bare = await startPoEmulator({ now: () => fx.clock, listShape: 'bare' });
    const c = new PaymentOrdersClient({ baseUrl: bare.url, apiKey: PO_API_KEY, timeoutMs: 5000 });
    clients.push(c);
    try {
      for (let i = 0; i < 3; i++) await c.createOrder(order(200 + i, `${i + 1}.00`));
      const pages = [];
      for await (const page of c.orders({ page_size: 2 }).pages()) pages.push(page);
      assert.deepEqual(pages.map((p) => [p.items.map((o) => o.amount), p.hasMore, p.total]), [[['3.00', '2.00'], true, 3], [['1.00'], false, 3]]);
      const raw = bare.requests().filter((r) => r.method === 'GET');
      assert.equal(raw.length, 2);
      // A single object keeps its envelope; a bare object that is not a page is still refused.
      assert.equal((await c.order(pages[0]!.items[0]!.order_id)).amount, '3.00');
    } finally {
      await bare.stop();
    }
  });

  it('never resends a wallet add whose answer was lost (no idempotency key): one attempt, the error to the caller', async () => {
    const c = client({ apiKey: PO_API_KEY });
    fx.emu.injectFault({ method: 'POST', path: /^\/api\/merchant-wallets\/$/, mode: 'drop_after_commit' });
    await assert.rejects(c.addWallet({ blockchain: 'base', address: '0x2222222222222222222222222222222222222222' }), TransportError);
    assert.equal(fx.emu.requests().filter((r) => r.method === 'POST' && r.path === '/api/merchant-wallets/').length, 1);
  });

  it('creates webhook endpoints signed with the gateway’s secret and never returns a secret; their deliveries verify', async () => {
    const receiver = new Receiver();
    const url = await receiver.start();
    try {
      const c = client({ apiKey: PO_API_KEY, webhookSecret: 'gateway-secret' });
      const endpoint = await c.createWebhookEndpoint({ url, events: ['payment.pending'] });
      assert.equal('secret' in endpoint, false);
      assert.equal((await c.webhookEndpoints().toArray(10)).every((e) => !('secret' in e)), true);
      const moved = await c.replaceWebhookEndpoint(endpoint.id, { url, events: ['payment.pending', 'payment.confirmed'] });
      assert.deepEqual(moved.events, ['payment.pending', 'payment.confirmed']);
      const created = await c.createOrder(order(8));
      fx.emu.detectPayment(created.order_id);
      await fx.emu.waitForDeliveries(1);
      const delivery = receiver.received[0]!;
      const verified = verifyPaymentOrdersWebhook(Buffer.from(delivery.body), delivery.headers, { callbackSecret: 'gateway-secret' });
      assert.deepEqual([verified.meta.id, verified.meta.state], [created.order_id, 'confirming']);
      const noSecret = client({ apiKey: PO_API_KEY });
      assert.throws(() => noSecret.createWebhookEndpoint({ url, events: ['payment.pending'] }), /set the gateway's webhook secret/);
    } finally {
      await receiver.close();
    }
  });

  it('reads transactions by hash and keeps wallets’ other fields on a replace', async () => {
    const c = client({ apiKey: PO_API_KEY });
    const created = await c.createOrder(order(9));
    fx.emu.detectPayment(created.order_id);
    const [tx] = await c.transactions({ order_id: created.order_id }).toArray(10);
    assert.equal((await c.transaction(tx!.transaction_hash)).order_id, created.order_id);
    const [base] = await c.wallets({ blockchain: 'base' }).toArray(10);
    const replaced = await c.replaceWallet(base!.id, { blockchain: 'base', address: base!.address, is_active: false });
    assert.equal(replaced.is_active, false);
    assert.equal((await c.wallet(base!.id)).label, (base as { label?: string }).label);
  });
});
