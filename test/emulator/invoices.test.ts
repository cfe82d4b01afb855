import assert from 'node:assert/strict';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { ErrorBody, Invoice } from './helpers';
import { TIMESTAMP_RE, UUID_RE, api, body, data } from './helpers';
import { RECORDED_INVOICE_CREATE } from './recorded';

const recorded = (JSON.parse(RECORDED_INVOICE_CREATE) as { data: Record<string, unknown> }).data;

describe('emulator invoices API', () => {
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  const clock = (): number => emu.now();
  const create = async (params: Record<string, unknown>): Promise<Invoice> => {
    const res = await api(base, 'POST', '/api/invoices', params, { clock });
    assert.equal(res.status, 201, res.text);
    return data<Invoice>(res);
  };

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('POST /api/invoices → 201 with the recorded shape, key order and values', async () => {
    const res = await api(base, 'POST', '/api/invoices', { price_amount: '100.0', price_currency: 'EUR', pay_currency: 'BTC' }, { clock });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(body<Record<string, unknown>>(res)), ['data']);
    const inv = data<Invoice>(res);
    assert.deepEqual(Object.keys(inv), Object.keys(recorded));
    assert.deepEqual(Object.keys(inv.exchange ?? {}), Object.keys(recorded.exchange as object));
    // same request as the recording, same rate → same amounts
    for (const k of ['status', 'status_context', 'network', 'price_amount', 'price_currency', 'pay_amount', 'pay_currency', 'fee', 'fee_currency', 'paid_amount', 'exchange', 'transactions', 'custom_id', 'metadata']) {
      assert.deepEqual(inv[k], recorded[k], k);
    }
    assert.match(inv.id, UUID_RE);
    assert.match(inv.address, /^2[MN][1-9A-HJ-NP-Za-km-z]{33}$/);
    assert.equal(inv.uri, `bitcoin:${inv.address}?amount=0.00349`);
    assert.equal(inv.hosted_page_url, `${base}/invoices/${inv.id}`);
    assert.match(inv.created_at, TIMESTAMP_RE);
    assert.equal(Date.parse(inv.expires_at) - Date.parse(inv.created_at), 10 * 60_000);
  });

  it('ETH invoice: 8-decimal amount rounded up, wei URI with chain id; numbers accepted as price', async () => {
    const inv = await create({ price_amount: 50, price_currency: 'EUR', pay_currency: 'ETH' });
    assert.equal(inv.price_amount, '50.0');
    assert.equal(inv.pay_amount, '0.02850781'); // recorded value for 50 EUR at 1753.9057
    assert.equal(inv.fee, '0.5');
    assert.match(inv.uri, /^ethereum:0x[0-9a-f]{40}@5\?value=0\.2850781e17$/);
  });

  it('same price and pay currency: no exchange key, 2 h validity, token URI', async () => {
    const inv = await create({ price_amount: '0.00005', price_currency: 'USDT', pay_currency: 'USDT' });
    assert.equal('exchange' in inv, false);
    assert.equal(inv.pay_amount, '0.00005');
    assert.equal(inv.fee, '0.000001');
    assert.equal(Date.parse(inv.expires_at) - Date.parse(inv.created_at), 2 * 3600_000);
    assert.equal(inv.uri, `ethereum:0x23a2e5f75cdfe03763d929379f5dc3f14f7045cd@5/transfer?address=${inv.address}&uint256=0.5e2`);
  });

  it('keeps optional fields (custom_id, customer_id, name, description, metadata, redirect urls)', async () => {
    const inv = await create({
      price_amount: '10',
      price_currency: 'EUR',
      pay_currency: 'XRP',
      custom_id: 'ORDER-1',
      customer_id: 'CUSTOMER-123',
      name: 'Order 1',
      description: 'two things',
      metadata: { order: '1', source: 'node-red' },
      success_redirect_url: 'https://shop.example/ok',
      unsuccess_redirect_url: 'https://shop.example/fail',
    });
    assert.equal(inv.custom_id, 'ORDER-1');
    assert.equal(inv.customer_id, 'CUSTOMER-123');
    assert.deepEqual(inv.metadata, { order: '1', source: 'node-red' });
    assert.equal(inv.success_redirect_url, 'https://shop.example/ok');
    assert.match(inv.address, /^r[1-9A-HJ-NP-Za-km-z]{24,34}\?dt=\d+$/);
    assert.match(inv.uri, /^ripple:r\w+\?amount=[\d.]+&dt=\d+$/);
  });

  it('422 invalid with details for missing / bad fields', async () => {
    const res = await api(base, 'POST', '/api/invoices', { price_amount: 'abc', price_currency: 'XXX', metadata: { a: 1 } }, { clock });
    assert.equal(res.status, 422);
    const b = body<ErrorBody>(res);
    assert.equal(b.error.code, 'invalid');
    assert.match(b.meta.request_id, /^[0-9a-f]{32}$/);
    const byTarget = new Map(b.error.details.map((d) => [d.target, d]));
    assert.equal(byTarget.get('price_amount')?.code, 'must_be_decimal');
    const pc = byTarget.get('price_currency');
    assert.equal(pc?.code, 'must_be_included_in');
    assert.ok(Array.isArray(pc?.args?.list) && (pc.args.list as string[]).includes('EUR'));
    assert.equal(byTarget.get('pay_currency')?.code, 'required');
    assert.equal(byTarget.get('metadata')?.code, 'must_be_hash_of_strings');

    const empty = body<ErrorBody>(await api(base, 'POST', '/api/invoices', undefined, { clock }));
    assert.deepEqual(empty.error.details.map((d) => `${d.target}:${d.code}`), ['price_amount:required', 'price_currency:required', 'pay_currency:required']);

    const negative = body<ErrorBody>(await api(base, 'POST', '/api/invoices', { price_amount: '-5', price_currency: 'EUR', pay_currency: 'ETH', network: 'tron' }, { clock }));
    assert.deepEqual(negative.error.details.map((d) => `${d.target}:${d.code}`), ['price_amount:must_be_greater_than', 'network:must_be_included_in']);
  });

  it('409 duplicate_custom_id', async () => {
    await create({ price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'PAYMENT-123' });
    const res = await api(base, 'POST', '/api/invoices', { price_amount: '2', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'PAYMENT-123' }, { clock });
    assert.equal(res.status, 409);
    const b = body<ErrorBody>(res);
    assert.deepEqual(b.error, { code: 'duplicate_custom_id', message: 'duplicate custom id', details: [] });
  });

  it('GET by id and by custom_id; 404 not_found otherwise', async () => {
    const inv = await create({ price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'A/B 1' });
    const byId = await api(base, 'GET', `/api/invoices/${inv.id}`, undefined, { clock });
    assert.equal(byId.status, 200);
    assert.deepEqual(data(byId), inv);
    const byCustom = await api(base, 'GET', `/api/invoices/custom_id/${encodeURIComponent('A/B 1')}`, undefined, { clock });
    assert.equal(byCustom.status, 200, byCustom.text);
    assert.equal(data<Invoice>(byCustom).id, inv.id);
    for (const target of ['/api/invoices/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11', '/api/invoices/not-a-uuid', '/api/invoices/custom_id/nope']) {
      const res = await api(base, 'GET', target, undefined, { clock });
      assert.equal(res.status, 404, target);
      assert.deepEqual(body<ErrorBody>(res).error, { code: 'not_found', message: 'not found', details: [] });
    }
  });

  it('lists newest first, 50 per page, with meta and starting_after', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      ids.push((await create({ price_amount: String(i + 1), price_currency: 'EUR', pay_currency: 'BTC', customer_id: i % 2 === 0 ? 'even' : 'odd' })).id);
    }
    const newestFirst = [...ids].reverse();
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (const expected of [
      { n: 50, more: true },
      { n: 50, more: true },
      { n: 20, more: false },
    ]) {
      const target = cursor ? `/api/invoices?starting_after=${cursor}` : '/api/invoices';
      const res = await api(base, 'GET', target, undefined, { clock });
      assert.equal(res.status, 200);
      const b = body<{ data: Invoice[]; meta: { total: number; has_more: boolean } }>(res);
      assert.deepEqual(b.meta, { total: 120, has_more: expected.more });
      assert.equal(b.data.length, expected.n);
      pages.push(b.data.map((inv) => inv.id));
      cursor = b.data[b.data.length - 1]?.id;
    }
    assert.deepEqual(pages.flat(), newestFirst);

    const odd = body<{ data: Invoice[]; meta: { total: number; has_more: boolean } }>(await api(base, 'GET', '/api/invoices?customer_id=odd', undefined, { clock }));
    assert.deepEqual(odd.meta, { total: 60, has_more: true });
    assert.ok(odd.data.every((inv) => inv.customer_id === 'odd'));

    // unknown but well-formed cursor: empty page (documented assumption)
    const unknown = body<{ data: Invoice[]; meta: { total: number; has_more: boolean } }>(
      await api(base, 'GET', '/api/invoices?starting_after=0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11', undefined, { clock }),
    );
    assert.deepEqual(unknown, { data: [], meta: { total: 120, has_more: false } });

    const bad = await api(base, 'GET', '/api/invoices?starting_after=123', undefined, { clock });
    assert.equal(bad.status, 422);
    const err = body<ErrorBody>(bad);
    assert.equal(err.error.code, 'invalid');
    assert.deepEqual(err.error.details, [{ code: 'must_be_uuid', target: 'starting_after', message: 'must match uuid format' }]);
  });

  it('expired invoices stay new; unpaid invoices are cancelled after 14 days (advanceClock)', async () => {
    const inv = await create({ price_amount: '5', price_currency: 'EUR', pay_currency: 'LTC' });
    emu.advanceClock(11 * 60);
    let now = data<Invoice>(await api(base, 'GET', `/api/invoices/${inv.id}`, undefined, { clock }));
    assert.equal(now.status, 'new');
    emu.advanceClock(14 * 24 * 3600 - 11 * 60 - 5);
    now = data<Invoice>(await api(base, 'GET', `/api/invoices/${inv.id}`, undefined, { clock }));
    assert.equal(now.status, 'new');
    emu.advanceClock(5);
    now = data<Invoice>(await api(base, 'GET', `/api/invoices/${inv.id}`, undefined, { clock }));
    assert.equal(now.status, 'cancelled');
    assert.equal(now.status_context, null);
    const cancelled = emu.deliveries().filter((d) => d.event === 'status_changed');
    assert.equal(cancelled.length, 1, 'status_changed logged (no callback URL configured → state no_url)');
    assert.equal(cancelled[0]?.state, 'no_url');
    assert.equal((JSON.parse(cancelled[0]?.body ?? '{}') as { data: Invoice }).data.status, 'cancelled');
  });
});
