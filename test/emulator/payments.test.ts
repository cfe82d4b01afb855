import assert from 'node:assert/strict';
import { ApiError, CryptopayEmulator } from '../../emulator/cryptopay';
import type { ErrorBody, Invoice } from './helpers';
import { CALLBACK_SECRET, Receiver, api, body, control, data, hmacSha256Hex, until } from './helpers';

interface CallbackBody {
  type: string;
  event: string;
  data: Invoice;
}

describe('emulator payment simulation and callbacks', () => {
  const receiver = new Receiver();
  const emu = new CryptopayEmulator({ timeScale: 0.001 });
  let base = '';
  let receiverUrl = '';
  const clock = (): number => emu.now();
  const create = async (params: Record<string, unknown> = {}): Promise<Invoice> => {
    const res = await api(base, 'POST', '/api/invoices', { price_amount: '100.0', price_currency: 'EUR', pay_currency: 'BTC', ...params }, { clock });
    assert.equal(res.status, 201, res.text);
    return data<Invoice>(res);
  };

  before(async () => {
    receiverUrl = await receiver.start();
    emu.setCallback(receiverUrl);
    base = (await emu.start(0)).url;
  });
  after(async () => {
    await emu.stop();
    await receiver.close();
  });
  beforeEach(() => {
    emu.reset();
    receiver.received.length = 0;
    receiver.respond = () => 200;
  });

  const scenarios: Array<{ scenario: 'exact' | 'under' | 'over' | 'late' | 'high_risk'; status: string; context: string | null; paid: string }> = [
    { scenario: 'exact', status: 'completed', context: null, paid: '0.00349' },
    { scenario: 'under', status: 'unresolved', context: 'underpaid', paid: '0.001745' },
    { scenario: 'over', status: 'unresolved', context: 'overpaid', paid: '0.005235' },
    { scenario: 'late', status: 'unresolved', context: 'paid_late', paid: '0.00349' },
    { scenario: 'high_risk', status: 'unresolved', context: 'illicit_resource', paid: '0.00349' },
  ];
  for (const s of scenarios) {
    it(`pay '${s.scenario}' → ${s.status}/${String(s.context)} with 3 signed callbacks in order`, async () => {
      const inv = await create();
      const after = (await emu.pay(inv.id, s.scenario)) as Invoice;
      // final state is visible immediately, over the API too
      assert.equal(after.status, s.status);
      assert.equal(after.status_context, s.context);
      assert.equal(after.paid_amount, s.paid);
      assert.equal(after.transactions.length, 1);
      const tx = after.transactions[0];
      assert.match(tx?.txid ?? '', /^[0-9a-f]{64}$/);
      if (s.scenario === 'high_risk') {
        assert.deepEqual(tx?.risk, { score: 9.1, level: 'high', resource_name: 'Hydra Marketplace', resource_category: 'Dark Market - Centralised' });
      } else assert.equal(tx?.risk?.level, 'low');
      assert.deepEqual(data(await api(base, 'GET', `/api/invoices/${inv.id}`, undefined, { clock })), after);

      await emu.waitForDeliveries(3, 3000);
      assert.deepEqual(receiver.events(), ['transaction_created', 'transaction_confirmed', 'status_changed']);
      const bodies = receiver.received.map((r) => JSON.parse(r.body) as CallbackBody);
      for (const r of receiver.received) {
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers['x-cryptopay-signature'], hmacSha256Hex(CALLBACK_SECRET, r.body));
      }
      assert.deepEqual(Object.keys(bodies[0] ?? {}), ['type', 'event', 'data']);
      assert.ok(bodies.every((b) => b.type === 'Invoice' && b.data.id === inv.id));
      assert.deepEqual(
        bodies.map((b) => [b.data.status, b.data.status_context]),
        [
          ['new', null],
          ['new', null],
          [s.status, s.context],
        ],
      );
      assert.deepEqual(bodies[2]?.data, after);
      // the delivery log holds the exact bodies and signatures that were sent
      const log = emu.deliveries();
      assert.deepEqual(
        log.map((d) => d.body),
        receiver.received.map((r) => r.body),
      );
      assert.ok(log.every((d) => d.delivered && d.state === 'delivered' && d.attempts.length === 1 && d.attempts[0]?.status === 200));
    });
  }

  it('events of one payment are spaced by eventSpacingMs × timeScale', async () => {
    const spaced = new CryptopayEmulator({ timeScale: 0.05, eventSpacingMs: 2000, callbackUrl: receiverUrl });
    const url = (await spaced.start(0)).url;
    try {
      const res = await api(url, 'POST', '/api/invoices', { price_amount: '1', price_currency: 'EUR', pay_currency: 'ETH' }, { clock: () => spaced.now() });
      await spaced.pay(data<Invoice>(res).id, 'exact');
      await spaced.waitForDeliveries(3, 3000);
      // measured where the events are created (receiver-side times also include delivery latency)
      const at = spaced.deliveries().map((d) => Date.parse(d.createdAt));
      assert.equal(at.length, 3);
      assert.ok((at[1] ?? 0) - (at[0] ?? 0) >= 99, `spacing ${String(at)}`);
      assert.ok((at[2] ?? 0) - (at[1] ?? 0) >= 99, `spacing ${String(at)}`);
      assert.deepEqual(receiver.events(), ['transaction_created', 'transaction_confirmed', 'status_changed']);
    } finally {
      await spaced.stop();
    }
  });

  it('an expired invoice paid in full becomes paid_late', async () => {
    const inv = await create();
    emu.advanceClock(10 * 60 + 1);
    const after = (await emu.pay(inv.id, 'exact')) as Invoice;
    assert.deepEqual([after.status, after.status_context], ['unresolved', 'paid_late']);
  });

  it('paying twice, an unknown invoice or an unknown scenario is refused', async () => {
    const inv = await create();
    await emu.pay(inv.id, 'exact');
    await assert.rejects(emu.pay(inv.id, 'exact'), (err: unknown) => err instanceof ApiError && err.status === 422 && err.code === 'invalid_status');
    await assert.rejects(emu.pay('0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11', 'exact'), (err: unknown) => err instanceof ApiError && err.status === 404);

    const other = await create();
    const ok = await control(base, 'POST', `/_emulator/invoices/${other.id}/pay`, { scenario: 'under' });
    assert.equal(ok.status, 200);
    assert.equal(data<Invoice>(ok).status_context, 'underpaid');
    const again = await control(base, 'POST', `/_emulator/invoices/${other.id}/pay`, { scenario: 'exact' });
    assert.equal(again.status, 422);
    assert.equal(body<ErrorBody>(again).error.code, 'invalid_status');
    const badScenario = await control(base, 'POST', `/_emulator/invoices/${inv.id}/pay`, { scenario: 'half' });
    assert.equal(badScenario.status, 422);
    assert.equal(body<ErrorBody>(badScenario).error.details[0]?.target, 'scenario');
    const unknown = await control(base, 'POST', '/_emulator/invoices/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/pay', { scenario: 'exact' });
    assert.equal(unknown.status, 404);
    assert.equal(body<ErrorBody>(unknown).error.code, 'not_found');
    assert.match(body<ErrorBody>(unknown).meta.request_id, /^[0-9a-f]{32}$/);
  });

  it('redeliver sends the identical body and signature again', async () => {
    const inv = await create();
    await emu.pay(inv.id, 'exact');
    const [first] = await emu.waitForDeliveries(3, 3000);
    assert.ok(first);
    await emu.redeliver(first.id);
    assert.equal(receiver.received.length, 4);
    assert.equal(receiver.received[3]?.body, receiver.received[0]?.body);
    assert.equal(receiver.received[3]?.headers['x-cryptopay-signature'], receiver.received[0]?.headers['x-cryptopay-signature']);
    const log = emu.deliveries();
    assert.equal(log[3]?.redeliveryOf, first.id);
    // over HTTP as well
    const res = await control(base, 'POST', `/_emulator/deliveries/${first.id}/redeliver`);
    assert.equal(res.status, 204);
    assert.equal(receiver.received.length, 5);
    assert.equal((await control(base, 'POST', '/_emulator/deliveries/0b7c2a57-38a4-4c43-9d0e-4b0f4a4b3a11/redeliver')).status, 404);
    await assert.rejects(emu.redeliver('nope'), ApiError);
  });

  it('without a callback URL deliveries are only logged', async () => {
    emu.setCallback(undefined);
    try {
      const inv = await create();
      await emu.pay(inv.id, 'exact');
      await until(() => emu.deliveries().length === 3, 2000, '3 logged deliveries');
      assert.ok(emu.deliveries().every((d) => d.state === 'no_url' && !d.delivered && d.attempts.length === 0 && d.url === null));
      assert.equal(receiver.received.length, 0);
    } finally {
      emu.setCallback(receiverUrl);
    }
  });
});

