/**
 * The callback endpoint at its HTTP boundary, in a real Node-RED started from the packed
 * module: it follows Node-RED's own HTTP settings exactly as a core `http in` node beside it
 * does, never shadows the editor's admin API, bounds the work a request can cause, stays quiet
 * under a flood of forged requests, and the gateway's connection test never sends stored
 * credentials anywhere but to the deployed base URL.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { installPacked } from '../support/packed';
import { cryptopayInvoiceCallback } from '../support/callbacks';
import { startCryptopayEmulator } from '../support/emulator';
import { rawPost } from '../support/raw-http';

const CALLBACK_SECRET = 'boundary-callback-5d1f';
const KEY = 'boundary-key-81c4';
const SECRET = 'boundary-secret-e07b';
const MIB = 1024 * 1024;

let sequence = 0;

/** The same request to the paywire callback and to a core http in node answering 200. */
async function pair(url: string, root: string, headers: Record<string, string>): Promise<[number, number]> {
  const callback = cryptopayInvoiceCallback(CALLBACK_SECRET, `boundary-${++sequence}`);
  const send = (to: string): Promise<number> => fetch(`${url}${root}${to}`, { method: 'POST', body: callback.body, headers: { ...callback.headers, ...headers } }).then(async (res) => (await res.arrayBuffer(), res.status));
  return [await send('/pw/cb'), await send('/core/cb')];
}

function pairFlow(extra: FlowNode[] = [], gateway: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'boundary' },
    { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'sandbox', baseUrl: '', timeout: 30, ...gateway },
    { id: 'cb', type: 'paywire-callback', z: 'tab', x: 100, y: 100, gateway: 'gw', path: '/pw/cb', wires: [[]] },
    { id: 'core-in', type: 'http in', z: 'tab', x: 100, y: 200, url: '/core/cb', method: 'post', upload: false, swaggerDoc: '', wires: [['core-out']] },
    { id: 'core-out', type: 'http response', z: 'tab', x: 300, y: 200, statusCode: '200', headers: {}, wires: [] },
    ...extra,
  ];
}

