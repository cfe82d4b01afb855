import assert from 'node:assert/strict';
import { Receiver, hmacSha256Hex } from './helpers';
import { PO_API_KEY, PO_WEBHOOK_SECRET, createOrder, fails, ok, po, usePoEmulator } from './po-helpers';
import type { Page } from './po-helpers';

const token = PO_API_KEY;

interface Delivered {
  event: string;
  data: Record<string, any>;
  timestamp: string;
  webhook_id: string;
}

describe('payment-orders emulator: chain simulation and signed webhooks (reference §7, §8)', () => {
  const fx = usePoEmulator();
  let endpointHook: Receiver;
  let orderHook: Receiver;
  let endpointUrl: string;
  let orderUrl: string;

  before(async () => {
    endpointHook = new Receiver();
    orderHook = new Receiver();
    endpointUrl = await endpointHook.start();
    orderUrl = await orderHook.start();
  });
  after(async () => {
    await endpointHook.close();
    await orderHook.close();
  });
  beforeEach(() => {
    endpointHook.received.length = 0;
    orderHook.received.length = 0;
    endpointHook.respond = () => 200;
  });

  async function registerEndpoint(events = ['payment.pending', 'payment.confirmed', 'payment.failed', 'order.expired'], extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    return ok(await po(fx.emu.url, 'POST', '/api/webhook-endpoints/', { url: endpointUrl, events, ...extra }, { token }), 201);
  }

  const bodies = (r: Receiver): Delivered[] => r.received.map((x) => JSON.parse(x.body) as Delivered);

  it('detect → payment.pending, confirm → payment.confirmed, to the endpoint and the order’s webhook_url, each signed with its secret', async () => {
    const endpoint = await registerEndpoint();
    assert.match(endpoint.secret, /^whsec_[0-9a-f]{32}$/);
    const order = await createOrder(fx.emu.url, token, { webhook_url: orderUrl });

    const detected = ok(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${order.order_id}/detect`, { from_address: `0x${'a'.repeat(40)}` }));
    assert.equal(detected.status, 'pending', 'the order stays pending while the payment confirms');
    assert.equal(detected.transaction.status, 'pending');
    assert.equal(detected.transaction.confirmations, 1);
    assert.equal(detected.transaction.required_confirmations, 15);
    await fx.emu.waitForDeliveries(2);

    fx.clock += 60_000;
    const confirmed = fx.emu.confirmPayment(order.order_id);
    assert.equal(confirmed.status, 'confirmed');
    await fx.emu.waitForDeliveries(4);

    for (const [receiver, secret] of [
      [endpointHook, endpoint.secret as string],
      [orderHook, PO_WEBHOOK_SECRET],
    ] as const) {
      assert.deepEqual(bodies(receiver).map((b) => b.event), ['payment.pending', 'payment.confirmed']);
      for (const r of receiver.received) {
        assert.equal(r.headers['x-webhook-signature'], hmacSha256Hex(secret, r.body));
        assert.equal(r.headers['content-type'], 'application/json');
      }
    }
    const [pending, done] = bodies(endpointHook);
    assert.match(pending!.webhook_id, /^wh_[a-z0-9]{12}$/);
    assert.equal(bodies(orderHook)[0]!.webhook_id, pending!.webhook_id, 'one webhook_id per event, shared by its destinations');
    assert.notEqual(done!.webhook_id, pending!.webhook_id);
    assert.deepEqual(Object.keys(done!.data).sort(), [
      'amount', 'block_number', 'blockchain', 'confirmations', 'confirmed_at', 'created_at', 'currency', 'from_address', 'order_id', 'order_info', 'status', 'to_address', 'transaction_hash',
    ]);
    assert.equal(done!.data.order_id, order.order_id);
    assert.equal(done!.data.status, 'confirmed');
    assert.equal(done!.data.confirmations, 15);
    assert.equal(done!.data.amount, '100.00');
    assert.equal(done!.data.from_address, `0x${'a'.repeat(40)}`);
    assert.equal(done!.data.to_address, order.receiving_address);
    assert.equal(done!.data.order_info, order.order_info);
    assert.equal(done!.data.confirmed_at, '2024-01-01T10:01:00Z');
    assert.equal(done!.timestamp, '2024-01-01T10:01:00Z');
    assert.match(done!.data.transaction_hash, /^0x[0-9a-f]{64}$/);
  });

  it('links the transaction: listed, filtered by order_id and read by hash (any case)', async () => {
    const order = await createOrder(fx.emu.url, token);
    const other = await createOrder(fx.emu.url, token);
    const hash = `0x${'AB'.repeat(32)}`;
    fx.emu.detectPayment(order.order_id, { txHash: hash });
    fx.emu.detectPayment(other.order_id);
    fx.emu.confirmPayment(order.order_id);
    const tx = ok(await po(fx.emu.url, 'GET', `/api/transactions/${hash.toUpperCase().replace('0X', '0x')}/`, undefined, { token }));
    assert.equal(tx.transaction_hash, hash.toLowerCase());
    assert.equal(tx.status, 'confirmed');
    assert.equal(tx.order_id, order.order_id);
    const listed = ok<Page>(await po(fx.emu.url, 'GET', `/api/transactions/?order_id=${order.order_id}`, undefined, { token }));
    assert.deepEqual(listed.results.map((t) => t.transaction_hash), [hash.toLowerCase()]);
    assert.equal(ok<Page>(await po(fx.emu.url, 'GET', '/api/transactions/?status=pending', undefined, { token })).count, 1);
    const got = ok(await po(fx.emu.url, 'GET', `/api/payment-orders/${order.order_id}/`, undefined, { token }));
    assert.equal(got.transaction.transaction_hash, hash.toLowerCase());
    fails(await po(fx.emu.url, 'GET', `/api/transactions/0x${'0'.repeat(64)}/`, undefined, { token }), 404, 'NOT_FOUND');
  });

  it('fail → payment.failed with a reason; expire → order.expired with no transaction fields', async () => {
    await registerEndpoint();
    const failing = await createOrder(fx.emu.url, token);
    fx.emu.detectPayment(failing.order_id);
    const failed = ok(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${failing.id}/fail`, { reason: 'reverted' }));
    assert.equal(failed.status, 'failed');
    assert.equal(failed.transaction.failure_reason, 'reverted');
    const expiring = await createOrder(fx.emu.url, token);
    assert.equal(ok(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${expiring.order_id}/expire`)).status, 'expired');
    await fx.emu.waitForDeliveries(3);
    const [pending, fail, expired] = bodies(endpointHook);
    assert.deepEqual([pending!.event, fail!.event, expired!.event], ['payment.pending', 'payment.failed', 'order.expired']);
    assert.equal(fail!.data.failure_reason, 'reverted');
    assert.equal(fail!.data.status, 'failed');
    assert.equal(expired!.data.order_id, expiring.order_id);
    assert.equal(expired!.data.status, 'expired');
    assert.equal(expired!.data.transaction_hash, null);
    assert.equal(expired!.data.block_number, null);
  });

  it('expires an unpaid order once its expires_at passes on the emulator clock, not one whose payment is confirming', async () => {
    await registerEndpoint(['order.expired']);
    const unpaid = await createOrder(fx.emu.url, token);
    const paying = await createOrder(fx.emu.url, token);
    fx.emu.detectPayment(paying.order_id);
    fx.emu.advanceClock(7200);
    await fx.emu.waitForDeliveries(1);
    assert.deepEqual(bodies(endpointHook).map((b) => [b.event, b.data.order_id]), [['order.expired', unpaid.order_id]]);
    assert.equal(ok(await po(fx.emu.url, 'GET', `/api/payment-orders/${paying.order_id}/`, undefined, { token })).status, 'pending');
  });

  it('sends only the events an active endpoint subscribed to', async () => {
    await registerEndpoint(['payment.confirmed']);
    const idle = await registerEndpoint(['payment.pending'], { is_active: false });
    assert.equal(idle.is_active, false);
    const order = await createOrder(fx.emu.url, token);
    fx.emu.detectPayment(order.order_id);
    fx.emu.confirmPayment(order.order_id);
    await fx.emu.waitForDeliveries(1);
    assert.deepEqual(fx.emu.deliveries().map((d) => [d.event, d.target, d.endpointId]), [['payment.confirmed', 'endpoint', 1]]);
  });

  it('retries a failed delivery with the same bytes and signature, then records it delivered', async () => {
    await registerEndpoint(['payment.pending']);
    endpointHook.respond = (n) => (n < 2 ? 500 : 204);
    const order = await createOrder(fx.emu.url, token);
    fx.emu.detectPayment(order.order_id);
    const [delivery] = await fx.emu.waitForDeliveries(1);
    assert.equal(delivery!.attempts.length, 3);
    assert.deepEqual(delivery!.attempts.map((a) => a.status), [500, 500, 204]);
    assert.equal(new Set(endpointHook.received.map((r) => r.body)).size, 1);
    assert.equal(new Set(endpointHook.received.map((r) => r.headers['x-webhook-signature'])).size, 1);
    assert.equal(ok<unknown[]>(await po(fx.emu.url, 'GET', '/_emulator/deliveries')).length, 1);
  });

  it('refuses chain events that do not fit the order (409 INVALID_STATE) and bad control input (400)', async () => {
    const order = await createOrder(fx.emu.url, token);
    fails(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${order.order_id}/confirm`), 409, 'INVALID_STATE');
    const bad = fails(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${order.order_id}/detect`, { tx_hash: '0x12' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(Object.keys(bad.details), ['tx_hash']);
    fx.emu.detectPayment(order.order_id);
    fails(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${order.order_id}/detect`), 409, 'INVALID_STATE');
    fails(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${order.order_id}/expire`), 409, 'INVALID_STATE');
    fx.emu.confirmPayment(order.order_id);
    fails(await po(fx.emu.url, 'POST', `/_emulator/payment-orders/${order.order_id}/fail`), 409, 'INVALID_STATE');
    fails(await po(fx.emu.url, 'POST', '/_emulator/payment-orders/ORD-missing/detect'), 404, 'NOT_FOUND');
  });
});