describe('emulator callback retries', () => {
  const receiver = new Receiver();
  // timeScale 0.01: retry n is due (30 + n^4 + n) × 10 ms after the first failure → 300 ms, 320 ms, 480 ms …
  const emu = new CryptopayEmulator({ timeScale: 0.01, eventSpacingMs: 0 });
  let base = '';
  const clock = (): number => emu.now();

  before(async () => {
    emu.setCallback(await receiver.start(), 'retry-secret');
    base = (await emu.start(0)).url;
  });
  after(async () => {
    await emu.stop();
    await receiver.close();
  });

  it('receiver fails twice → delivered on the 3rd attempt, on the scaled schedule, later events wait in order', async () => {
    receiver.respond = (n) => (n < 2 ? 500 : 200);
    const res = await api(base, 'POST', '/api/invoices', { price_amount: '20', price_currency: 'EUR', pay_currency: 'ETH' }, { clock });
    await emu.pay(data<Invoice>(res).id, 'exact');
    const log = await emu.waitForDeliveries(3, 5000);
    const first = log[0];
    assert.ok(first);
    assert.equal(first.event, 'transaction_created');
    assert.deepEqual(
      first.attempts.map((a) => a.status),
      [500, 500, 200],
    );
    const t = first.attempts.map((a) => Date.parse(a.at));
    const d1 = (t[1] ?? 0) - (t[0] ?? 0);
    const d2 = (t[2] ?? 0) - (t[0] ?? 0);
    assert.ok(d1 >= 295 && d1 < 2000, `retry 0 after ${d1} ms (expected ≈300)`);
    assert.ok(d2 >= 315, `retry 1 after ${d2} ms (expected ≈320 from the first failure)`);
    // offsets from the first failure (≈20 ms apart), not per-attempt delays (which would be ≈320 ms apart)
    assert.ok(d2 - d1 < 250, `retry 1 came ${d2 - d1} ms after retry 0`);
    // strict per-invoice order: the later events were held back until the first was delivered
    assert.deepEqual(receiver.events(), ['transaction_created', 'transaction_created', 'transaction_created', 'transaction_confirmed', 'status_changed']);
    assert.ok(receiver.received.every((r) => r.headers['x-cryptopay-signature'] === hmacSha256Hex('retry-secret', r.body)));
    assert.ok(log.every((d) => d.delivered));
  });

  it('non-200 answers and slow receivers are failures; retries are scheduled; reset() clears them', async () => {
    emu.reset();
    receiver.received.length = 0;
    receiver.respond = () => 204; // only 200 counts as delivered
    receiver.delay = (n) => (n === 1 ? 400 : 0); // 2nd attempt answers after the 200 ms (scaled) timeout
    try {
      const res = await api(base, 'POST', '/api/invoices', { price_amount: '20', price_currency: 'EUR', pay_currency: 'ETH' }, { clock });
      await emu.pay(data<Invoice>(res).id, 'exact');
      await until(() => (emu.deliveries()[0]?.attempts.length ?? 0) >= 2 && emu.deliveries()[0]?.attempts[1]?.error !== undefined, 3000, 'two attempts');
      const d = emu.deliveries()[0];
      assert.equal(d?.attempts[0]?.status, 204);
      assert.match(d?.attempts[1]?.error ?? '', /timeout/);
      assert.equal(d?.state, 'pending');
      assert.equal(d?.delivered, false);
      assert.ok(d?.nextAttemptAt !== null || emu.handles().inFlightCallbacks === 1, 'a retry is scheduled or in flight');
      const waiting = emu.deliveries().slice(1);
      assert.deepEqual(
        waiting.map((w) => [w.event, w.state, w.attempts.length]),
        [
          ['transaction_confirmed', 'pending', 0],
          ['status_changed', 'pending', 0],
        ],
        'later events of the invoice wait behind the failing one',
      );
      assert.ok(emu.handles().timers > 0);
      emu.reset();
      assert.equal(emu.handles().timers, 0);
      assert.equal(emu.handles().inFlightCallbacks, 0);
      assert.deepEqual(emu.deliveries(), []);
    } finally {
      receiver.delay = () => 0;
    }
  });
});
