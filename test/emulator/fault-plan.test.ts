import assert from 'node:assert/strict';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import { FAULT_KINDS, FaultPlan, seededRandom } from '../../emulator/shared/faults';
import type { FaultKind, FaultPlanOptions } from '../../emulator/shared/faults';
import { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { CpgEmulator } from '../../emulator/cpg';
import type { Withdrawal } from './helpers';
import { api, control, data, expectError, list, rawRequest } from './helpers';
import { orderBody, po } from './po-helpers';
import type { Page } from './po-helpers';
import { CPG_KEY, CPG_SECRET, cpgApi } from './cpg-helpers';

const API = /^\/api\//;
const PAYOUT = { address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ', charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '100.0', force_commit: true };

function schedule(options: FaultPlanOptions, n: number): Array<FaultKind | null> {
  const plan = new FaultPlan(options);
  return Array.from({ length: n }, () => plan.decide('POST', '/api/x', API)?.kind ?? null);
}

describe('seeded fault plan (emulator/shared/faults.ts)', () => {
  it('is reproducible: the same seed gives the same schedule, another seed another', () => {
    const options = { seed: 42, rates: { reset_after_commit: 0.1, status_503: 0.05, slow: 0.1 } };
    assert.deepEqual(schedule(options, 500), schedule(options, 500));
    assert.notDeepEqual(schedule(options, 500), schedule({ ...options, seed: 43 }, 500));
    const r = seededRandom(7);
    const values = Array.from({ length: 1000 }, r);
    assert.ok(values.every((v) => v >= 0 && v < 1));
    assert.ok(new Set(values).size > 990);
  });

  it('injects each kind at about its rate over 20,000 requests', () => {
    const rates = { reset_after_commit: 0.05, reset_before: 0.03, timeout: 0.02, slow: 0.1, malformed_json: 0.02, truncated_json: 0.02 };
    const plan = new FaultPlan({ seed: 1, rates });
    for (let i = 0; i < 20_000; i++) plan.decide('GET', '/api/a', API);
    const s = plan.stats();
    assert.equal(s.requests, 20_000);
    assert.equal(s.eligible, 20_000);
    for (const [kind, rate] of Object.entries(rates)) {
      const seen = s.injected[kind as FaultKind] / 20_000;
      assert.ok(Math.abs(seen - rate) < rate * 0.2, `${kind}: ${seen} vs ${rate}`);
    }
    assert.equal(s.injected.status_503, 0);
    assert.equal(s.faulted, Object.values(s.injected).reduce((a, b) => a + b, 0));
    assert.deepEqual(Object.keys(s.injected).sort(), [...FAULT_KINDS].sort());
  });

  it('503s come in bursts and 429s in storms of the configured length', () => {
    const kinds = schedule({ seed: 5, rates: { status_503: 0.02, status_429: 0.01 }, burst503: 3, burst429: 6 }, 5000);
    // Runs of consecutive identical faults are whole multiples of the burst length.
    const lengths = (kind: FaultKind): number[] => {
      const out: number[] = [];
      let n = 0;
      for (const k of [...kinds, null]) {
        if (k === kind) n += 1;
        else if (n > 0) {
          out.push(n);
          n = 0;
        }
      }
      return out.slice(0, -1); // the last run may be cut by the end of the schedule
    };
    assert.ok(lengths('status_503').length > 10 && lengths('status_503').every((n) => n % 3 === 0), String(lengths('status_503')));
    assert.ok(lengths('status_429').length > 3 && lengths('status_429').every((n) => n % 6 === 0), String(lengths('status_429')));
  });

  it('faults only the method and path asked for; others pass and are not drawn for', () => {
    const plan = new FaultPlan({ seed: 3, rates: { reset_before: 1 }, method: 'post', path: 'withdrawals' });
    assert.equal(plan.decide('GET', '/api/coin_withdrawals', API), null);
    assert.equal(plan.decide('POST', '/api/invoices', API), null);
    assert.equal(plan.decide('POST', '/api/coin_withdrawals', API)?.kind, 'reset_before');
    assert.equal(new FaultPlan({ seed: 3, rates: { reset_before: 1 } }).decide('GET', '/_emulator/health', API), null, 'only the API by default');
    assert.deepEqual({ ...plan.stats(), injected: undefined }, { seed: 3, requests: 3, eligible: 1, faulted: 1, injected: undefined });
  });

  it('refuses bad options', () => {
    for (const bad of [
      { seed: 1.5, rates: {} },
      { seed: 1, rates: { explode: 0.1 } },
      { seed: 1, rates: { slow: 1.2 } },
      { seed: 1, rates: { slow: 0.6, timeout: 0.6 } },
      { seed: 1, rates: {}, slowMs: [10, 5] },
      { seed: 1, rates: {}, burst503: 0 },
      { seed: 1, rates: {}, path: '(' },
    ]) {
      assert.throws(() => new FaultPlan(bad as unknown as FaultPlanOptions), RangeError, JSON.stringify(bad));
    }
  });
});

describe('seeded fault plan in the emulators, over HTTP', () => {
  const emu = new CryptopayEmulator({ timeScale: 0.001, rateLimitPerMinute: 100_000 });
  let base = '';
  const clock = (): number => emu.now();
  const call = (method: string, target: string, payload?: unknown): ReturnType<typeof api> => api(base, method, target, payload, { clock });
  const withdrawals = async (): Promise<Withdrawal[]> => list<Withdrawal>(await call('GET', '/api/coin_withdrawals')).data;
  const only = (kind: FaultKind, extra: Partial<FaultPlanOptions> = {}): void => {
    emu.setFaultPlan({ seed: 1, rates: { [kind]: 1 }, method: 'POST', ...extra });
  };

  before(async () => {
    base = (await emu.start(0)).url;
  });
  after(() => emu.stop());
  beforeEach(() => emu.reset());

  it('reset_after_commit: the withdrawal is made and debited, the client gets a socket error', async () => {
    only('reset_after_commit');
    await assert.rejects(call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'a' }), /ECONNRESET|socket hang up/);
    assert.deepEqual((await withdrawals()).map((w) => w.custom_id), ['a']);
    assert.equal(emu.balances().EUR, '9900.0');
    assert.equal(emu.faultPlanStats()?.injected.reset_after_commit, 1);
  });

  it('reset_before: nothing is processed', async () => {
    only('reset_before');
    await assert.rejects(call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'b' }));
    assert.deepEqual(await withdrawals(), []);
    assert.equal(emu.balances().EUR, '10000.0');
  });

  it('timeout: processed, no answer until the hold ends, then the socket is destroyed', async () => {
    only('timeout', { holdMs: 150 });
    const started = Date.now();
    await assert.rejects(call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'c' }));
    assert.ok(Date.now() - started >= 140, `held ${Date.now() - started} ms`);
    assert.deepEqual((await withdrawals()).map((w) => w.custom_id), ['c']);
  });

  it('slow: answered normally after the delay', async () => {
    only('slow', { slowMs: [120, 120] });
    const started = Date.now();
    const res = await call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'd' });
    assert.equal(res.status, 201, res.text);
    assert.ok(Date.now() - started >= 110);
  });

  it('status_503 and status_429: the Cryptopay envelope and Retry-After, unprocessed', async () => {
    only('status_503');
    const r503 = await call('POST', '/api/coin_withdrawals', PAYOUT);
    expectError(r503, 503, 'service_unavailable');
    assert.equal(r503.headers['retry-after'], '1');
    only('status_429', { retryAfterSeconds: 2 });
    const r429 = await call('POST', '/api/coin_withdrawals', PAYOUT);
    expectError(r429, 429, 'rate_limit_exceeded');
    assert.equal(r429.headers['retry-after'], '2');
    assert.deepEqual(await withdrawals(), []);
  });

  it('malformed_json: processed, 200 with a body that is not JSON', async () => {
    only('malformed_json');
    const res = await call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'e' });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /json/);
    assert.throws(() => JSON.parse(res.text) as unknown, SyntaxError);
    assert.match(res.text, /'custom_id':'e'/);
    assert.equal((await withdrawals()).length, 1);
  });

  it('truncated_json: processed, the status kept, half the body with a matching Content-Length', async () => {
    only('truncated_json');
    const res = await call('POST', '/api/coin_withdrawals', { ...PAYOUT, custom_id: 'f' });
    assert.equal(res.status, 201);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.text));
    assert.throws(() => JSON.parse(res.text) as unknown, SyntaxError);
    emu.setFaultPlan(null);
    const whole = data<Withdrawal>(await call('GET', '/api/coin_withdrawals/custom_id/f'));
    assert.equal(whole.custom_id, 'f');
  });

  it('the existing per-request faults still work with a plan on', async () => {
    emu.setFaultPlan({ seed: 9, rates: {} });
    emu.injectFault({ method: 'POST', path: /coin_withdrawals/, mode: 'status', status: 502 });
    expectError(await call('POST', '/api/coin_withdrawals', PAYOUT), 502, 'bad_gateway');
    assert.equal((await call('POST', '/api/coin_withdrawals', PAYOUT)).status, 201);
    assert.equal(emu.faultPlanStats()?.requests, 2);
    emu.reset();
    assert.equal(emu.faultPlanStats(), null, 'reset() turns the plan off');
  });

  it('HTTP control: POST /_emulator/fault-plan turns it on, GET shows what it injected, DELETE turns it off', async () => {
    const on = await control(base, 'POST', '/_emulator/fault-plan', { seed: 4, rates: { status_503: 1 }, burst503: 1, path: '^/api/coin_withdrawals' });
    assert.equal(on.status, 201, on.text);
    expectError(await call('POST', '/api/coin_withdrawals', PAYOUT), 503, 'service_unavailable');
    assert.equal((await call('GET', '/api/accounts')).status, 200, 'only the path asked for');
    const stats = data<{ requests: number; eligible: number; injected: Record<string, number> }>(await control(base, 'GET', '/_emulator/fault-plan'));
    assert.deepEqual([stats.requests, stats.eligible, stats.injected.status_503], [2, 1, 1]);
    expectError(await control(base, 'POST', '/_emulator/fault-plan', { seed: 1, rates: { explode: 1 } }), 422, 'invalid');
    assert.equal((await control(base, 'DELETE', '/_emulator/fault-plan')).status, 204);
    assert.equal(data(await control(base, 'GET', '/_emulator/fault-plan')), null);
    assert.equal((await call('POST', '/api/coin_withdrawals', PAYOUT)).status, 201);
  });

  it('payment orders: 429 with Retry-After and the X-RateLimit headers; reset_after_commit creates the order', async () => {
    const poEmu = new PaymentOrdersEmulator({ timeScale: 0.001, apiKeys: ['k'] });
    const poBase = (await poEmu.start(0)).url;
    try {
      poEmu.setFaultPlan({ seed: 1, rates: { status_429: 1 }, burst429: 1 });
      const res = await po(poBase, 'GET', '/api/payment-orders/', undefined, { token: 'k' });
      assert.equal(res.status, 429);
      assert.equal((res.json as { error: { code: string } }).error.code, 'RATE_LIMIT_EXCEEDED');
      assert.equal(res.headers['retry-after'], '1');
      assert.equal(res.headers['x-ratelimit-remaining'], '0');
      assert.ok(Number(res.headers['x-ratelimit-reset']) > poEmu.now() / 1000);
      const bad = await po(poBase, 'POST', '/_emulator/fault-plan', { seed: 'x', rates: {} });
      assert.equal(bad.status, 400, bad.text);
      const on = await po(poBase, 'POST', '/_emulator/fault-plan', { seed: 1, rates: { reset_after_commit: 1 }, method: 'POST' });
      assert.equal(on.status, 201, on.text);
      await assert.rejects(po(poBase, 'POST', '/api/payment-orders/', orderBody(), { token: 'k' }), /ECONNRESET|socket hang up/);
      poEmu.setFaultPlan(null);
      const listed = await po(poBase, 'GET', '/api/payment-orders/', undefined, { token: 'k' });
      assert.equal(listed.status, 200, listed.text);
      assert.equal((listed.json as { data: Page }).data.count, 1, listed.text);
    } finally {
      await poEmu.stop();
    }
  });

  it('CPG: 503 in its envelope; 429 with its rate headers; faults only under /v1', async () => {
    const cpg = new CpgEmulator({ keys: [{ keyId: CPG_KEY, secret: CPG_SECRET }], timeScale: 0.001 });
    const cpgBase = (await cpg.start(0)).url;
    try {
      const bad = await rawRequest(cpgBase, 'POST', '/_emulator/fault-plan', { 'Content-Type': 'application/json' }, JSON.stringify({ seed: 1, rates: { slow: 2 } }));
      assert.equal(bad.status, 422, bad.text);
      const on = await rawRequest(cpgBase, 'POST', '/_emulator/fault-plan', { 'Content-Type': 'application/json' }, JSON.stringify({ seed: 1, rates: { status_503: 1 }, burst503: 1 }));
      assert.equal(on.status, 201, on.text);
      const r503 = await cpgApi(cpgBase, 'GET', '/v1/balances');
      assert.equal(r503.status, 503);
      assert.deepEqual(r503.json, { success: false, message: 'Service temporarily unavailable' });
      cpg.setFaultPlan({ seed: 1, rates: { status_429: 1 } });
      const r429 = await cpgApi(cpgBase, 'GET', '/v1/balances');
      assert.equal(r429.status, 429);
      assert.equal(r429.headers['x-ratelimit-remaining'], '0');
      assert.equal(r429.headers['retry-after'], '1');
      assert.equal(cpg.faultPlanStats()?.eligible, 1, 'a new plan counts from zero');
      assert.equal((await rawRequest(cpgBase, 'DELETE', '/_emulator/fault-plan', {})).status, 200);
      assert.equal(cpg.faultPlanStats(), null);
      assert.equal((await cpgApi(cpgBase, 'GET', '/v1/balances')).status, 200);
    } finally {
      await cpg.stop();
    }
  });
});
