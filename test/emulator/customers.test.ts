import assert from 'node:assert/strict';
import { ApiError, CryptopayEmulator } from '../../emulator/cryptopay';
import type { HttpResult } from './helpers';
import { CALLBACK_SECRET, Receiver, TIMESTAMP_RE, UUID_RE, api, control, data, expectError, hmacSha256Hex, list, recordedData, until } from './helpers';
import { RECORDED_CUSTOMER, RECORDED_SUBSCRIPTION_CANCEL, RECORDED_SUBSCRIPTION_CREATE } from './recorded';

interface Customer {
  id: string;
  currency: string;
  refund_addresses: Record<string, string>;
  addresses: Array<{ address: string; currency: string; network: string }>;
}

interface Subscription {
  id: string;
  status: string;
  custom_id: string | null;
  name: string;
  amount: string;
  currency: string;
  period: string;
  period_quantity: number;
  current_period_starts_at: string;
  current_period_ends_at: string;
  current_period_paid: boolean;
  payer_email: string;
  created_at: string;
  cancelled_at: string | null;
  [key: string]: unknown;
}

const BTC = { address: '2N9wPGx67zdSeAbXi15qHgoZ9Hb9Uxhd2uQ', currency: 'BTC', network: 'bitcoin' };
const ETH = { address: '0x54baa6f4ff2374b2f8f3a32c0c3dad0acbdb42b2', currency: 'ETH', network: 'ethereum' };

