import assert from 'node:assert/strict';
import { BLOCKCHAIN_SLUGS } from '../../emulator/payment-orders';
import { PO_API_KEY, createOrder, fails, ok, po, usePoEmulator } from './po-helpers';
import type { Page } from './po-helpers';

const token = PO_API_KEY;
const ADDRESS = `0x${'1234567890'.repeat(4)}`;

describe('payment-orders emulator: merchant wallets and webhook endpoints (reference §6, §8.5)', () => {
  const fx = usePoEmulator();

  it('starts with one active wallet per chain', async () => {
    const wallets = ok<Page>(await po(fx.emu.url, 'GET', '/api/merchant-wallets/', undefined, { token }));
    assert.deepEqual(wallets.results.map((w) => w.blockchain), [...BLOCKCHAIN_SLUGS]);
    for (const w of wallets.results) {
      assert.deepEqual(Object.keys(w).sort(), ['address', 'blockchain', 'created_at', 'id', 'is_active', 'label', 'updated_at']);
      assert.equal(w.is_active, true);
    }
    assert.equal(ok<Page>(await po(fx.emu.url, 'GET', '/api/merchant-wallets/?blockchain=polygon', undefined, { token })).count, 1);
  });

  it('keeps one active wallet per chain; a new active wallet receives the next orders', async () => {
    const clash = fails(await po(fx.emu.url, 'POST', '/api/merchant-wallets/', { blockchain: 'base', address: ADDRESS }, { token }), 400, 'VALIDATION_ERROR');
    assert.match(clash.details.blockchain![0]!, /active wallet for base already exists/);
    const added = ok(await po(fx.emu.url, 'POST', '/api/merchant-wallets/', { blockchain: 'base', address: ADDRESS, label: 'Cold', is_active: false }, { token }), 201);
    assert.equal(added.is_active, false);
    const current = ok<Page>(await po(fx.emu.url, 'GET', '/api/merchant-wallets/?blockchain=base&is_active=true', undefined, { token })).results[0]!;
    // PUT replaces: blockchain and address must be sent again.
    const partial = fails(await po(fx.emu.url, 'PUT', `/api/merchant-wallets/${current.id}/`, { is_active: false }, { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(partial.details, { blockchain: ['This field is required.'], address: ['This field is required.'] });
    const off = ok(await po(fx.emu.url, 'PUT', `/api/merchant-wallets/${current.id}/`, { blockchain: 'base', address: current.address, is_active: false }, { token }));
    assert.equal(off.is_active, false);
    assert.equal(off.label, current.label, 'like DRF, PUT updates only the fields sent: an optional field left out keeps its value');
    const on = ok(await po(fx.emu.url, 'PATCH', `/api/merchant-wallets/${added.id}/`, { is_active: true }, { token }));
    assert.equal(on.label, 'Cold');
    assert.equal((await createOrder(fx.emu.url, token)).receiving_address, ADDRESS);
  });

  it('refuses an order on a chain without an active wallet, and malformed wallets', async () => {
    const base = ok<Page>(await po(fx.emu.url, 'GET', '/api/merchant-wallets/?blockchain=base', undefined, { token })).results[0]!;
    ok(await po(fx.emu.url, 'PATCH', `/api/merchant-wallets/${base.id}/`, { is_active: false }, { token }));
    const err = fails(await po(fx.emu.url, 'POST', '/api/payment-orders/', { amount: '1', currency: 'USDC', blockchain: 'base', order_info: '{}', nonce: 7 }, { token }), 400, 'VALIDATION_ERROR');
    assert.match(err.details.blockchain![0]!, /No active merchant wallet for base/);
    const bad = fails(await po(fx.emu.url, 'POST', '/api/merchant-wallets/', { blockchain: 'tron', address: 'T123' }, { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(Object.keys(bad.details).sort(), ['address', 'blockchain']);
    fails(await po(fx.emu.url, 'PUT', '/api/merchant-wallets/999/', { blockchain: 'base', address: ADDRESS }, { token }), 404, 'NOT_FOUND');
  });

  it('creates webhook endpoints (secret only in the create answer), lists, replaces and patches them', async () => {
    const given = ok(await po(fx.emu.url, 'POST', '/api/webhook-endpoints/', { url: 'https://shop.example.com/a', events: ['payment.confirmed'], secret: 'my-secret' }, { token }), 201);
    assert.equal(given.secret, 'my-secret');
    assert.deepEqual(given.events, ['payment.confirmed']);
    const listed = ok<Page>(await po(fx.emu.url, 'GET', '/api/webhook-endpoints/', undefined, { token }));
    assert.equal(listed.count, 1);
    assert.equal('secret' in listed.results[0]!, false);
    assert.equal('secret' in ok(await po(fx.emu.url, 'GET', `/api/webhook-endpoints/${given.id}/`, undefined, { token })), false);
    const replaced = ok(await po(fx.emu.url, 'PUT', `/api/webhook-endpoints/${given.id}/`, { url: 'https://shop.example.com/b', events: ['order.expired', 'payment.failed'] }, { token }));
    assert.deepEqual([replaced.url, replaced.events, replaced.is_active], ['https://shop.example.com/b', ['order.expired', 'payment.failed'], true]);
    const paused = ok(await po(fx.emu.url, 'PATCH', `/api/webhook-endpoints/${given.id}/`, { is_active: false }, { token }));
    assert.equal(paused.is_active, false);
    assert.equal(paused.url, 'https://shop.example.com/b');
  });

  it('validates webhook endpoints like DRF', async () => {
    const missing = fails(await po(fx.emu.url, 'POST', '/api/webhook-endpoints/', {}, { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(missing.details, { url: ['This field is required.'], events: ['This field is required.'] });
    const bad = fails(await po(fx.emu.url, 'POST', '/api/webhook-endpoints/', { url: 'not a url', events: ['payment.refunded'] }, { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(bad.details, { url: ['Enter a valid URL.'], events: ['"payment.refunded" is not a valid choice.'] });
    const empty = fails(await po(fx.emu.url, 'POST', '/api/webhook-endpoints/', { url: 'http://127.0.0.1:1880/hook', events: [] }, { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(empty.details, { events: ['This selection may not be empty.'] });
    const notList = fails(await po(fx.emu.url, 'POST', '/api/webhook-endpoints/', { url: 'http://localhost/hook', events: 'payment.pending' }, { token }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(notList.details, { events: ['Expected a list of items but got type "str".'] });
  });
});
