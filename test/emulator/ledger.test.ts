import assert from 'node:assert/strict';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { HttpResult, Invoice, Transaction, Withdrawal } from './helpers';
import { TIMESTAMP_RE, UUID_RE, api, control, data, expectError, list, recordedData, sumDecimals } from './helpers';
import { RECORDED_ACCOUNT, RECORDED_TRANSACTION } from './recorded';

interface Account {
  id: string;
  balance: string;
  currency: string;
  project_id: string;
}

/** CPU milliseconds (user + system) this process used since `start`. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000);
}

const INITIAL: Record<string, string> = { EUR: '10000.0', USD: '10000.0', BTC: '1.0', ETH: '10.0', USDT: '10000.0', LTC: '10.0' };

describe('emulator accounts and transaction ledger', () => {
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock });
  const accounts = async (): Promise<Account[]> => list<Account>(await call('GET', '/api/accounts')).data;
  const invoice = async (scenario: 'exact' | 'under' | 'over' | 'high_risk', params: Record<string, unknown> = {}): Promise<Invoice> => {
    const res = await call('POST', '/api/invoices', { price_amount: '100.0', price_currency: 'EUR', pay_currency: 'BTC', ...params });
    assert.equal(res.status, 201, res.text);
    return (await emu.pay(data<Invoice>(res).id, scenario)) as Invoice;
  };
  /** Every row of one account, following the cursor (newest first). */
  const allRows = async (accountId: string): Promise<Transaction[]> => {
    const rows: Transaction[] = [];
    let cursor = '';
    for (;;) {
      const page = list<Transaction>(await call('GET', `/api/accounts/${accountId}/transactions${cursor ? `?starting_after=${cursor}` : ''}`));
      rows.push(...page.data);
      if (!page.meta.has_more) return rows;
      cursor = page.data[page.data.length - 1]?.id ?? '';
    }
  };

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('GET /api/accounts: one account per currency with the recorded keys and the opening balances', async () => {
    const res = list<Account>(await call('GET', '/api/accounts'));
    const accs = res.data;
    assert.deepEqual(Object.keys(accs[0] ?? {}), Object.keys(recordedData(RECORDED_ACCOUNT)));
    assert.deepEqual(accs.slice(0, 4).map((a) => a.currency), ['EUR', 'USD', 'GBP', 'BTC']);
    assert.equal(accs.length, 19, 'EUR, USD, GBP and the 16 coins');
    assert.deepEqual(res.meta, { total: 19, has_more: false });
    assert.equal(new Set(accs.map((a) => a.project_id)).size, 1);
    for (const a of accs) {
      assert.match(a.id, UUID_RE);
      assert.match(a.project_id, UUID_RE);
      assert.equal(a.balance, INITIAL[a.currency] ?? '0.0', a.currency);
    }
    emu.reset();
    assert.deepEqual((await accounts()).map((a) => a.id), accs.map((a) => a.id), 'account ids survive reset()');
  });

  it('initialBalances option; accounts for other currencies open on first use', async () => {
    const other = new CryptopayEmulator({ initialBalances: { EUR: '50.0', CHF: '7.5' } });
    const url = (await other.start(0)).url;
    try {
      const accs = list<Account>(await api(url, 'GET', '/api/accounts', undefined, { clock: () => other.now() })).data;
      const byCurrency = new Map(accs.map((a) => [a.currency, a.balance]));
      assert.deepEqual([byCurrency.get('EUR'), byCurrency.get('CHF'), byCurrency.get('USD'), byCurrency.get('BTC')], ['50.0', '7.5', '0.0', '0.0']);
      const res = await api(url, 'POST', '/api/invoices', { price_amount: '10', price_currency: 'PLN', pay_currency: 'BTC' }, { clock: () => other.now() });
      await other.pay(data<Invoice>(res).id, 'exact');
      assert.equal(other.balances().PLN, '9.9');
    } finally {
      await other.stop();
    }
    assert.throws(() => new CryptopayEmulator({ initialBalances: { EUR: 'lots' } }), RangeError);
  });

  it('every account adds up: opening balance + Σ amounts = balance, after invoices, refunds, withdrawals, exchanges and channel payments', async () => {
    // invoices: paid exactly (credit), in USDT, overpaid + refunded excess (credit), underpaid refunded to the
    // merchant account and to an external address, underpaid recalculated, high risk (no movement)
    await invoice('exact', { customer_id: 'CUST-1', custom_id: 'ORDER-1' });
    await invoice('exact', { price_amount: '25', price_currency: 'USDT', pay_currency: 'USDT' });
    for (const [scenario, refund] of [
      ['over', {}],
      ['under', {}],
      ['under', { address: '2N9wPGx67zdSeAbXi15qHgoZ9Hb9Uxhd2uQ' }],
    ] as const) {
      const inv = await invoice(scenario);
      assert.equal((await call('POST', `/api/invoices/${inv.id}/refunds`, refund)).status, 201);
    }
    const recalc = await invoice('under', { price_amount: '50', pay_currency: 'ETH' });
    assert.equal((await call('POST', `/api/invoices/${recalc.id}/recalculations`, { force_commit: true })).status, 201);
    await invoice('high_risk');
    // withdrawals: one-step, two-step, cancelled, expired
    const payout = { address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ', charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '100.0' };
    const w1 = data<Withdrawal>(await call('POST', '/api/coin_withdrawals', { ...payout, force_commit: true, customer_id: 'CUST-1' }));
    const w2 = data<Withdrawal>(await call('POST', '/api/coin_withdrawals', { ...payout, charged_currency: 'BTC', charged_amount: '0.01' }));
    assert.equal((await call('POST', `/api/coin_withdrawals/${w2.id}/commit`)).status, 200);
    const w3 = data<Withdrawal>(await call('POST', '/api/coin_withdrawals', { ...payout, force_commit: true }));
    emu.setWithdrawalStatus(w3.id, 'cancelled');
    await call('POST', '/api/coin_withdrawals', { ...payout, charged_amount: '20' }); // never committed
    // exchange transfers, both directions
    assert.equal((await call('POST', '/api/exchange_transfers', { charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '100.0', received_amount: null, force_commit: true })).status, 201);
    assert.equal((await call('POST', '/api/exchange_transfers', { charged_currency: 'ETH', received_currency: 'EUR', received_amount: '500', force_commit: true })).status, 201);
    // channel payments: completed, high risk, disabled channel
    const channel = data<{ id: string }>(await call('POST', '/api/channels', { name: 'Tips', pay_currency: 'LTC', receiver_currency: 'USD' }));
    await emu.payChannel(channel.id, '0.5');
    await emu.payChannel(channel.id, '0.5', 'high_risk');
    await call('PATCH', `/api/channels/${channel.id}`, { status: 'disabled' });
    await emu.payChannel(channel.id, '0.25');
    emu.seedTransactions(120, { currency: 'GBP' });

    const accs = await accounts();
    let rowTotal = 0;
    const types = new Set<string>();
    for (const acc of accs) {
      const rows = await allRows(acc.id);
      rowTotal += rows.length;
      const opening = INITIAL[acc.currency] ?? '0.0';
      assert.equal(sumDecimals([opening, ...rows.map((r) => r.amount)]), sumDecimals([acc.balance]), `${acc.currency}: opening + Σ amounts = balance`);
      // oldest → newest: each row's balance is the previous balance plus its amount
      let running = opening;
      for (const row of [...rows].reverse()) {
        running = sumDecimals([running, row.amount]);
        assert.equal(sumDecimals([row.balance]), running, `${acc.currency} running balance at ${row.reference_type}`);
        assert.equal(row.currency, acc.currency);
        types.add(row.reference_type);
      }
      assert.ok(!acc.balance.startsWith('-'), `${acc.currency} never negative`);
    }
    assert.deepEqual([...types].sort(), ['ChannelPayment', 'CoinWithdrawal', 'ExchangeTransfer', 'Invoice', 'InvoiceRefund', 'ManualBalanceTransaction']);
    assert.equal(list<Transaction>(await call('GET', '/api/transactions')).meta.total, rowTotal);

    const eur = list<Transaction>(await call('GET', '/api/transactions?currency=EUR')).data;
    const first = eur.find((r) => r.custom_id === 'ORDER-1');
    assert.deepEqual(Object.keys(first ?? {}), Object.keys(recordedData(RECORDED_TRANSACTION)));
    assert.deepEqual(
      [first?.amount, first?.fee, first?.fee_currency, first?.reference_type, first?.status, first?.customer_id, first?.risk?.level],
      ['99.0', '1.0', 'EUR', 'Invoice', 'completed', 'CUST-1', 'low'],
    );
    assert.match(first?.created_at ?? '', TIMESTAMP_RE);
    const w1Row = eur.find((r) => r.reference_id === w1.id);
    assert.deepEqual([w1Row?.amount, w1Row?.fee, w1Row?.status, w1Row?.customer_id], ['-100.0', '1.0', 'pending', 'CUST-1']);
    const refunds = list<Transaction>(await call('GET', '/api/transactions?reference_type=InvoiceRefund')).data;
    assert.equal(refunds.length, 3);
    assert.ok(refunds.every((r) => r.status === null && r.currency === 'BTC'));
    const exchanges = list<Transaction>(await call('GET', '/api/transactions?reference_type=ExchangeTransfer')).data;
    assert.deepEqual(exchanges.map((r) => r.currency), ['EUR', 'ETH', 'BTC', 'EUR']);
    assert.ok(exchanges.every((r) => r.status === null));
    const held = list<Transaction>(await call('GET', '/api/transactions?status=on_hold')).data;
    assert.deepEqual(held.map((r) => [r.amount, r.status_context]), [
      ['0.0', 'channel_disabled'],
      ['0.0', 'illicit_resource'],
    ]);
  });

  it('filters: reference_type, currency, status, risk_level, customer_id, created_at_from/to (Z and +00:00, encoded or not)', async () => {
    await invoice('exact', { customer_id: 'ALICE' });
    emu.advanceClock(100);
    const boundary = new Date(emu.now()).toISOString().slice(0, 19);
    const channel = data<{ id: string }>(await call('POST', '/api/channels', { name: 'c', pay_currency: 'BTC', receiver_currency: 'EUR' }));
    await emu.payChannel(channel.id, '0.001', 'high_risk');
    await emu.payChannel(channel.id, '0.001');
    emu.seedTransactions(3);

    // The same instant written in a +hh:00 zone (the wall-clock time may fall on the next day).
    const inZone = (utc: string, hours: number): string => new Date(Date.parse(`${utc}Z`) + hours * 3600_000).toISOString().slice(0, 19);
    const q = async (query: string): Promise<Transaction[]> => list<Transaction>(await call('GET', `/api/transactions?${query}`)).data;
    assert.deepEqual((await q('reference_type=Invoice')).map((r) => r.customer_id), ['ALICE']);
    assert.deepEqual((await q('customer_id=ALICE')).map((r) => r.reference_type), ['Invoice']);
    assert.equal((await q('reference_type=ManualBalanceTransaction&currency=EUR')).length, 3);
    assert.equal((await q('currency=BTC')).length, 0);
    assert.deepEqual((await q('risk_level=high')).map((r) => r.status_context), ['illicit_resource']);
    assert.deepEqual((await q('risk_level=low')).map((r) => r.reference_type), ['ChannelPayment', 'Invoice']);
    assert.deepEqual((await q('status=completed')).map((r) => r.reference_type), ['ChannelPayment', 'Invoice']);
    assert.deepEqual((await q('status=completed&reference_type=ChannelPayment&risk_level=low')).length, 1);

    for (const from of [`${boundary}Z`, `${boundary}%2B00%3A00`, `${boundary}+00:00`, encodeURIComponent(`${boundary}.000+00:00`), `${inZone(boundary, 2)}%2B02%3A00`]) {
      const rows = await q(`created_at_from=${from}`);
      assert.equal(rows.length, 5, from);
      assert.ok(rows.every((r) => r.reference_type !== 'Invoice'), from);
    }
    const before = await q(`created_at_to=${encodeURIComponent(new Date(Date.parse(`${boundary}Z`) - 1000).toISOString())}`);
    assert.deepEqual(before.map((r) => r.reference_type), ['Invoice']);
    assert.equal((await q('created_at_to=2001-01-01T00:00:00Z')).length, 0);

    for (const bad of ['created_at_from=yesterday', 'reference_type=invoice', 'risk_level=extreme', 'starting_after=1']) {
      expectError(await call('GET', `/api/transactions?${bad}`), 422, 'invalid');
    }
    const dateErr = expectError(await call('GET', '/api/transactions?created_at_to=2023-13-01T00:00:00Z'), 422, 'invalid');
    assert.deepEqual(dateErr.error.details.map((d) => `${d.target}:${d.code}`), ['created_at_to:must_be_date_time']);
  });

  it('GET /api/accounts/{id}/transactions: own rows only; non-UUID → 422 must_be_uuid on account_id; unknown → 404', async () => {
    await invoice('exact');
    emu.seedTransactions(60, { currency: 'USD' });
    const accs = await accounts();
    const eur = accs.find((a) => a.currency === 'EUR');
    const usd = accs.find((a) => a.currency === 'USD');
    const eurRows = list<Transaction>(await call('GET', `/api/accounts/${eur?.id ?? ''}/transactions`));
    assert.deepEqual(eurRows.meta, { total: 1, has_more: false });
    assert.deepEqual(Object.keys(eurRows.data[0] ?? {}), Object.keys(recordedData(RECORDED_TRANSACTION)));
    const usdRows = await allRows(usd?.id ?? '');
    assert.equal(usdRows.length, 60);
    assert.ok(usdRows.every((r) => r.currency === 'USD'));
    // a cursor from another account is not in this list → empty page
    const foreign = list<Transaction>(await call('GET', `/api/accounts/${usd?.id ?? ''}/transactions?starting_after=${eurRows.data[0]?.id ?? ''}`));
    assert.deepEqual(foreign, { data: [], meta: { total: 60, has_more: false } });
    const bad = expectError(await call('GET', '/api/accounts/not-a-uuid/transactions'), 422, 'invalid');
    assert.deepEqual(bad.error.details, [{ code: 'must_be_uuid', target: 'account_id', message: 'must match uuid format' }]);
    expectError(await call('GET', '/api/accounts/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/transactions'), 404, 'not_found');
  });

  it('seeding 100,000 rows is fast and paging 3 pages by cursor stays O(page)', async function () {
    this.timeout(20_000);
    // CPU time of this process (the emulator runs in it), not wall time: other jobs on a
    // loaded machine stretch wall time but not the work done.
    const started = process.cpuUsage();
    const seeded = await control(base, 'POST', '/_emulator/seed/transactions', { count: 100_000, currency: 'EUR' });
    const seedMs = cpuMs(started);
    assert.equal(seeded.status, 201, seeded.text);
    assert.deepEqual(data(seeded), { count: 100_000, currency: 'EUR', balance: '22500.0', total: 100_000 });
    assert.ok(seedMs < 2000, `seeding took ${seedMs} ms of CPU`);
    assert.equal(emu.balances().EUR, '22500.0', '10000 + 50,000 pairs × 0.25');

    const pagesStarted = process.cpuUsage();
    const seen: Transaction[] = [];
    let cursor = '';
    for (let page = 0; page < 3; page += 1) {
      const res = list<Transaction>(await call('GET', `/api/transactions${cursor ? `?starting_after=${cursor}` : ''}`));
      assert.deepEqual(res.meta, { total: 100_000, has_more: true });
      assert.equal(res.data.length, 50);
      seen.push(...res.data);
      cursor = res.data[49]?.id ?? '';
    }
    const pagesMs = cpuMs(pagesStarted);
    assert.ok(pagesMs < 500, `3 pages took ${pagesMs} ms of CPU`);
    assert.equal(new Set(seen.map((r) => r.id)).size, 150);
    assert.equal(seen[0]?.balance, '22500.0', 'newest first');
    // consecutive rows: newer balance = older balance + newer amount
    for (let i = 0; i < seen.length - 1; i += 1) {
      const newer = seen[i];
      const older = seen[i + 1];
      assert.equal(sumDecimals([older?.balance ?? '', newer?.amount ?? '']), sumDecimals([newer?.balance ?? '']));
    }
    assert.ok(seen.every((r) => r.reference_type === 'ManualBalanceTransaction' && r.status === null));
    // the last page of the whole ledger
    const all = list<Transaction>(await call('GET', '/api/transactions?currency=EUR&reference_type=ManualBalanceTransaction'));
    assert.equal(all.meta.total, 100_000);
  });

  it('seeded rows alternate credits and debits and never take the balance below zero', async () => {
    const result = emu.seedTransactions(7, { currency: 'DOGE' });
    assert.deepEqual(result, { count: 7, currency: 'DOGE', balance: '3.97', total: 7 });
    const rows = list<Transaction>(await call('GET', '/api/transactions?currency=DOGE')).data.reverse();
    let balance = '0.0';
    for (const [i, r] of rows.entries()) {
      assert.equal(r.amount.startsWith('-'), i % 2 === 1);
      balance = sumDecimals([balance, r.amount]);
      assert.ok(!balance.startsWith('-'));
      assert.equal(r.balance, balance);
    }
    expectError(await control(base, 'POST', '/_emulator/seed/transactions', { count: 0 }), 422, 'invalid');
    expectError(await control(base, 'POST', '/_emulator/seed/transactions', { count: 5, currency: 7 }), 422, 'invalid');
    assert.equal(data<{ currency: string }>(await control(base, 'POST', '/_emulator/seed/transactions', { count: 1 })).currency, 'EUR');
  });
});
