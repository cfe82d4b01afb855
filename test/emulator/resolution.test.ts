import assert from 'node:assert/strict';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { ErrorBody, HttpResult, Invoice } from './helpers';
import { TIMESTAMP_RE, UUID_RE, api, body, data, sleep, until } from './helpers';
import { RECORDED_RECALCULATION_CREATE, RECORDED_REFUND_CREATE } from './recorded';

interface Recalculation {
  id: string;
  invoice_id: string;
  pay_amount: string;
  price_amount: string;
  fee: string;
  previous_pay_amount: string;
  previous_price_amount: string;
  previous_exchange_rate: string | null;
  exchange: { pair: string; rate: string } | null;
  created_at: string;
}

interface Refund {
  id: string;
  invoice_id: string;
  custom_id: string | null;
  amount: string;
  amount_currency: string;
  fee: string;
  fee_currency: string;
  address: string | null;
  txid: string | null;
  network: string;
}

const recordedRecalcKeys = Object.keys((JSON.parse(RECORDED_RECALCULATION_CREATE) as { data: object }).data);
const recordedRefundKeys = Object.keys((JSON.parse(RECORDED_REFUND_CREATE) as { data: object }).data);

function assertError(res: HttpResult, status: number, code: string): ErrorBody {
  assert.equal(res.status, status, res.text);
  const b = body<ErrorBody>(res);
  assert.equal(b.error.code, code);
  assert.match(b.meta.request_id, /^[0-9a-f]{32}$/);
  return b;
}