describe('emulator customers', () => {
  const emu = new CryptopayEmulator();
  let base = '';
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock: () => emu.now() });

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('create (201, recorded keys, refund_addresses derived), get, update, list; ids are case-sensitive text', async () => {
    const created = await call('POST', '/api/customers', { id: 'CUSTOMER-123', currency: 'EUR', addresses: [BTC] });
    assert.equal(created.status, 201, created.text);
    const c = data<Customer>(created);
    assert.deepEqual(Object.keys(c), Object.keys(recordedData(RECORDED_CUSTOMER)));
    assert.deepEqual(c, recordedData(RECORDED_CUSTOMER), 'same request → the recorded body');
    const empty = data<Customer>(await call('POST', '/api/customers', { id: '56c8cb4112bc7df178ae804fa75f712b', currency: 'EUR' }));
    assert.deepEqual(empty, { id: '56c8cb4112bc7df178ae804fa75f712b', currency: 'EUR', refund_addresses: {}, addresses: [] });
    assert.equal((await call('POST', '/api/customers', { id: 'customer-123', currency: 'USD' })).status, 201);

    assert.deepEqual(data(await call('GET', '/api/customers/CUSTOMER-123')), c);
    assert.equal(data<Customer>(await call('GET', `/api/customers/${encodeURIComponent('customer-123')}`)).currency, 'USD');
    expectError(await call('GET', '/api/customers/NOBODY'), 404, 'not_found');

    const updated = data<Customer>(await call('PATCH', '/api/customers/CUSTOMER-123', { currency: 'USD', addresses: [ETH, { address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', currency: 'USDT', network: 'tron' }] }));
    assert.deepEqual(updated.refund_addresses, { ETH: ETH.address, USDT: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8' });
    assert.equal(updated.currency, 'USD');
    assert.equal(updated.addresses.length, 2, 'addresses replaces the list');
    assert.deepEqual(data<Customer>(await call('PATCH', '/api/customers/CUSTOMER-123', { addresses: [] })).refund_addresses, {});
    assert.equal(data<Customer>(await call('PATCH', '/api/customers/CUSTOMER-123', {})).currency, 'USD');

    const all = list<Customer>(await call('GET', '/api/customers'));
    assert.deepEqual(all.data.map((x) => x.id), ['customer-123', '56c8cb4112bc7df178ae804fa75f712b', 'CUSTOMER-123']);
    assert.deepEqual(all.meta, { total: 3, has_more: false });
    assert.deepEqual(list<Customer>(await call('GET', '/api/customers?starting_after=56c8cb4112bc7df178ae804fa75f712b')).data.map((x) => x.id), ['CUSTOMER-123']);
  });

  it('a reused id → 409 duplicate_custom_id; validation details with field paths', async () => {
    await call('POST', '/api/customers', { id: 'C1', currency: 'EUR' });
    const dup = expectError(await call('POST', '/api/customers', { id: 'C1', currency: 'USD' }), 409, 'duplicate_custom_id');
    assert.deepEqual(dup.error.details, []);
    const bad = expectError(
      await call('POST', '/api/customers', { currency: 'XXX', addresses: [{ address: 'nope', currency: 'BTC' }, { address: ETH.address, currency: 'ETH', network: 'ripple' }, BTC, 'x'] }),
      422,
      'invalid',
    );
    assert.deepEqual(bad.error.details.map((d) => `${d.target}:${d.code}`), [
      'id:required',
      'currency:must_be_included_in',
      'addresses[0].address:invalid_coin_address',
      'addresses[1].network:must_be_included_in',
      'addresses[2].currency:must_be_unique',
      'addresses[3]:must_be_hash',
    ]);
    expectError(await call('PATCH', '/api/customers/C1', { addresses: 'BTC' }), 422, 'invalid');
  });
});

describe('emulator subscriptions', () => {
  const receiver = new Receiver();
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock });
  const startsAt = (days: number): string => new Date(emu.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, '+00:00');
  const params = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: 'Subscription name',
    amount: '100.0',
    currency: 'EUR',
    period: 'month',
    period_quantity: 3,
    payer_email: 'user@example.com',
    starts_at: startsAt(7),
    ...extra,
  });
  const create = async (extra: Record<string, unknown> = {}): Promise<Subscription> => {
    const res = await call('POST', '/api/subscriptions', params(extra));
    assert.equal(res.status, 201, res.text);
    return data<Subscription>(res);
  };

  before(async () => {
    emu.setCallback(await receiver.start());
    base = (await emu.start(0)).url;
  });
  after(async () => {
    await emu.stop();
    await receiver.close();
  });
  beforeEach(() => {
    emu.reset();
    receiver.received.length = 0;
  });

  it('create → 201 active with the recorded keys; current period runs from now to starts_at', async () => {
    const s = await create();
    const recorded = recordedData<Subscription>(RECORDED_SUBSCRIPTION_CREATE);
    assert.deepEqual(Object.keys(s), Object.keys(recorded));
    for (const k of ['status', 'custom_id', 'name', 'amount', 'currency', 'period', 'period_quantity', 'current_period_paid', 'payer_email', 'payer_name', 'cancelled_at']) {
      assert.deepEqual(s[k], recorded[k], k);
    }
    assert.match(s.id, UUID_RE);
    assert.match(s.created_at, TIMESTAMP_RE);
    assert.equal(s.current_period_starts_at, s.created_at);
    assert.equal(s.current_period_ends_at, startsAt(7));
    // Ruby's Time#to_s form was accepted too (recorded)
    const ruby = await create({ starts_at: new Date(emu.now() + 4 * 86_400_000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'), custom_id: 'PAYMENT-123', payer_name: 'Jane' });
    assert.equal(ruby.current_period_ends_at, startsAt(4));
    assert.equal(ruby.payer_name, 'Jane');
  });

  it('validation: required fields, enums, integer period_quantity, starts_at at least 3 days ahead; 409 duplicate custom_id', async () => {
    const empty = expectError(await call('POST', '/api/subscriptions', {}), 422, 'invalid');
    assert.deepEqual(empty.error.details.map((d) => `${d.target}:${d.code}`), ['name:required', 'amount:required', 'currency:required', 'period:required', 'period_quantity:required', 'starts_at:required', 'payer_email:required']);
    const bad = expectError(
      await call('POST', '/api/subscriptions', params({ amount: '0', currency: 'XXX', period: 'fortnight', period_quantity: 1.5, payer_email: 'not-an-email', starts_at: 'soon' })),
      422,
      'invalid',
    );
    assert.deepEqual(bad.error.details.map((d) => `${d.target}:${d.code}`), [
      'amount:must_be_greater_than',
      'currency:must_be_included_in',
      'period:must_be_included_in',
      'period_quantity:must_be_integer',
      'starts_at:must_be_date_time',
      'payer_email:must_be_email',
    ]);
    const early = expectError(await call('POST', '/api/subscriptions', params({ starts_at: startsAt(2.9) })), 422, 'invalid');
    assert.equal(early.error.details[0]?.code, 'must_be_greater_than_or_equal');
    assert.equal(early.error.details[0]?.target, 'starts_at');
    assert.match(String(early.error.details[0]?.args?.value), TIMESTAMP_RE);
    await create({ starts_at: startsAt(3.0001), custom_id: 'S-1' });
    expectError(await call('POST', '/api/subscriptions', params({ custom_id: 'S-1' })), 409, 'duplicate_custom_id');
  });

  it('get by id and custom_id, list newest first', async () => {
    const a = await create({ custom_id: 'PAYMENT-123' });
    const b = await create();
    assert.deepEqual(data(await call('GET', `/api/subscriptions/${a.id}`)), a);
    assert.equal(data<Subscription>(await call('GET', '/api/subscriptions/custom_id/PAYMENT-123')).id, a.id);
    expectError(await call('GET', '/api/subscriptions/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11'), 404, 'not_found');
    const all = list<Subscription>(await call('GET', '/api/subscriptions'));
    assert.deepEqual(all.data.map((s) => s.id), [b.id, a.id]);
    assert.deepEqual(all.meta, { total: 2, has_more: false });
  });

  it('pay (control) → current_period_paid with a signed Subscription/paid callback; cancel → cancelled_at and Subscription/cancelled', async () => {
    const s = await create();
    const paid = await control(base, 'POST', `/_emulator/subscriptions/${s.id}/pay`);
    assert.equal(paid.status, 200, paid.text);
    assert.equal(data<Subscription>(paid).current_period_paid, true);
    await assert.rejects(emu.paySubscription(s.id), (err: unknown) => err instanceof ApiError && err.code === 'invalid_status');

    const cancelled = await call('POST', `/api/subscriptions/${s.id}/cancel`);
    assert.equal(cancelled.status, 200, cancelled.text);
    const c = data<Subscription>(cancelled);
    assert.deepEqual(Object.keys(c), Object.keys(recordedData(RECORDED_SUBSCRIPTION_CANCEL)));
    assert.equal(c.status, 'cancelled');
    assert.match(c.cancelled_at ?? '', TIMESTAMP_RE);
    expectError(await call('POST', `/api/subscriptions/${s.id}/cancel`), 422, 'invalid_status');
    await assert.rejects(emu.paySubscription(s.id), ApiError);

    await until(() => receiver.received.length >= 2, 3000, 'two callbacks');
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as { type: string; event: string; data: Subscription });
    assert.deepEqual(bodies.map((b) => `${b.type}:${b.event}`), ['Subscription:paid', 'Subscription:cancelled']);
    assert.equal(bodies[0]?.data.current_period_paid, true);
    assert.deepEqual(bodies[1]?.data, c);
    for (const r of receiver.received) assert.equal(r.headers['x-cryptopay-signature'], hmacSha256Hex(CALLBACK_SECRET, r.body));
  });

  it('an unpaid subscription is cancelled at starts_at (emulator clock); a paid one stays active', async () => {
    const unpaid = await create({ starts_at: startsAt(4) });
    const paid = await create({ starts_at: startsAt(4) });
    await emu.paySubscription(paid.id);
    emu.advanceClock(4 * 86_400 + 1);
    const u = data<Subscription>(await call('GET', `/api/subscriptions/${unpaid.id}`));
    assert.deepEqual([u.status, u.cancelled_at], ['cancelled', u.current_period_ends_at]);
    assert.equal(data<Subscription>(await call('GET', `/api/subscriptions/${paid.id}`)).status, 'active');
    assert.ok(emu.deliveries().some((d) => d.type === 'Subscription' && d.event === 'cancelled' && d.resourceId === unpaid.id));
  });
});
