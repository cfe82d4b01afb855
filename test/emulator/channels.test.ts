import assert from 'node:assert/strict';
import { ADDRESS_PATTERNS, ApiError, CryptopayEmulator } from '../../emulator/cryptopay';
import type { HttpResult, Transaction } from './helpers';
import { Receiver, UUID_RE, api, control, data, expectError, list, rawRequest, recordedData, until } from './helpers';
import { RECORDED_CHANNEL_CREATE, RECORDED_CHANNEL_PAYMENT, RECORDED_CHANNEL_PAYMENT_ON_HOLD } from './recorded';

interface Channel {
  id: string;
  status: string;
  name: string;
  description: string | null;
  receiver_currency: string;
  pay_currency: string;
  address: string;
  network: string;
  project_id: string;
  custom_id: string | null;
  customer_id: string | null;
  uri: string;
  hosted_page_url: string;
}

interface ChannelPayment {
  id: string;
  paid_amount: string;
  paid_currency: string;
  received_amount: string;
  received_currency: string;
  fee: string;
  fee_currency: string;
  txid: string;
  exchange?: { pair: string; rate: string; fee: string; fee_currency: string };
  status: string;
  status_context: string | null;
  custom_id: string | null;
  customer_id: string | null;
  channel_id: string;
  address: string;
  network: string;
  risk: { level: string } | null;
  [key: string]: unknown;
}