/** Waits until both routes exist (anything but 404 through the same settings). */
async function routesUp(nodeRed: NodeRedProcess, root: string, headers: Record<string, string>): Promise<void> {
  const started = Date.now();
  for (;;) {
    const statuses = await pair(nodeRed.url, root, headers);
    if (!statuses.includes(404)) return;
    if (Date.now() - started > 15_000) throw new Error(`routes never appeared (${statuses.join(', ')}):\n${nodeRed.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function logLines(nodeRed: NodeRedProcess): string[] {
  return nodeRed.output().split('\n').filter((line) => /\[(warn|error)\]/.test(line));
}

describe('paywire-callback at its HTTP boundary (real Node-RED, packed module)', function () {
  this.timeout(120_000);
  let workDir: string;
  let userDir: string;

  before(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-boundary-'));
    userDir = installPacked(workDir);
  });
  after(() => fs.rmSync(workDir, { recursive: true, force: true }));

  describe('answers as core http in does under Node-RED’s HTTP settings', () => {
    const allow = { 'x-allow': 'yes' };
    const basic = (user: string, pass: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
    const FIRST_GATE = `function (req, res, next) { if (req.headers['x-allow'] !== 'yes') return res.status(403).send('not on the list'); next(); }`;
    const cases: Array<{ name: string; settings?: Record<string, unknown>; source?: string; root?: string; ready: Record<string, string>; expect: Array<[Record<string, string>, number, string?]> }> = [
      {
        name: 'httpNodeMiddleware as one function',
        source: `module.exports.httpNodeMiddleware = ${FIRST_GATE};`,
        ready: allow,
        expect: [[{}, 403], [allow, 200]],
      },
      {
        name: 'httpNodeMiddleware as an array',
        source: `module.exports.httpNodeMiddleware = [${FIRST_GATE}, function (req, res, next) { if (req.headers['x-quota'] !== 'left') return res.status(429).send('slow down'); next(); }];`,
        ready: { ...allow, 'x-quota': 'left' },
        expect: [[{}, 403], [allow, 429], [{ ...allow, 'x-quota': 'left' }, 200]],
      },
      {
        name: 'httpNodeAuth',
        // A 32-hex password is Node-RED's legacy MD5 form of httpNodeAuth.pass.
        settings: { httpNodeAuth: { user: 'hook', pass: createHash('md5').update('hook-password').digest('hex') } },
        ready: basic('hook', 'hook-password'),
        expect: [[{}, 401], [basic('hook', 'wrong'), 401], [basic('hook', 'hook-password'), 200]],
      },
      {
        name: 'httpNodeRoot',
        settings: { httpNodeRoot: '/hooks' },
        root: '/hooks',
        ready: {},
        expect: [[{}, 200]],
      },
    ];
    for (const c of cases) {
      it(`${c.name}: the same status codes`, async () => {
        const nodeRed = await startNodeRed({ userDir, port: await freePort(), settings: { logging: { console: { level: 'warn' } }, ...c.settings }, settingsSource: c.source });
        try {
          await deployFlows(nodeRed.url, pairFlow(), { gw: { callbackSecret: CALLBACK_SECRET } });
          await routesUp(nodeRed, c.root ?? '', c.ready);
          for (const [headers, status] of c.expect) {
            assert.deepEqual(await pair(nodeRed.url, c.root ?? '', headers), [status, status], `${c.name} with ${JSON.stringify(headers)}: [paywire-callback, http in]`);
          }
          // Outside httpNodeRoot neither exists.
          if (c.root) assert.deepEqual(await pair(nodeRed.url, '', c.ready), [404, 404]);
        } finally {
          await nodeRed.stop();
        }
      });
    }
  });

  describe('with default HTTP settings', () => {
    let nodeRed: NodeRedProcess;
    let emulator: CryptopayEmulator;

    before(async () => {
      emulator = await startCryptopayEmulator({ credentials: { [KEY]: SECRET }, callbackSecret: CALLBACK_SECRET });
      // Short deadline and a small shared cap, so the bounds show within a test's time.
      nodeRed = await startNodeRed({ userDir, port: await freePort(), settings: { paywireCallbackBodyTimeout: 1500, paywireCallbackPendingBytes: 1_500_000 } });
      const gateway = { environment: 'custom', baseUrl: emulator.url };
      await deployFlows(nodeRed.url, pairFlow([], gateway), { gw: { apiKey: KEY, apiSecret: SECRET, callbackSecret: CALLBACK_SECRET } });
      await routesUp(nodeRed, '', {});
    });
    after(async () => {
      await nodeRed?.stop();
      await emulator?.stop();
    });

    it('500 forged callbacks add at most a few log lines; verified ones that need attention are each logged', async () => {
      const before = logLines(nodeRed).length;
      const forged = cryptopayInvoiceCallback('guessed-secret', 'forged');
      const statuses: number[] = [];
      for (let batch = 0; batch < 50; batch++) {
        statuses.push(...(await Promise.all(Array.from({ length: 10 }, () => fetch(`${nodeRed.url}/pw/cb`, { method: 'POST', body: forged.body, headers: forged.headers }).then(async (res) => (await res.arrayBuffer(), res.status))))));
      }
      assert.deepEqual([...new Set(statuses)], [401]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const added = logLines(nodeRed).slice(before);
      assert.ok(added.length <= 3, `500 forged requests wrote ${added.length} lines:\n${added.slice(0, 5).join('\n')}`);
      assert.ok(added.some((line) => /refused \d+ requests? .*bad_signature \(401\)/.test(line)), added.join('\n'));

      // Correctly signed but not a callback Paywire knows: acknowledged, handed to Catch, and logged each time.
      for (let i = 0; i < 3; i++) {
        const body = `{"type": "Invoice", "data": ${i}`;
        const res = await fetch(`${nodeRed.url}/pw/cb`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-cryptopay-signature': createHmac('sha256', CALLBACK_SECRET).update(body).digest('hex') } });
        assert.equal(res.status, 200);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const loud = logLines(nodeRed).slice(before + added.length).filter((line) => line.includes('[error]') && line.includes('paywire-callback'));
      assert.equal(loud.length, 3, loud.join('\n'));
    });

    it('wrong-case and unknown paths fall through to Express: 404, never 500, nothing logged', async () => {
      const before = logLines(nodeRed).length;
      const signed = cryptopayInvoiceCallback(CALLBACK_SECRET, 'case-1');
      for (const p of ['/PW/CB', '/pw/CB', '/Pw/cb', '/pw/cb/more', '/pw', '/nowhere']) {
        const res = await fetch(`${nodeRed.url}${p}`, { method: 'POST', body: signed.body, headers: signed.headers });
        assert.equal(res.status, 404, p);
      }
      assert.equal((await fetch(`${nodeRed.url}/pw/cb`)).status, 404, 'GET');
      assert.deepEqual(logLines(nodeRed).slice(before), []);
      assert.deepEqual(await pair(nodeRed.url, '', {}), [200, 200]);
    });

    it('a chunked 4 MB body gets its 413 before the sender is done, and the server closes the connection', async () => {
      const post = rawPost(nodeRed.url, '/pw/cb');
      // 64 KiB every 15 ms: about a second for the whole body, unless the answer stops it.
      while (post.sent < 4 * MIB && !post.answered()) {
        await post.write(64 * 1024);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      const answer = await post.answer;
      assert.equal(answer.status, 413);
      assert.ok(answer.sentBefore < 4 * MIB, `answered after all ${answer.sentBefore} bytes`);
      await post.closed;
      console.log(`      chunked 4 MB body: 413 after ${answer.ms.toFixed(0)} ms, ${(answer.sentBefore / MIB).toFixed(2)} MiB sent`);

      // A declared length over the limit is refused before any body byte.
      const declared = rawPost(nodeRed.url, '/pw/cb', { contentLength: 2 * MIB });
      const early = await declared.answer;
      assert.deepEqual([early.status, early.sentBefore], [413, 0]);
      await declared.closed;
    });

    it('a body still incomplete at the deadline gets 408; beyond the shared byte cap 503; callbacks keep working', async () => {
      // Two senders stall with 900 KB each of a declared 1 MB: the second passes the 1.5 MB cap.
      const first = rawPost(nodeRed.url, '/pw/cb', { contentLength: 1_000_000 });
      await first.write(900_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = rawPost(nodeRed.url, '/pw/cb', { contentLength: 1_000_000 });
      await second.write(900_000);
      const busy = await second.answer;
      assert.equal(busy.status, 503);
      assert.match(busy.headers, /retry-after: \d+/);
      await second.closed;
      // Small callbacks still fit beside the stalled body.
      assert.deepEqual(await pair(nodeRed.url, '', {}), [200, 200]);
      const late = await first.answer;
      assert.equal(late.status, 408);
      assert.ok(late.ms >= 1400 && late.ms < 8000, `408 after ${late.ms} ms`);
      await first.closed;

      // A body trickled one byte at a time meets the same deadline.
      const trickle = rawPost(nodeRed.url, '/pw/cb', { contentLength: 100 });
      const timer = setInterval(() => void trickle.write(1), 200);
      try {
        const answer = await trickle.answer;
        assert.equal(answer.status, 408);
        assert.ok(answer.ms < 8000);
      } finally {
        clearInterval(timer);
      }
    });

    it('refuses callback paths the editor and admin API serve, and deploying keeps working', async () => {
      const taken = ['/flows', '/flows/state', '/nodes', '/settings', '/settings/user', '/auth/token', '/red/main.js', '/vendor/x', '/icons', '/locales/editor', '/plugins', '/library/flows', '/context/global', '/diagnostics', '/credentials/x/y', '/inject/abc', '/debug/view/x', '/paywire/catalog', '/FLOWS', '/'];
      const nodes: FlowNode[] = taken.map((p, i) => ({ id: `taken${i}`, type: 'paywire-callback', z: 'tab', x: 400, y: 40 * i, gateway: 'gw', path: p, wires: [[]] }));
      const before = nodeRed.output().length;
      const gateway = { environment: 'custom', baseUrl: emulator.url };
      await deployFlows(nodeRed.url, pairFlow([...nodes, { id: 'free', type: 'paywire-callback', z: 'tab', x: 600, y: 40, gateway: 'gw', path: '/paywire/flows', wires: [[]] }], gateway), { gw: { apiKey: KEY, apiSecret: SECRET, callbackSecret: CALLBACK_SECRET } });
      await routesUp(nodeRed, '', {});
      const log = nodeRed.output().slice(before);
      for (const p of taken) assert.match(log, new RegExp(`paywire-callback: ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} would take requests meant for the Node-RED editor`, 'i'), p);
      // Only the taken ones are refused: /paywire/flows is a callback (401 unsigned).
      assert.equal((await fetch(`${nodeRed.url}/paywire/flows`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 401);
      // The admin API and the editor still answer, and the next deploy goes through.
      assert.equal((await fetch(`${nodeRed.url}/`)).status, 200);
      await deployFlows(nodeRed.url, pairFlow([], gateway), { gw: { apiKey: KEY, apiSecret: SECRET, callbackSecret: CALLBACK_SECRET } });
      const flows = (await (await fetch(`${nodeRed.url}/flows`, { headers: { accept: 'application/json' } })).json()) as FlowNode[];
      assert.deepEqual(flows.filter((n) => n.type === 'paywire-callback').map((n) => n.id), ['cb']);
      await routesUp(nodeRed, '', {});
    });

    describe('connection test through the admin API', () => {
      let recorder: http.Server;
      let recorderUrl: string;
      const seen: Array<http.IncomingHttpHeaders> = [];

      before(async () => {
        recorder = http.createServer((req, res) => {
          seen.push(req.headers);
          req.resume();
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"nope"}');
        });
        await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
        recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
      });
      after(async () => {
        recorder.closeAllConnections();
        await new Promise<void>((resolve) => recorder.close(() => resolve()));
      });

      const keep = '__PWRD__';
      async function probe(baseUrl: string, credentials: Record<string, string>): Promise<{ ok: boolean; code?: string; message: string }> {
        const res = await fetch(`${nodeRed.url}/paywire/gateways/gw/test`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ provider: 'cryptopay', environment: 'custom', baseUrl, timeout: 2, credentials }),
        });
        assert.equal(res.status, 200);
        const answer = (await res.json()) as { ok: boolean; code?: string; message: string };
        assert.doesNotMatch(JSON.stringify(answer), new RegExp(`${KEY}|${SECRET}`));
        return answer;
      }

      it('uses the stored credentials with the deployed base URL only', async () => {
        const asSaved = await probe(emulator.url, { apiKey: keep, apiSecret: keep });
        assert.equal(asSaved.ok, true, asSaved.message);
        const elsewhere = await probe(recorderUrl, { apiKey: keep, apiSecret: keep });
        assert.deepEqual([elsewhere.ok, elsewhere.code], [false, 'invalid_input']);
        assert.match(elsewhere.message, /only sent to the base URL the gateway is deployed with/);
        assert.equal(seen.length, 0, 'nothing reached the edited base URL');
      });

      it('with an edited base URL sends only what was typed', async () => {
        const typed = await probe(recorderUrl, { apiKey: 'typed-key-55', apiSecret: 'typed-secret-55' });
        assert.equal(typed.ok, false);
        assert.ok(seen.length >= 1);
        const sent = JSON.stringify(seen);
        assert.match(sent, /typed-key-55/);
        assert.doesNotMatch(sent, new RegExp(`${KEY}|${SECRET}`));
      });

      it('refuses link-local and metadata addresses the gateway is not deployed with', async () => {
        for (const target of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]:8080', 'http://metadata.google.internal/', 'http://[::ffff:169.254.169.254]/', 'http://2852039166/']) {
          const started = Date.now();
          const answer = await probe(target, { apiKey: 'typed-key-55', apiSecret: 'typed-secret-55' });
          assert.deepEqual([answer.ok, answer.code], [false, 'invalid_input'], `${target}: ${answer.message}`);
          assert.match(answer.message, /^Not tested: .*(link-local|metadata)/, target);
          assert.ok(Date.now() - started < 1500, `${target} was refused without trying it`);
        }
      });
    });
  });
});
