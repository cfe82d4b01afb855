import assert from 'node:assert/strict';
import { ApiError, CryptopayEmulator } from '../../emulator/cryptopay';
import type { HttpResult, ListResult, Transaction, Withdrawal } from './helpers';
import { CALLBACK_SECRET, Receiver, TIMESTAMP_RE, UUID_RE, api, control, data, expectError, hmacSha256Hex, list, recordedData, until } from './helpers';
import { RECORDED_NETWORK_FEES, RECORDED_WITHDRAWAL_CREATE, RECORDED_WITHDRAWAL_UNCOMMITTED } from './recorded';

const BTC_ADDRESS = '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ';
const ETH_ADDRESS = '0xf3532c1fd002665ec54d46a50787e0c69c76cd44';
const recordedKeys = Object.keys(recordedData(RECORDED_WITHDRAWAL_CREATE));

describe('emulator coin withdrawals', () => {
  const receiver = new Receiver();
  const emu = new CryptopayEmulator({ timeScale: 0.001, highRiskAddresses: ['0x000000000000000000000000000000000000dEaD'] });
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock });
  const payout = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    address: BTC_ADDRESS,
    charged_currency: 'EUR',
    received_currency: 'BTC',
    charged_amount: '100.0',
    force_commit: true,
    ...extra,
  });
  const create = async (extra: Record<string, unknown> = {}): Promise<Withdrawal> => {
    const res = await call('POST', '/api/coin_withdrawals', payout(extra));
    assert.equal(res.status, 201, res.text);
    return data<Withdrawal>(res);
  };
  const eur = (): string => emu.balances().EUR ?? '';
  const rowsOf = async (referenceId: string): Promise<Transaction[]> =>
    list<Transaction>(await call('GET', '/api/transactions?reference_type=CoinWithdrawal')).data.filter((t) => t.reference_id === referenceId);

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

  it('force_commit: 201 pending with the recorded keys, debited at once, created callback', async () => {
    const w = await create();
    assert.deepEqual(Object.keys(w), recordedKeys);
    assert.match(w.id, UUID_RE);
    assert.match(w.created_at, TIMESTAMP_RE);
    assert.deepEqual(
      [w.status, w.network, w.txid, w.charged_amount, w.charged_currency, w.received_amount, w.received_currency, w.network_fee, w.network_fee_level, w.fee, w.fee_currency],
      ['pending', 'bitcoin', null, '100.0', 'EUR', '0.00331775', 'BTC', '0.00001602', 'average', '0.0', 'BTC'],
    );
    assert.deepEqual(w.exchange, { pair: 'BTCEUR', rate: '29696.0269', fee: '1.0', fee_currency: 'EUR' });
    assert.equal(eur(), '9900.0');
    const [row] = await rowsOf(w.id);
    assert.deepEqual([row?.amount, row?.fee, row?.fee_currency, row?.balance, row?.status], ['-100.0', '1.0', 'EUR', '9900.0', 'pending']);

    await emu.waitForDeliveries(1, 3000);
    const cb = receiver.received[0];
    assert.equal(cb?.headers['x-cryptopay-signature'], hmacSha256Hex(CALLBACK_SECRET, cb?.body ?? ''));
    const parsed = JSON.parse(cb?.body ?? '{}') as { type: string; event: string; data: Withdrawal };
    assert.deepEqual([parsed.type, parsed.event, parsed.data.id, parsed.data.status], ['CoinWithdrawal', 'created', w.id, 'pending']);
  });

  it('two-step: 201 new (Z timestamp, no network key, no money moved), commit → 200 pending and debited', async () => {
    const w = await create({ force_commit: false });
    const uncommittedKeys = Object.keys(recordedData(RECORDED_WITHDRAWAL_UNCOMMITTED));
    assert.deepEqual(
      Object.keys(w).filter((k) => k !== 'description'),
      uncommittedKeys,
      'recorded uncommitted shape (plus the 2023 description key)',
    );
    assert.equal('network' in w, false);
    assert.match(w.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(w.status, 'new');
    assert.equal(eur(), '10000.0', 'nothing debited before the commit');
    assert.equal(receiver.received.length, 0);

    const committed = await call('POST', `/api/coin_withdrawals/${w.id}/commit`);
    assert.equal(committed.status, 200, committed.text);
    const c = data<Withdrawal>(committed);
    assert.deepEqual(Object.keys(c), recordedKeys);
    assert.deepEqual([c.status, c.network], ['pending', 'bitcoin']);
    assert.equal(c.created_at, w.created_at.replace('Z', '+00:00'));
    assert.equal(eur(), '9900.0');

    expectError(await call('POST', `/api/coin_withdrawals/${w.id}/commit`), 409, 'already_committed');
    assert.equal(eur(), '9900.0', 'a repeated commit does not pay twice');
    expectError(await call('POST', '/api/coin_withdrawals/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/commit'), 404, 'not_found');
  });

  it('a commit later than 30 s → 409 expired; an expired withdrawal never moves money', async () => {
    const w = await create({ force_commit: false });
    emu.advanceClock(31);
    const b = expectError(await api(base, 'POST', `/api/coin_withdrawals/${w.id}/commit`, undefined, { clock }), 409, 'expired');
    assert.deepEqual(b.error.details, []);
    assert.equal(eur(), '10000.0');
    const again = data<Withdrawal>(await call('GET', `/api/coin_withdrawals/${w.id}`));
    assert.equal(again.status, 'new');
    assert.equal((await rowsOf(w.id)).length, 0);
  });

  const modes: Array<[string, Record<string, unknown>, string, string]> = [
    ['charged_amount (fees included)', { charged_amount: '100.0' }, '100.0', '0.00331775'],
    ['charged_amount_to_send (fees on top)', { charged_amount: undefined, charged_amount_to_send: '50' }, '50.98', '0.00168372'],
    ['received_amount (fees on top)', { charged_amount: undefined, received_amount: '0.001' }, '30.49', '0.001'],
    [
      'amount in EUR, processing fee included, network fee on top',
      { charged_amount: undefined, amount: '60', amount_currency: 'EUR', amount_includes_processing_fee: true, amount_includes_network_fee: false },
      '60.48',
      '0.00200026',
    ],
    [
      'amount in BTC, both fees included',
      { charged_amount: undefined, amount: '0.002', amount_currency: 'BTC', amount_includes_processing_fee: true, amount_includes_network_fee: true },
      '59.4',
      '0.00196404',
    ],
  ];
  for (const [name, fields, charged, received] of modes) {
    it(`amount mode: ${name}`, async () => {
      const w = await create(fields);
      assert.deepEqual([w.charged_amount, w.received_amount], [charged, received]);
      const [row] = await rowsOf(w.id);
      assert.equal(row?.amount, `-${charged}`);
    });
  }

  it('same currency: no exchange, the processing fee is the fee; network_fee_level fast', async () => {
    const w = await create({ charged_currency: 'BTC', charged_amount: undefined, charged_amount_to_send: '0.01', network_fee_level: 'fast' });
    assert.equal(w.exchange, null);
    assert.deepEqual([w.fee, w.fee_currency, w.network_fee, w.network_fee_level], ['0.0001', 'BTC', '0.00002582', 'fast']);
    assert.deepEqual([w.charged_amount, w.received_amount], ['0.01012582', '0.01']);
    assert.equal(emu.balances().BTC, '0.98987418');
  });

  it('no amount, or several amount modes → 422 invalid with one detail per problem', async () => {
    const none = expectError(await call('POST', '/api/coin_withdrawals', payout({ charged_amount: undefined })), 422, 'invalid');
    assert.deepEqual(none.error.details.map((d) => `${d.target}:${d.code}`), ['charged_amount:required']);
    const two = expectError(await call('POST', '/api/coin_withdrawals', payout({ received_amount: '0.1', amount: '5' })), 422, 'invalid');
    assert.deepEqual(two.error.details.map((d) => `${d.target}:${d.code}`), ['received_amount:must_be_empty', 'amount:must_be_empty']);
    const wrongCurrency = expectError(
      await call('POST', '/api/coin_withdrawals', payout({ charged_amount: undefined, amount: '50', amount_currency: 'USD', amount_includes_network_fee: 'yes' })),
      422,
      'invalid',
    );
    assert.deepEqual(wrongCurrency.error.details.map((d) => `${d.target}:${d.code}`), ['amount_includes_network_fee:must_be_boolean', 'amount_currency:must_be_included_in']);
    assert.deepEqual(wrongCurrency.error.details[1]?.args, { list: ['EUR', 'BTC'] });
    const precise = expectError(await call('POST', '/api/coin_withdrawals', payout({ charged_amount: '10.001' })), 422, 'invalid');
    assert.deepEqual(precise.error.details, [{ code: 'invalid_precision', target: 'charged_amount', message: 'must have at most 2 decimal places', args: { precision: 2 } }]);
    assert.equal(eur(), '10000.0');
  });

  it('insufficient balance → must_be_less_than_or_equal with the balance', async () => {
    const b = expectError(await call('POST', '/api/coin_withdrawals', payout({ charged_amount: '99999999' })), 422, 'invalid');
    assert.deepEqual(b.error.details, [
      { code: 'must_be_less_than_or_equal', target: 'charged_amount', message: 'must be less than or equal to 10000.0', args: { value: '10000.0' } },
    ]);
    const r = expectError(await call('POST', '/api/coin_withdrawals', payout({ charged_amount: undefined, received_amount: '1' })), 422, 'invalid');
    assert.equal(r.error.details[0]?.target, 'received_amount');
    assert.deepEqual(r.error.details[0]?.args, { value: '10000.0' });
    // two-step: checked again at commit time
    const w = await create({ force_commit: false, charged_amount: '6000' });
    await create({ charged_amount: '6000' });
    const late = expectError(await call('POST', `/api/coin_withdrawals/${w.id}/commit`), 422, 'invalid');
    assert.deepEqual(late.error.details[0]?.args, { value: '4000.0' });
    assert.equal(eur(), '4000.0');
  });

  it('below the 5 EUR minimum → must_be_greater_than_or_equal on the amount field used', async () => {
    for (const [field, value, extra] of [
      ['charged_amount_to_send', '1', {}],
      ['charged_amount', '4.99', {}],
      ['received_amount', '0.0001', {}],
      ['amount', '0.0001', { amount_currency: 'BTC' }],
    ] as const) {
      const b = expectError(await call('POST', '/api/coin_withdrawals', payout({ charged_amount: undefined, [field]: value, ...extra })), 422, 'invalid');
      assert.deepEqual(b.error.details, [{ code: 'must_be_greater_than_or_equal', target: field, message: 'must be greater than or equal to 5.0', args: { value: '5.0' } }]);
    }
    await create({ charged_amount: '5' }); // exactly the minimum is fine
  });

  it('invalid address for the currency → invalid_coin_address', async () => {
    for (const [address, currency] of [
      ['not-an-address', 'BTC'],
      [BTC_ADDRESS, 'ETH'],
      ['0x1234', 'USDT'],
      ['rXYZ', 'XRP'],
    ] as const) {
      const b = expectError(await call('POST', '/api/coin_withdrawals', payout({ address, received_currency: currency })), 422, 'invalid');
      assert.deepEqual(b.error.details, [{ code: 'invalid_coin_address', target: 'address', message: `must be a valid ${currency} address`, args: { currency } }]);
    }
    await create({ address: ETH_ADDRESS, received_currency: 'ETH' });
    await create({ address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8', received_currency: 'USDT', network: 'tron' });
    await create({ address: 'rn7bUErRCFBHhLpjmx3XhR89exwgwFFjMs?dt=1562880701', received_currency: 'XRP' });
  });

  it('high-risk destination → 422 high_risk_address with a human message and no details', async () => {
    for (const address of ['2Mz3bcjSVHG8uQJpNjmCxp24VdTjdeadbeef', '0x000000000000000000000000000000000000DEAD']) {
      const b = expectError(await call('POST', '/api/coin_withdrawals', payout({ address, received_currency: address.startsWith('0x') ? 'ETH' : 'BTC' })), 422, 'high_risk_address');
      assert.deepEqual(b.error.details, []);
      assert.ok(b.error.message.length > 60, b.error.message);
    }
    assert.equal(eur(), '10000.0');
  });

  it('duplicate custom_id → 409; get by id and custom_id; list newest first with customer_id filter', async () => {
    const a = await create({ custom_id: 'PAYMENT-1', customer_id: 'C1' });
    const b = await create({ custom_id: 'PAYMENT-2' });
    const dup = expectError(await call('POST', '/api/coin_withdrawals', payout({ custom_id: 'PAYMENT-1' })), 409, 'duplicate_custom_id');
    assert.deepEqual(dup.error.details, []);
    assert.equal(eur(), '9800.0', 'the refused duplicate moved no money');
    assert.deepEqual(data(await call('GET', `/api/coin_withdrawals/${a.id}`)), a);
    assert.equal(data<Withdrawal>(await call('GET', '/api/coin_withdrawals/custom_id/PAYMENT-2')).id, b.id);
    expectError(await call('GET', '/api/coin_withdrawals/custom_id/nope'), 404, 'not_found');
    expectError(await call('GET', '/api/coin_withdrawals/not-a-uuid'), 404, 'not_found');
    const all = list<Withdrawal>(await call('GET', '/api/coin_withdrawals'));
    assert.deepEqual(all.data.map((w) => w.id), [b.id, a.id]);
    assert.deepEqual(all.meta, { total: 2, has_more: false });
    assert.deepEqual(list<Withdrawal>(await call('GET', '/api/coin_withdrawals?customer_id=C1')).data.map((w) => w.id), [a.id]);
    expectError(await call('GET', '/api/coin_withdrawals?starting_after=x'), 422, 'invalid');
  });

  it('travel rule: beneficiary required and validated with field paths as targets', async () => {
    const missing = expectError(await call('POST', '/api/coin_withdrawals', payout({ travel_rule_compliant: true })), 422, 'invalid');
    assert.deepEqual(missing.error.details.map((d) => `${d.target}:${d.code}`), ['beneficiary:required']);
    const bad = expectError(
      await call(
        'POST',
        '/api/coin_withdrawals',
        payout({
          travel_rule_compliant: true,
          beneficiary: { type: 'robot', name: 'Bad_Name!', address: { country: 'DEU', city: 'x'.repeat(36), line_1: 'y'.repeat(71), post_code: '1'.repeat(17) } },
        }),
      ),
      422,
      'invalid',
    );
    assert.deepEqual(bad.error.details.map((d) => `${d.target}:${d.code}`), [
      'beneficiary.type:must_be_included_in',
      'beneficiary.name:invalid_format',
      'beneficiary.address.country:too_long',
      'beneficiary.address.city:too_long',
      'beneficiary.address.line_1:too_long',
      'beneficiary.address.post_code:too_long',
    ]);
    const noCountry = expectError(
      await call('POST', '/api/coin_withdrawals', payout({ travel_rule_compliant: true, beneficiary: { type: 'legal_person', name: 'x'.repeat(101), address: { city: 'Berlin' } } })),
      422,
      'invalid',
    );
    assert.deepEqual(noCountry.error.details.map((d) => `${d.target}:${d.code}`), ['beneficiary.name:too_long', 'beneficiary.address.country:required']);
    const ok = await create({
      travel_rule_compliant: true,
      beneficiary: { type: 'natural_person', name: 'Jane Doe-Smith 2', address: { country: 'de', city: 'Berlin', line_1: 'Main St 1', post_code: '10115' } },
    });
    assert.equal(ok.status, 'pending');
  });

  it('lifecycle control: processing → sent (txid) → completed, status_changed callbacks in order; invalid moves → 422', async () => {
    const w = await create();
    const moved = control(base, 'POST', `/_emulator/coin_withdrawals/${w.id}/status`, { status: 'processing' });
    assert.equal(data<Withdrawal>(await moved).status, 'processing');
    const sent = emu.setWithdrawalStatus(w.id, 'sent') as Withdrawal;
    assert.match(sent.txid ?? '', /^[0-9a-f]{64}$/);
    assert.equal(sent.risk?.level, 'low');
    emu.setWithdrawalStatus(w.id, 'completed');
    assert.equal(data<Withdrawal>(await call('GET', `/api/coin_withdrawals/${w.id}`)).status, 'completed');
    const [row] = await rowsOf(w.id);
    assert.equal(row?.status, 'completed', 'the ledger row shows the current status');

    assert.throws(() => emu.setWithdrawalStatus(w.id, 'cancelled'), (err: unknown) => err instanceof ApiError && err.status === 422 && err.code === 'invalid_status');
    expectError(await control(base, 'POST', `/_emulator/coin_withdrawals/${w.id}/status`, { status: 'nope' }), 422, 'invalid');
    expectError(await control(base, 'POST', '/_emulator/coin_withdrawals/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/status', { status: 'sent' }), 404, 'not_found');
    const fresh = await create({ force_commit: false });
    expectError(await control(base, 'POST', `/_emulator/coin_withdrawals/${fresh.id}/status`, { status: 'processing' }), 422, 'invalid_status');

    await emu.waitForDeliveries(4, 3000);
    await until(() => receiver.received.length >= 4, 3000, 'four callbacks');
    const mine = receiver.received.map((r) => JSON.parse(r.body) as { event: string; data: Withdrawal }).filter((b) => b.data.id === w.id);
    assert.deepEqual(
      mine.map((b) => `${b.event}:${b.data.status}`),
      ['created:pending', 'status_changed:processing', 'status_changed:sent', 'status_changed:completed'],
    );
  });

  it('on_hold and failed are side states; cancelled credits the charged amount back', async () => {
    const w = await create();
    emu.setWithdrawalStatus(w.id, 'on_hold');
    emu.setWithdrawalStatus(w.id, 'failed');
    assert.equal(eur(), '9900.0');
    emu.setWithdrawalStatus(w.id, 'cancelled');
    assert.equal(eur(), '10000.0');
    const rows = await rowsOf(w.id);
    assert.deepEqual(
      rows.map((r) => [r.amount, r.balance, r.status]),
      [
        ['100.0', '10000.0', 'cancelled'],
        ['-100.0', '9900.0', 'cancelled'],
      ],
    );
    const other = await create();
    emu.setWithdrawalStatus(other.id, 'failed');
    assert.equal((emu.setWithdrawalStatus(other.id, 'completed') as Withdrawal).status, 'completed');
  });

  it('GET network_fees: no meta, recorded list; all_networks=true adds the other networks', async () => {
    const res = await call('GET', '/api/coin_withdrawals/network_fees');
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json as object), ['data']);
    assert.deepEqual(data(res), recordedData(RECORDED_NETWORK_FEES));
    const all = data<Array<{ currency: string; network: string; level: string }>>(await call('GET', '/api/coin_withdrawals/network_fees?all_networks=true'));
    assert.ok(all.some((f) => f.currency === 'USDT' && f.network === 'tron'));
    assert.ok(all.filter((f) => f.currency !== 'BTC').every((f) => f.level === 'average'));
    expectError(await call('GET', '/api/coin_withdrawals/network_fees?all_networks=maybe'), 422, 'invalid');
  });

  it('list pages of 50 by cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 55; i += 1) ids.push((await create({ charged_amount: '10' })).id);
    const first = list<Withdrawal>(await call('GET', '/api/coin_withdrawals'));
    assert.deepEqual(first.meta, { total: 55, has_more: true });
    const second: ListResult<Withdrawal> = list(await call('GET', `/api/coin_withdrawals?starting_after=${first.data[49]?.id ?? ''}`));
    assert.deepEqual(second.meta, { total: 55, has_more: false });
    assert.deepEqual([...first.data, ...second.data].map((w) => w.id), [...ids].reverse());
  });
});
