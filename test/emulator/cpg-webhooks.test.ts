import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { CpgEmulator, WebhookDelivery } from '../../emulator/cpg';
import { RETRY_DELAYS_SECONDS, webhookSignature } from '../../emulator/cpg';
import { Receiver, control, sleep, until } from './helpers';
import { CPG_WEBHOOK_SECRET, cpgApi, okEnvelope, startCpg } from './cpg-helpers';

const TO = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

// Computed here with node:crypto, apart from the emulator's signer.
const expectedSignature = (secret: string, timestamp: string, body: string): string => createHmac('sha256', secret).update(`${timestamp}\n${body}`).digest('hex');

describe('CPG emulator: webhook signature', () => {
  it('matches the reference §9 vector', () => {
    const body = '{"id":42,"event":"deposit.confirmed","created_at":"2026-05-16T22:00:00Z","api_version":"1","data":{}}';
    assert.equal(webhookSignature('test_secret', '1747444800', body), '9f238cf9d8aec34ca73afc1eb8b7ec84da10b7f11f296edc51a7756127e1b5c4');
  });
});

describe('CPG emulator: webhooks (reference §7–9)', () => {
  let emu: CpgEmulator;
  let receiver: Receiver;
  let url: string;

  beforeEach(async () => {
    receiver = new Receiver();
    url = await receiver.start();
  });
  afterEach(async () => {
    await emu.stop();
    await receiver.close();
  });

  async function depositFlow(): Promise<{ requestId: number; txHash: string }> {
    const d = okEnvelope(await cpgApi(emu.url, 'POST', '/v1/deposit-addresses', { currency: 'USDT', network: 'ETH', user_identifier: 'u-1' }, { clock: () => emu.now() })).data;
    const detected = emu.simulateDeposit({ request_id: d.request_id, amount: '12.5' });
    return { requestId: d.request_id, txHash: detected.tx_hash as string };
  }

  it('sends the six events signed, with X-CPG-Event / X-CPG-Delivery and the envelope', async () => {
    emu = await startCpg();
    emu.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET });
    const { requestId, txHash } = await depositFlow();
    emu.confirmDeposit(txHash);
    emu.sweepDeposit(txHash);
    const w1 = okEnvelope(await cpgApi(emu.url, 'POST', '/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: TO, amount: '10', client_reference: 'w-1' })).data;
    emu.confirmWithdrawal(w1.withdrawal_id);
    const w2 = okEnvelope(await cpgApi(emu.url, 'POST', '/v1/withdrawals', { currency: 'USDT', network: 'ETH', to_address: TO, amount: '11' })).data;
    emu.failWithdrawal(w2.withdrawal_id, 'nonce too low');
    await emu.waitForDeliveries(7);
    // First attempts to one webhook go out in event order.
    assert.deepEqual(receiver.events(), [
      'deposit.detected',
      'deposit.confirmed',
      'deposit.swept',
      'withdrawal.broadcasted',
      'withdrawal.confirmed',
      'withdrawal.broadcasted',
      'withdrawal.failed',
    ]);
    for (const r of receiver.received) {
      const env = JSON.parse(r.body);
      assert.deepEqual(Object.keys(env), ['id', 'event', 'created_at', 'api_version', 'data']);
      assert.equal(env.api_version, '1');
      assert.match(env.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/);
      assert.equal(r.headers['x-cpg-event'], env.event);
      assert.equal(r.headers['x-cpg-delivery'], String(env.id));
      assert.equal(r.headers['content-type'], 'application/json');
      const ts = String(r.headers['x-cpg-timestamp']);
      assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 5);
      assert.equal(r.headers['x-cpg-signature'], expectedSignature(CPG_WEBHOOK_SECRET, ts, r.body));
    }
    const bodies = receiver.received.map((r) => JSON.parse(r.body));
    assert.equal(new Set(bodies.map((b) => b.id)).size, 7, 'one delivery id per event');
    const [detected, confirmed, swept, broadcasted, wConfirmed, , wFailed] = bodies.map((b) => b.data);
    assert.deepEqual([detected.deposit_request_id, detected.user_identifier, detected.amount, detected.tx_hash, detected.status], [requestId, 'u-1', '12.500000', txHash, 'pending']);
    assert.deepEqual([confirmed.status, confirmed.confirmations], ['confirmed', 12]);
    assert.match(swept.sweep_tx_hash, /^0x[0-9a-f]{64}$/);
    assert.deepEqual([broadcasted.id, broadcasted.status, broadcasted.client_reference, broadcasted.amount, broadcasted.fee], [w1.withdrawal_id, 'broadcasted', 'w-1', '10.000000', '5.000000']);
    assert.equal(wConfirmed.status, 'confirmed');
    assert.deepEqual([wFailed.id, wFailed.status, wFailed.error_message], [w2.withdrawal_id, 'failed', 'nonce too low']);
  });

  it('delivers only subscribed events, one delivery (own id, own secret) per webhook', async () => {
    emu = await startCpg();
    const other = new Receiver();
    const otherUrl = await other.start();
    try {
      emu.registerWebhook({ url, secret: 'secret-a', events: ['deposit.detected'] });
      emu.registerWebhook({ url: otherUrl, secret: 'secret-b' });
      const { txHash } = await depositFlow();
      emu.confirmDeposit(txHash);
      await emu.waitForDeliveries(3);
      assert.deepEqual(receiver.events(), ['deposit.detected']);
      assert.deepEqual(other.events(), ['deposit.detected', 'deposit.confirmed']);
      const a = receiver.received[0]!;
      const b = other.received[0]!;
      assert.notEqual(a.headers['x-cpg-delivery'], b.headers['x-cpg-delivery']);
      assert.equal(a.headers['x-cpg-signature'], expectedSignature('secret-a', String(a.headers['x-cpg-timestamp']), a.body));
      assert.equal(b.headers['x-cpg-signature'], expectedSignature('secret-b', String(b.headers['x-cpg-timestamp']), b.body));
      assert.deepEqual(emu.webhooks().map((w) => Object.keys(w).includes('secret')), [false, false], 'secrets are not listed again');
    } finally {
      await other.close();
    }
  });

  it('retries 1m/5m/30m/2h/12h/24h (scaled) with the same id and body and a fresh timestamp and signature, then fails', async function () {
    this.timeout(15_000);
    // 1 real second per day of schedule: the 7 attempts span 38.6 h → about 1.6 s.
    const timeScale = 1 / 86_400;
    // A clock that moves a second per reading, so every attempt has its own timestamp.
    let fake = 1_800_000_000_000;
    emu = await startCpg({ timeScale, now: () => (fake += 1000) });
    receiver.respond = () => 500;
    emu.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET, events: ['deposit.detected'] });
    await depositFlow();
    {
      const [delivery] = await emu.waitForDeliveries(0, 10_000, (list) => list.length === 1 && list[0]!.state === 'failed');
      assert.equal(delivery!.attempts.length, 7);
      assert.equal(receiver.received.length, 7);
      assert.equal(new Set(receiver.received.map((r) => r.body)).size, 1, 'identical body bytes');
      assert.equal(new Set(receiver.received.map((r) => r.headers['x-cpg-delivery'])).size, 1, 'same X-CPG-Delivery');
      assert.equal(new Set(receiver.received.map((r) => r.headers['x-cpg-signature'])).size, 7, 'a fresh signature each time');
      for (const r of receiver.received) assert.equal(r.headers['x-cpg-signature'], expectedSignature(CPG_WEBHOOK_SECRET, String(r.headers['x-cpg-timestamp']), r.body));
      const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
      RETRY_DELAYS_SECONDS.forEach((seconds, i) => {
        const expected = seconds * 1000 * timeScale;
        assert.ok(gaps[i]! >= expected - 5, `gap ${i + 1}: ${gaps[i]} ms, expected ≥ ${expected.toFixed(1)} ms`);
      });
      assert.equal(delivery!.nextRetryAt, null);
      assert.deepEqual(delivery!.attempts.map((a) => a.status), [500, 500, 500, 500, 500, 500, 500]);
    }
  });

  it('stops retrying once a 2xx arrives; a 3xx is a failure', async () => {
    emu = await startCpg({ timeScale: 0.0001 });
    receiver.respond = (n) => (n === 0 ? 302 : n === 1 ? 503 : 204);
    emu.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET, events: ['deposit.detected'] });
    await depositFlow();
    const [d] = await emu.waitForDeliveries(1);
    assert.deepEqual(d!.attempts.map((a) => a.status), [302, 503, 204]);
    await sleep(300);
    assert.equal(receiver.received.length, 3);
  });

  it('counts no answer within the timeout as a failed attempt', async () => {
    emu = await startCpg({ timeScale: 0.0001, webhookTimeoutMs: 250 });
    receiver.delay = (n) => (n === 0 ? 1500 : 0);
    emu.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET, events: ['deposit.detected'] });
    await depositFlow();
    const [d] = await emu.waitForDeliveries(1);
    assert.match(d!.attempts[0]!.error ?? '', /no answer within 250 ms/);
    assert.equal(d!.attempts[1]!.status, 200);
  });

  it('redelivers a delivery on request with the same id and body (the dashboard requeue)', async () => {
    let fake = 1_800_000_000_000;
    emu = await startCpg({ now: () => (fake += 1000) }); // a new second, so a new timestamp, per reading
    emu.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET });
    await depositFlow();
    const [first] = await emu.waitForDeliveries(1);
    const res = await control(emu.url, 'POST', `/_emulator/deliveries/${first!.id}/redeliver`);
    const again = okEnvelope(res).data as WebhookDelivery;
    assert.equal(again.attempts.length, 2);
    assert.equal(receiver.received.length, 2);
    assert.equal(receiver.received[0]!.body, receiver.received[1]!.body);
    assert.equal(receiver.received[0]!.headers['x-cpg-delivery'], receiver.received[1]!.headers['x-cpg-delivery']);
    assert.notEqual(receiver.received[0]!.headers['x-cpg-timestamp'], receiver.received[1]!.headers['x-cpg-timestamp']);
    assert.equal((await control(emu.url, 'POST', '/_emulator/deliveries/1/redeliver')).status, 404);
  });

  it('registers webhooks and lists deliveries through the control endpoints', async () => {
    emu = await startCpg();
    const reg = await control(emu.url, 'POST', '/_emulator/webhooks', { url, events: ['deposit.detected', 'deposit.confirmed'] });
    const hook = okEnvelope(reg, 201).data;
    assert.match(hook.secret, /^whsec_[0-9a-f]{48}$/, 'a generated secret, shown once');
    assert.equal((await control(emu.url, 'POST', '/_emulator/webhooks', { url, events: ['deposit.refunded'] })).status, 422);
    assert.equal((await control(emu.url, 'POST', '/_emulator/webhooks', { url: 'ftp://x' })).status, 422);
    const d = okEnvelope(await cpgApi(emu.url, 'POST', '/v1/deposit-addresses', { currency: 'ETH', network: 'ETH' })).data;
    const dep = okEnvelope(await control(emu.url, 'POST', '/_emulator/deposits', { request_id: d.request_id, amount: '0.25' }), 201).data;
    okEnvelope(await control(emu.url, 'POST', `/_emulator/deposits/${dep.tx_hash}/confirm`));
    await until(() => receiver.received.length === 2, 3000, 'two webhooks');
    const log = okEnvelope(await control(emu.url, 'GET', '/_emulator/deliveries'));
    assert.deepEqual(log.data.map((x: WebhookDelivery) => [x.event, x.state]), [
      ['deposit.detected', 'delivered'],
      ['deposit.confirmed', 'delivered'],
    ]);
    assert.equal(receiver.received[1]!.headers['x-cpg-signature'], expectedSignature(hook.secret, String(receiver.received[1]!.headers['x-cpg-timestamp']), receiver.received[1]!.body));
    assert.equal((await control(emu.url, 'DELETE', `/_emulator/webhooks/${hook.id}`)).status, 200);
    assert.deepEqual(okEnvelope(await control(emu.url, 'GET', '/_emulator/webhooks')).data, []);
  });

  it('stop() aborts deliveries in flight and leaves no timers or sockets', async () => {
    emu = await startCpg({ timeScale: 1 });
    receiver.delay = () => 5000;
    emu.registerWebhook({ url, secret: CPG_WEBHOOK_SECRET });
    await depositFlow();
    await until(() => receiver.received.length === 1, 3000, 'the first attempt');
    await emu.stop();
    assert.deepEqual(emu.handles(), { listening: false, openSockets: 0, timers: 0, inFlightWebhooks: 0 });
    assert.equal(emu.deliveries().length, 1, 'the log stays readable');
  });

  it('CLI "cpg" prints the URL and key, serves signed requests, delivers to --webhook-url and stops on SIGTERM', async function () {
    this.timeout(10_000);
    emu = await startCpg(); // for afterEach
    const cli = path.resolve(__dirname, '../../emulator/cli.js');
    const child = spawn(process.execPath, [cli, 'cpg', '--port', '0', '--key', 'cli-key', '--secret', 'cli-secret', '--webhook-url', url, '--webhook-secret', 'cli-wh'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => /CPG emulator listening on (http:\/\/\S+)/.test(out), 5000, 'CLI startup');
      const base = /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
      assert.match(out, /Key id:\s+cli-key/);
      const d = okEnvelope(await cpgApi(base, 'POST', '/v1/deposit-addresses', { currency: 'USDT', network: 'ETH' }, { key: 'cli-key', secret: 'cli-secret' })).data;
      okEnvelope(await control(base, 'POST', '/_emulator/deposits', { request_id: d.request_id, amount: '1' }), 201);
      await until(() => receiver.received.length === 1, 3000, 'webhook from the CLI emulator');
      const r = receiver.received[0]!;
      assert.equal(r.headers['x-cpg-signature'], expectedSignature('cli-wh', String(r.headers['x-cpg-timestamp']), r.body));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(out, /SIGTERM: stopping CPG emulator/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
