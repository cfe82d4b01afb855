import assert from 'node:assert/strict';
import { PO_API_KEY, createOrder, fails, ok, orderBody, po, usePoEmulator } from './po-helpers';
import type { Page } from './po-helpers';

const token = PO_API_KEY;

describe('payment-orders emulator: payment orders (reference §5)', () => {
  const fx = usePoEmulator();

  it('creates an order with the documented shape (201), paying into the chain’s merchant wallet', async () => {
    const wallets = ok<Page>(await po(fx.emu.url, 'GET', '/api/merchant-wallets/?blockchain=base', undefined, { token })).results;
    const order = await createOrder(fx.emu.url, token, { nonce: 1640995200123456, webhook_url: 'https://shop.example.com/hooks', redirect_url: 'https://shop.example.com/thanks' });
    assert.equal(order.id, 1);
    assert.match(order.order_id, /^ORD-[a-z0-9]{12}$/);
    assert.equal(order.amount, '100.00');
    assert.equal(order.currency, 'USDC');
    assert.equal(order.blockchain, 'base');
    assert.equal(order.status, 'pending');
    assert.equal(order.receiving_address, wallets[0]!.address);
    assert.match(order.receiving_address, /^0x[0-9a-f]{40}$/);
    assert.equal(order.payment_url, `https://pay.cryptopay.com/order/${order.order_id}`);
    assert.equal(order.qr_code_url, `/qr/${order.order_id}`);
    assert.equal(order.order_info, '{"product": "Premium Plan", "quantity": 1}');
    assert.equal(order.nonce, 1640995200123456);
    assert.equal(order.webhook_url, 'https://shop.example.com/hooks');
    assert.equal(order.redirect_url, 'https://shop.example.com/thanks');
    assert.equal(order.created_at, '2024-01-01T10:00:00Z');
    assert.equal(order.expires_at, '2024-01-01T12:00:00Z', 'two hours by default, as in the example');
    assert.equal(order.transaction, null);
  });

  it('reports every missing field in DRF form', async () => {
    const err = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', {}, { token }), 400, 'VALIDATION_ERROR');
    assert.equal(err.message, 'Invalid request data');
    assert.deepEqual(err.details, {
      amount: ['This field is required.'],
      currency: ['This field is required.'],
      blockchain: ['This field is required.'],
      order_info: ['This field is required.'],
      nonce: ['This field is required.'],
    });
  });

  it('refuses money as a JSON number, order_info as an object or as text that is not JSON, and bad choices', async () => {
    const err = fails(
      await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ amount: 100, order_info: { product: 'x' }, currency: 'DOGE', blockchain: 'solana' }), { token }),
      400,
      'VALIDATION_ERROR',
    );
    assert.deepEqual(Object.keys(err.details).sort(), ['amount', 'blockchain', 'currency', 'order_info']);
    assert.match(err.details.amount![0]!, /decimal string/);
    assert.deepEqual(err.details.order_info, ['Not a valid string.']);
    assert.deepEqual(err.details.currency, ['"DOGE" is not a valid choice.']);
    const notJson = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ order_info: '{product' }), { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(notJson.details, { order_info: ['Value must be valid JSON.'] });
    const zero = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ amount: '0.00' }), { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(zero.details, { amount: ['Ensure this value is greater than 0.'] });
    const places = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ amount: '1.0000000000000000001' }), { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(places.details, { amount: ['Ensure that there are no more than 18 decimal places.'] });
  });

  it('checks the token against the chain once the fields are valid', async () => {
    const err = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ currency: 'MATIC', blockchain: 'base' }), { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(err.details, { currency: ['"MATIC" is not supported on base. Supported: ETH, USDC, cbBTC.'] });
    const ok137 = await createOrder(fx.emu.url, token, { currency: 'MATIC', blockchain: 'polygon' });
    assert.equal(ok137.blockchain, 'polygon');
  });

  it('keeps nonces unique: a reused nonce is a field error, and the first order is found by ?nonce=', async () => {
    const first = await createOrder(fx.emu.url, token, { nonce: 42 });
    const err = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ nonce: 42 }), { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(err.details, { nonce: ['payment order with this nonce already exists.'] });
    const found = ok<Page>(await po(fx.emu.url, 'GET', '/api/payment-orders/?nonce=42', undefined, { token }));
    assert.equal(found.count, 1);
    assert.equal(found.results[0]!.order_id, first.order_id);
    const bad = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ nonce: 'abc' }), { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(bad.details, { nonce: ['A valid integer is required.'] });
  });

  it('takes expires_at in the future only', async () => {
    const order = await createOrder(fx.emu.url, token, { expires_at: '2024-01-01T10:30:00Z' });
    assert.equal(order.expires_at, '2024-01-01T10:30:00Z');
    const err = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', orderBody({ expires_at: '2023-12-31T00:00:00Z' }), { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(err.details, { expires_at: ['Expiry must be in the future.'] });
  });

  it('gets an order by numeric id or by order_id; anything else is 404 NOT_FOUND', async () => {
    const order = await createOrder(fx.emu.url, token);
    assert.equal(ok(await po(fx.emu.url, 'GET', `/api/payment-orders/${order.id}/`, undefined, { token })).order_id, order.order_id);
    assert.equal(ok(await po(fx.emu.url, 'GET', `/api/payment-orders/${order.order_id}/`, undefined, { token })).id, order.id);
    fails(await po(fx.emu.url, 'GET', '/api/payment-orders/ORD-doesnotexist/', undefined, { token }), 404, 'NOT_FOUND');
  });

  it('lists newest first in pages with relative next/previous links that keep the filters', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createOrder(fx.emu.url, token, { amount: `${i + 1}.00` }));
    await createOrder(fx.emu.url, token, { blockchain: 'ethereum', currency: 'ETH' });
    const first = ok<Page>(await po(fx.emu.url, 'GET', '/api/payment-orders/?page_size=2&blockchain=base', undefined, { token }));
    assert.equal(first.count, 5);
    assert.deepEqual(first.results.map((o) => o.amount), ['5.00', '4.00']);
    assert.equal(first.previous, null);
    assert.equal(first.next, '/api/payment-orders/?blockchain=base&page=2&page_size=2');
    const second = ok<Page>(await po(fx.emu.url, 'GET', first.next, undefined, { token }));
    assert.equal(second.previous, '/api/payment-orders/?blockchain=base&page_size=2');
    const last = ok<Page>(await po(fx.emu.url, 'GET', second.next!, undefined, { token }));
    assert.deepEqual(last.results.map((o) => o.amount), ['1.00']);
    assert.equal(last.next, null);
    fails(await po(fx.emu.url, 'GET', '/api/payment-orders/?page=4&page_size=2', undefined, { token }), 404, 'NOT_FOUND');
    fails(await po(fx.emu.url, 'GET', '/api/payment-orders/?page=abc', undefined, { token }), 404, 'NOT_FOUND');
    const all = ok<Page>(await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token }));
    assert.equal(all.results.length, 6, 'default page size 20');
    const capped = ok<Page>(await po(fx.emu.url, 'GET', '/api/payment-orders/?page_size=5000', undefined, { token }));
    assert.equal(capped.results.length, 6);
    assert.equal(ok<Page>(await po(fx.emu.url, 'GET', '/api/payment-orders/?status=confirmed', undefined, { token })).count, 0);
  });

  it('follows Django: 301 to the slashed path, 405 with Allow, 415 for non-JSON, 400 for bad JSON', async () => {
    const redirect = await po(fx.emu.url, 'GET', '/api/payment-orders?page=2', undefined, { token });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/api/payment-orders/?page=2');
    const method = await po(fx.emu.url, 'DELETE', '/api/payment-orders/', undefined, { token });
    fails(method, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(method.headers.allow, 'GET, POST');
    fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', 'amount=1', { token, contentType: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', '{"amount":', { token }), 400, 'PARSE_ERROR');
    const list = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', '[1]', { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(list.details, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    fails(await po(fx.emu.url, 'GET', '/nothing-here/'), 404, 'NOT_FOUND');
  });
});
