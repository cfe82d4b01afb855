import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { CallbackDelivery } from '../../emulator/cryptopay';
import type { Invoice } from './helpers';
import { Receiver, api, control, data, rawRequest, until } from './helpers';

describe('emulator lifecycle and control endpoints', () => {
  it('stop() closes the server, keep-alive sockets, in-flight callbacks and every timer', async () => {
    const receiver = new Receiver();
    receiver.respond = () => 500; // keeps a retry timer pending
    receiver.delay = (n) => (n === 0 ? 0 : 2000); // later attempts hang in flight
    const emu = new CryptopayEmulator({ timeScale: 0.001, callbackTimeoutMs: 10_000_000, callbackUrl: await receiver.start() });
    const { url } = await emu.start(0);
    const agent = new http.Agent({ keepAlive: true });
    try {
      // a keep-alive connection that stays open after the response
      const socketClosed = new Promise<void>((resolve) => {
        const req = http.get(`${url}/_emulator/health`, { agent }, (res) => res.resume());
        req.once('socket', (socket) => socket.once('close', () => resolve()));
      });
      const res = await api(url, 'POST', '/api/invoices', { price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC' }, { clock: () => emu.now() });
      await emu.pay(data<Invoice>(res).id, 'exact');
      await until(() => receiver.received.length >= 2, 3000, 'a retry in flight');
      const before = emu.handles();
      assert.equal(before.listening, true);
      assert.ok(before.openSockets >= 1, 'keep-alive socket tracked');
      assert.ok(before.timers > 0, 'timers pending (callback timeout, spaced events)');
      assert.equal(before.inFlightCallbacks, 1);

      const waiting = emu.waitForDeliveries(1, 60_000);
      await emu.stop();
      await assert.rejects(waiting, /stopped/);
      assert.deepEqual(emu.handles(), { listening: false, openSockets: 0, timers: 0, inFlightCallbacks: 0 });
      assert.ok(emu.deliveries().length >= 1, 'the delivery log stays readable after stop()');
      await socketClosed;
      await assert.rejects(rawRequest(url, 'GET', '/_emulator/health', {}));
      await emu.stop(); // idempotent
    } finally {
      agent.destroy();
      await receiver.close();
    }
  });

  it('can be started again after stop()', async () => {
    const emu = new CryptopayEmulator();
    const first = await emu.start(0);
    await emu.stop();
    const second = await emu.start(0);
    assert.equal((await rawRequest(second.url, 'GET', '/_emulator/health', {})).status, 200);
    await emu.stop();
    assert.ok(first.port > 0);
  });

  describe('HTTP control endpoints', () => {
    const receiver = new Receiver();
    const emu = new CryptopayEmulator({ timeScale: 0.001 });
    let base = '';
    before(async () => {
      base = (await emu.start(0)).url;
    });
    after(async () => {
      await emu.stop();
      await receiver.close();
    });

    it('callback, pay, deliveries, clock, reset', async () => {
      const cbUrl = await receiver.start();
      assert.equal((await control(base, 'POST', '/_emulator/callback', { url: cbUrl, secret: 'demo-secret' })).status, 204);
      assert.equal((await control(base, 'POST', '/_emulator/callback', { url: 'ftp://x' })).status, 422);

      const created = await api(base, 'POST', '/api/invoices', { price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC' }, { clock: () => emu.now() });
      const id = data<Invoice>(created).id;
      const paid = await control(base, 'POST', `/_emulator/invoices/${id}/pay`, { scenario: 'exact' });
      assert.equal(paid.status, 200);
      assert.equal(data<Invoice>(paid).status, 'completed');
      await emu.waitForDeliveries(3, 3000);

      const list = await control(base, 'GET', '/_emulator/deliveries');
      assert.equal(list.status, 200);
      const deliveries = data<CallbackDelivery[]>(list);
      assert.deepEqual(
        deliveries.map((d) => [d.event, d.delivered]),
        [
          ['transaction_created', true],
          ['transaction_confirmed', true],
          ['status_changed', true],
        ],
      );
      assert.equal(receiver.received[0]?.headers['x-cryptopay-signature'], deliveries[0]?.signature);

      const before = emu.now();
      const clock = await control(base, 'POST', '/_emulator/clock', { advance_seconds: 3600 });
      assert.equal(clock.status, 200);
      const reported = Date.parse(data<{ now: string }>(clock).now);
      assert.ok(reported - before >= 3600_000 && reported - before < 3600_000 + 5000);
      assert.equal((await control(base, 'POST', '/_emulator/clock', { advance_seconds: -1 })).status, 422);
      // the Date window follows the emulator clock: a client on real time is now an hour off
      assert.equal((await api(base, 'GET', '/api/invoices', undefined)).status, 401);
      assert.equal((await api(base, 'GET', '/api/invoices', undefined, { clock: () => emu.now() })).status, 200);

      assert.equal((await control(base, 'POST', '/_emulator/reset')).status, 204);
      assert.deepEqual(data(await control(base, 'GET', '/_emulator/deliveries')), []);
      assert.ok(Math.abs(emu.now() - Date.now()) < 1000, 'clock offset reset');
      assert.equal((await api(base, 'GET', `/api/invoices/${id}`, undefined)).status, 404);
      assert.equal(emu.requestCount(), 1, 'counter reset, then this request');
    });

    it('hosted page shows the invoice and its pay buttons work', async () => {
      const created = await api(base, 'POST', '/api/invoices', { price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC' }, { clock: () => emu.now() });
      const inv = data<Invoice>(created);
      const pagePath = new URL(inv.hosted_page_url).pathname;
      const page = await rawRequest(base, 'GET', pagePath, {});
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.ok(page.text.includes(inv.id) && page.text.includes('value="under"'));
      const post = await rawRequest(base, 'POST', `${pagePath}/pay`, { 'Content-Type': 'application/x-www-form-urlencoded' }, 'scenario=under');
      assert.equal(post.status, 303);
      assert.equal(post.headers.location, pagePath);
      assert.equal(data<Invoice>(await api(base, 'GET', `/api/invoices/${inv.id}`, undefined, { clock: () => emu.now() })).status_context, 'underpaid');
    });
  });

  it('CLI prints URL and credentials, serves signed requests and stops on SIGINT', async function () {
    this.timeout(10_000);
    const cli = path.resolve(__dirname, '../../emulator/cli.js');
    const child = spawn(process.execPath, [cli, 'cryptopay', '--port', '0', '--key', 'cli-key', '--secret', 'cli-secret', '--time-scale', '0.01'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => /listening on (http:\/\/\S+)/.test(out), 5000, 'CLI startup');
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? '';
      assert.match(out, /cli-key/);
      assert.match(out, /cli-secret/);
      const res = await api(url, 'GET', '/api/invoices', undefined, { key: 'cli-key', secret: 'cli-secret' });
      assert.equal(res.status, 200, res.text);
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.match(out, /SIGINT: stopping/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