describe('emulator channels and channel payments', () => {
  const receiver = new Receiver();
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock });
  const create = async (params: Record<string, unknown> = {}): Promise<Channel> => {
    const res = await call('POST', '/api/channels', { name: 'Channel name', pay_currency: 'BTC', receiver_currency: 'EUR', ...params });
    assert.equal(res.status, 201, res.text);
    return data<Channel>(res);
  };
  const callbacks = (): Array<{ type: string; event: string; data: ChannelPayment }> =>
    receiver.received.map((r) => JSON.parse(r.body) as { type: string; event: string; data: ChannelPayment });

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

  it('POST /api/channels → 201 enabled with the recorded keys, address, uri, hosted page and project id', async () => {
    const ch = await create();
    const recorded = recordedData<Channel>(RECORDED_CHANNEL_CREATE);
    assert.deepEqual(Object.keys(ch), Object.keys(recorded));
    for (const k of ['status', 'name', 'description', 'receiver_currency', 'pay_currency', 'network', 'custom_id', 'customer_id'] as const) assert.equal(ch[k], recorded[k], k);
    assert.match(ch.id, UUID_RE);
    assert.match(ch.address, /^2[MN][1-9A-HJ-NP-Za-km-z]{33}$/);
    assert.equal(ch.uri, `bitcoin:${ch.address}`);
    assert.equal(ch.hosted_page_url, `${base}/channels/${ch.id}`);
    const accounts = list<{ project_id: string }>(await call('GET', '/api/accounts')).data;
    assert.equal(ch.project_id, accounts[0]?.project_id);

    const usdt = await create({ pay_currency: 'USDT', network: 'ethereum' });
    assert.equal(usdt.uri, `ethereum:0x23a2e5f75cdfe03763d929379f5dc3f14f7045cd@5/transfer?address=${usdt.address}`);
    const xrp = await create({ pay_currency: 'XRP' });
    assert.match(xrp.address, /^r\w+\?dt=\d+$/);
    assert.equal(xrp.uri, `ripple:${xrp.address}`);
    // every generated deposit address passes the emulator's own withdrawal address check
    for (const coin of ['BTC', 'LTC', 'BCH', 'XRP', 'ETH', 'USDT', 'XLM', 'ADA', 'TRX', 'DOGE', 'SOL']) {
      const c = await create({ pay_currency: coin });
      assert.match(c.address, ADDRESS_PATTERNS[c.network] ?? /./, `${coin} ${c.address}`);
    }
    const page = await rawRequest(base, 'GET', `/channels/${ch.id}`, {});
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(ch.address));
  });

  it('validation, 409 duplicate custom_id, GET by id / custom_id, PATCH, list with customer_id filter', async () => {
    const bad = expectError(await call('POST', '/api/channels', { pay_currency: 'EUR', receiver_currency: 'XXX', network: 'tron' }), 422, 'invalid');
    assert.deepEqual(bad.error.details.map((d) => `${d.target}:${d.code}`), ['name:required', 'pay_currency:must_be_included_in', 'receiver_currency:must_be_included_in']);
    const a = await create({ custom_id: 'CHANNEL-123', customer_id: 'CUST-1', description: 'tips' });
    const b = await create();
    expectError(await call('POST', '/api/channels', { name: 'x', pay_currency: 'BTC', receiver_currency: 'EUR', custom_id: 'CHANNEL-123' }), 409, 'duplicate_custom_id');
    assert.deepEqual(data(await call('GET', `/api/channels/${a.id}`)), a);
    assert.equal(data<Channel>(await call('GET', '/api/channels/custom_id/CHANNEL-123')).id, a.id);
    expectError(await call('GET', '/api/channels/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11'), 404, 'not_found');

    const patched = await call('PATCH', `/api/channels/${b.id}`, { status: 'disabled', name: 'Renamed', description: 'd', customer_id: 'CUST-2', pay_currency: 'ETH' });
    assert.equal(patched.status, 200, patched.text);
    const p = data<Channel>(patched);
    assert.deepEqual([p.status, p.name, p.description, p.customer_id, p.pay_currency], ['disabled', 'Renamed', 'd', 'CUST-2', 'BTC']);
    assert.deepEqual(data(await call('PATCH', `/api/channels/${b.id}`, { description: null })), { ...p, description: null });
    const invalid = expectError(await call('PATCH', `/api/channels/${b.id}`, { status: 'paused' }), 422, 'invalid');
    assert.equal(invalid.error.details[0]?.target, 'status');

    const all = list<Channel>(await call('GET', '/api/channels'));
    assert.deepEqual(all.data.map((c) => c.id), [b.id, a.id]);
    assert.deepEqual(all.meta, { total: 2, has_more: false });
    assert.deepEqual(list<Channel>(await call('GET', '/api/channels?customer_id=CUST-1')).data.map((c) => c.id), [a.id]);
  });

  it('payment, normal: pending then completed (converted, 1 % fee, credited), inherits custom_id/customer_id, callbacks created → completed', async () => {
    const ch = await create({ custom_id: 'CHANNEL-1', customer_id: 'CUST-9' });
    const paid = (await emu.payChannel(ch.id, '0.001')) as ChannelPayment;
    const recorded = recordedData<ChannelPayment>(RECORDED_CHANNEL_PAYMENT);
    assert.deepEqual(Object.keys(paid), Object.keys(recorded));
    assert.deepEqual(
      [paid.paid_amount, paid.paid_currency, paid.received_amount, paid.received_currency, paid.fee, paid.fee_currency, paid.status, paid.status_context],
      ['0.001', 'BTC', '28.36', 'EUR', '0.29', 'EUR', 'completed', null],
    );
    assert.deepEqual(paid.exchange, { pair: 'BTCEUR', rate: '28657.5853', fee: '0.0', fee_currency: 'EUR' });
    assert.deepEqual([paid.custom_id, paid.customer_id, paid.channel_id, paid.address, paid.network, paid.risk?.level], ['CHANNEL-1', 'CUST-9', ch.id, ch.address, 'bitcoin', 'low']);
    assert.match(paid.txid, /^[0-9a-f]{64}$/);
    assert.equal(emu.balances().EUR, '10028.36');

    await emu.waitForDeliveries(2, 3000);
    const cbs = callbacks();
    assert.deepEqual(cbs.map((c) => `${c.type}:${c.event}:${c.data.status}`), ['ChannelPayment:created:pending', 'ChannelPayment:completed:completed']);
    const created = cbs[0]?.data;
    assert.deepEqual([created?.received_amount, created?.fee, created?.risk, 'exchange' in (created ?? {})], ['0.0', '0.0', null, false]);
    assert.deepEqual(cbs[1]?.data, paid);

    const listed = list<ChannelPayment>(await call('GET', `/api/channels/${ch.id}/payments`));
    assert.deepEqual(listed, { data: [paid], meta: { total: 1, has_more: false } });
    assert.deepEqual(data(await call('GET', `/api/channels/${ch.id}/payments/${paid.id}`)), paid);
    const [row] = list<Transaction>(await call('GET', '/api/transactions?reference_type=ChannelPayment')).data;
    assert.deepEqual([row?.reference_id, row?.amount, row?.fee, row?.status, row?.custom_id, row?.customer_id], [paid.id, '28.36', '0.29', 'completed', 'CHANNEL-1', 'CUST-9']);
  });

  it('payment on a disabled channel → on_hold/channel_disabled; high_risk → on_hold/illicit_resource; nothing credited', async () => {
    const ch = await create();
    const risky = await control(base, 'POST', `/_emulator/channels/${ch.id}/payments`, { amount: '0.002', scenario: 'high_risk' });
    assert.equal(risky.status, 201, risky.text);
    const r = data<ChannelPayment>(risky);
    assert.deepEqual([r.status, r.status_context, r.risk?.level, r.received_amount], ['on_hold', 'illicit_resource', 'high', '0.0']);
    await call('PATCH', `/api/channels/${ch.id}`, { status: 'disabled' });
    const held = (await emu.payChannel(ch.id, 0.003)) as ChannelPayment;
    assert.deepEqual(Object.keys(held), Object.keys(recordedData(RECORDED_CHANNEL_PAYMENT_ON_HOLD)));
    assert.deepEqual([held.status, held.status_context, held.received_amount, held.fee, held.risk], ['on_hold', 'channel_disabled', '0.0', '0.0', null]);
    assert.equal(emu.balances().EUR, '10000.0');

    await until(() => receiver.received.length >= 4, 3000, 'four callbacks');
    const events = callbacks().map((c) => `${c.data.id === r.id ? 'risky' : 'held'}:${c.event}`);
    assert.deepEqual(events.filter((e) => e.startsWith('risky')), ['risky:created', 'risky:on_hold']);
    assert.deepEqual(events.filter((e) => e.startsWith('held')), ['held:created', 'held:on_hold']);
    const payments = list<ChannelPayment>(await call('GET', `/api/channels/${ch.id}/payments`)).data;
    assert.deepEqual(payments.map((p) => p.id), [held.id, r.id]);
  });

  it('payment errors; payments routes check the channel id', async () => {
    const ch = await create();
    await assert.rejects(emu.payChannel(ch.id, '-1'), (err: unknown) => err instanceof ApiError && err.status === 422);
    await assert.rejects(emu.payChannel(ch.id, '0.000000001'), (err: unknown) => err instanceof ApiError && err.details[0]?.code === 'invalid_precision');
    await assert.rejects(emu.payChannel(ch.id, '1', 'lucky' as 'normal'), (err: unknown) => err instanceof ApiError && err.details[0]?.target === 'scenario');
    await assert.rejects(emu.payChannel('0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11', '1'), (err: unknown) => err instanceof ApiError && err.status === 404);
    expectError(await control(base, 'POST', `/_emulator/channels/${ch.id}/payments`, {}), 422, 'invalid');

    for (const target of ['/api/channels/not-a-uuid/payments', '/api/channels/not-a-uuid/payments/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11']) {
      const b = expectError(await call('GET', target), 422, 'invalid');
      assert.deepEqual(b.error.details, [{ code: 'must_be_uuid', target: 'channel_id', message: 'must match uuid format' }]);
    }
    expectError(await call('GET', '/api/channels/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/payments'), 404, 'not_found');
    expectError(await call('GET', `/api/channels/${ch.id}/payments/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11`), 404, 'not_found');
  });

  it('the hosted channel page can simulate a payment', async () => {
    const ch = await create({ receiver_currency: 'BTC' });
    const res = await rawRequest(base, 'POST', `/channels/${ch.id}/pay`, { 'Content-Type': 'application/x-www-form-urlencoded' }, 'amount=0.01&scenario=normal');
    assert.equal(res.status, 303);
    const [p] = list<ChannelPayment>(await call('GET', `/api/channels/${ch.id}/payments`)).data;
    assert.deepEqual([p?.status, p?.received_amount, p?.fee, 'exchange' in (p ?? {})], ['completed', '0.0099', '0.0001', false]);
    assert.equal(emu.balances().BTC, '1.0099');
  });
});