describe('emulator recalculations and refunds', () => {
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): Promise<HttpResult> => api(base, method, target, payload, { clock });
  /** 50 EUR paid in ETH (recorded rate 1753.9057 → pay_amount 0.02850781), then paid per scenario. */
  const paidInvoice = async (scenario: 'exact' | 'under' | 'over' | 'late' | 'high_risk', params: Record<string, unknown> = {}): Promise<Invoice> => {
    const res = await call('POST', '/api/invoices', { price_amount: '50.0', price_currency: 'EUR', pay_currency: 'ETH', ...params });
    assert.equal(res.status, 201, res.text);
    return (await emu.pay(data<Invoice>(res).id, scenario)) as Invoice;
  };
  const statusChanges = (invoiceId: string): string[] =>
    emu
      .deliveries()
      .filter((d) => d.resourceId === invoiceId && d.event === 'status_changed')
      .map((d) => {
        const inv = (JSON.parse(d.body) as { data: Invoice }).data;
        return inv.status_context ? `${inv.status}/${inv.status_context}` : inv.status;
      });

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  describe('recalculation', () => {
    it('two-step: create (201, Z timestamp, recorded keys) then commit (200) → completed at the paid amount', async () => {
      const inv = await paidInvoice('under');
      assert.equal(inv.paid_amount, '0.0142539');
      const created = await call('POST', `/api/invoices/${inv.id}/recalculations`); // empty body, like Ruby/PHP
      assert.equal(created.status, 201, created.text);
      const r = data<Recalculation>(created);
      assert.deepEqual(Object.keys(r), recordedRecalcKeys);
      assert.match(r.id, UUID_RE);
      assert.equal(r.invoice_id, inv.id);
      assert.equal(r.pay_amount, '0.0142539');
      assert.equal(r.price_amount, '24.99'); // 0.0142539 × 1753.9057 = 24.9999…, rounded down
      assert.equal(r.fee, '0.25');
      assert.equal(r.previous_pay_amount, '0.02850781');
      assert.equal(r.previous_price_amount, '50.0');
      assert.equal(r.previous_exchange_rate, '1753.9057');
      assert.deepEqual(r.exchange, { pair: 'ETHEUR', rate: '1753.9057', fee: '0.0', fee_currency: 'EUR' });
      assert.match(r.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      // not applied before the commit
      assert.equal(data<Invoice>(await call('GET', `/api/invoices/${inv.id}`)).status, 'unresolved');

      emu.advanceClock(29);
      const committed = await call('POST', `/api/invoices/${inv.id}/recalculations/${r.id}/commit`);
      assert.equal(committed.status, 200, committed.text);
      const c = data<Recalculation>(committed);
      assert.equal(c.id, r.id);
      assert.match(c.created_at, TIMESTAMP_RE);
      const now = data<Invoice>(await call('GET', `/api/invoices/${inv.id}`));
      assert.deepEqual(
        [now.status, now.status_context, now.price_amount, now.pay_amount, now.paid_amount, now.fee],
        ['completed', null, '24.99', '0.0142539', '0.0142539', '0.25'],
      );
      assert.match(now.uri, /\?value=0\.142539e17$/);
      await until(() => statusChanges(inv.id).length === 2, 2000, 'two status_changed events');
      assert.deepEqual(statusChanges(inv.id), ['unresolved/underpaid', 'completed']);

      assertError(await call('POST', `/api/invoices/${inv.id}/recalculations/${r.id}/commit`), 409, 'already_committed');
    });

    it('a commit later than 30 s → 409 expired and the invoice stays unresolved', async () => {
      const inv = await paidInvoice('over');
      const r = data<Recalculation>(await call('POST', `/api/invoices/${inv.id}/recalculations`, { force_commit: false }));
      assert.equal(r.price_amount, '75.0');
      emu.advanceClock(31);
      assertError(await call('POST', `/api/invoices/${inv.id}/recalculations/${r.id}/commit`), 409, 'expired');
      assert.equal(data<Invoice>(await call('GET', `/api/invoices/${inv.id}`)).status_context, 'overpaid');
    });

    it('force_commit: true applies at once; same-currency invoices take price = paid amount and no exchange', async () => {
      const res = await call('POST', '/api/invoices', { price_amount: '0.00005', price_currency: 'USDT', pay_currency: 'USDT' });
      const inv = (await emu.pay(data<Invoice>(res).id, 'late')) as Invoice;
      const created = await call('POST', `/api/invoices/${inv.id}/recalculations`, { force_commit: true });
      assert.equal(created.status, 201);
      const r = data<Recalculation>(created);
      assert.equal(r.price_amount, r.pay_amount);
      assert.equal(r.exchange, null);
      assert.equal(r.previous_exchange_rate, null);
      assert.match(r.created_at, TIMESTAMP_RE);
      const now = data<Invoice>(await call('GET', `/api/invoices/${inv.id}`));
      assert.deepEqual([now.status, now.price_amount], ['completed', '0.00005']);
    });

    it('refused in the wrong state, for unknown ids and bad params', async () => {
      const fresh = data<Invoice>(await call('POST', '/api/invoices', { price_amount: '5', price_currency: 'EUR', pay_currency: 'BTC' }));
      const wrong = assertError(await call('POST', `/api/invoices/${fresh.id}/recalculations`), 422, 'invalid_status');
      assert.equal(wrong.error.details[0]?.target, 'status');
      const risky = await paidInvoice('high_risk');
      assertError(await call('POST', `/api/invoices/${risky.id}/recalculations`), 422, 'invalid_status');
      const under = await paidInvoice('under');
      assertError(await call('POST', `/api/invoices/${under.id}/recalculations`, { force_commit: 'yes' }), 422, 'invalid');
      assertError(await call('POST', `/api/invoices/${under.id}/recalculations/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/commit`), 404, 'not_found');
      assertError(await call('POST', '/api/invoices/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/recalculations'), 404, 'not_found');
    });
  });

  describe('refunds', () => {
    it('underpaid → whole paid amount refunded, invoice refunded; txid filled once broadcast', async () => {
      const inv = await paidInvoice('under', { custom_id: 'R-1' });
      const address = '0xf3532c1fd002665ec54d46a50787e0c69c76cd44';
      const res = await call('POST', `/api/invoices/${inv.id}/refunds`, { address });
      assert.equal(res.status, 201, res.text);
      const refund = data<Refund>(res);
      assert.deepEqual(Object.keys(refund), recordedRefundKeys);
      assert.deepEqual(
        [refund.invoice_id, refund.custom_id, refund.amount, refund.amount_currency, refund.fee, refund.fee_currency, refund.address, refund.txid, refund.network],
        [inv.id, 'R-1', '0.0142539', 'ETH', '0.00014254', 'ETH', address, null, 'ethereum'],
      );
      const now = data<Invoice>(await call('GET', `/api/invoices/${inv.id}`));
      assert.deepEqual([now.status, now.status_context], ['refunded', null]);
      await until(() => statusChanges(inv.id).length === 2, 2000, 'two status_changed events');
      assert.deepEqual(statusChanges(inv.id), ['unresolved/underpaid', 'refunded']);

      // the refund is broadcast eventSpacing-ish later (2 s × timeScale): poll the list until the txid shows up
      let list: HttpResult | undefined;
      for (let i = 0; i < 100; i += 1) {
        list = await call('GET', `/api/invoices/${inv.id}/refunds`);
        if (data<Refund[]>(list)[0]?.txid) break;
        await sleep(5);
      }
      assert.ok(list);
      assert.deepEqual(Object.keys(body<object>(list)), ['data'], 'refund list has no meta');
      const refunds = data<Refund[]>(list);
      assert.equal(refunds.length, 1);
      assert.match(refunds[0]?.txid ?? '', /^0x[0-9a-f]{64}$/);

      assertError(await call('POST', `/api/invoices/${inv.id}/refunds`, { address }), 422, 'invalid_status');
    });

    it('overpaid → only the excess is refunded, invoice completed', async () => {
      const inv = await paidInvoice('over');
      assert.equal(inv.paid_amount, '0.04276171');
      const refund = data<Refund>(await call('POST', `/api/invoices/${inv.id}/refunds`));
      assert.equal(refund.amount, '0.0142539');
      assert.equal(refund.address, null);
      const now = data<Invoice>(await call('GET', `/api/invoices/${inv.id}`));
      assert.deepEqual([now.status, now.status_context, now.price_amount, now.paid_amount], ['completed', null, '50.0', '0.04276171']);
    });

    it('paid_late → whole amount refunded, invoice refunded', async () => {
      const inv = await paidInvoice('late');
      const refund = data<Refund>(await call('POST', `/api/invoices/${inv.id}/refunds`, {}));
      assert.equal(refund.amount, '0.02850781');
      assert.equal(data<Invoice>(await call('GET', `/api/invoices/${inv.id}`)).status, 'refunded');
    });

    it('refused for new, completed and illicit_resource invoices', async () => {
      const fresh = data<Invoice>(await call('POST', '/api/invoices', { price_amount: '5', price_currency: 'EUR', pay_currency: 'BTC' }));
      assertError(await call('POST', `/api/invoices/${fresh.id}/refunds`), 422, 'invalid_status');
      const done = await paidInvoice('exact');
      assertError(await call('POST', `/api/invoices/${done.id}/refunds`), 422, 'invalid_status');
      const risky = await paidInvoice('high_risk');
      assertError(await call('POST', `/api/invoices/${risky.id}/refunds`), 422, 'invalid_status');
      assertError(await call('POST', `/api/invoices/${risky.id}/refunds`, { address: 42 }), 422, 'invalid');
      assert.deepEqual(data(await call('GET', `/api/invoices/${done.id}/refunds`)), []);
    });
  });
});
