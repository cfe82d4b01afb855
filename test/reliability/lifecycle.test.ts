/**
 * Lifecycle: 100 full deploys through the admin API of a real Node-RED (its own process,
 * test/support/lifecycle-runtime.ts), each with every node type, gateways for all three
 * providers, callback routes on new paths, Redis-backed duplicate stores (one reachable,
 * one refusing its password, one on a closed port), and work in flight at the moment of the
 * deploy: requests hanging on a server that never answers, requests waiting in a rate-limit
 * queue, requests sleeping between retries, callbacks being delivered. Counted before and
 * after, in that process: live timers (unref'd ones too), sockets and servers, the routes on
 * the httpNode/httpAdmin/root routers, listeners on process, the runtime's event bus and the
 * HTTP server, rate limiters in use; outside it: Redis connections, sockets open at each
 * emulator and at the silent server. Everything returns to its baseline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import type { CpgEmulator } from '../../emulator/cpg';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { freePort, linkPackage } from '../../scripts/node-red-runner';
import type { FlowNode } from '../../scripts/node-red-runner';
import { cpgDepositWebhook, cryptopayInvoiceCallback } from '../support/callbacks';
import { CPG_KEY_ID, CPG_SECRET, CPG_WEBHOOK_SECRET, EMU_CALLBACK_SECRET, EMU_KEY, EMU_SECRET, startCpgEmulator, startCryptopayEmulator } from '../support/emulator';
import { PO_API_KEY, PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { delay } from '../support/node-red';
import { REPO_ROOT } from '../support/paths';
import { startRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';

const PACKAGE = '@paywire/node-red-crypto-payments';
const DEPLOYS = Number(process.env.LIFECYCLE_DEPLOYS) || 100;
/** How long the counts must stay the same to be a baseline: longer than ioredis's 2 s disconnectTimeout. */
const QUIET_MS = 2500;
const REDIS_PASSWORD = 'lifecycle-redis-pw';
const KEY2 = 'lc-key-2';
const SECRET2 = 'lc-secret-2';

interface Counts {
  started: number;
  async: Record<string, number>;
  active: Record<string, number>;
  connections: number;
  routes: { httpNode: { layers: number; routes: string[] }; httpAdmin: number; root: number };
  listeners: { process: Record<string, number>; events: Record<string, number>; server: Record<string, number> };
  limitersInUse: number;
  heapUsed: number;
  /** Live timers by where they were made (the first frames of their creation stack). */
  timers: Record<string, number>;
}

/** Timers by origin that were live in one reading and not the other (or in other numbers). */
function timerDiff(before: Record<string, number>, after: Record<string, number>): string {
  const origins = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changed = [...origins].filter((o) => (before[o] ?? 0) !== (after[o] ?? 0)).map((o) => `${before[o] ?? 0}→${after[o] ?? 0} ${o}`);
  return changed.length > 0 ? changed.join('; ') : 'the same by origin';
}

/** One plain request per connection (no keep-alive), so the test adds no sockets of its own. */
function request(port: number, method: string, target: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path: target, agent: false, headers: { connection: 'close', ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('lifecycle: 100 full deploys with work in flight leave nothing behind', function () {
  this.timeout(90_000);
  let workDir: string;
  let cp: CryptopayEmulator;
  let cpg: CpgEmulator;
  let po: PaymentOrdersEmulator;
  let redis: RedisServer;
  let silent: net.Server;
  const silentSockets = new Set<net.Socket>();
  let child: ChildProcess | undefined;
  let port = 0;
  let output = '';
  let closedPort = 0;

  const counts = async (gc = false): Promise<Counts> => JSON.parse((await request(port, 'GET', `/__lifecycle${gc ? '?gc=1' : ''}`)).text) as Counts;
  const redisClients = (): number => redis.cli('CLIENT', 'LIST').split('\n').filter((l) => l.trim()).length - 1;
  const emulatorSockets = (): number => cp.handles().openSockets + cpg.handles().openSockets + po.handles().openSockets;

  /** The figures that must come back to their baseline. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const c = await counts();
    return {
      timers: c.async.Timeout ?? 0,
      sockets: c.async.TCPWRAP ?? 0,
      servers: c.async.TCPSERVERWRAP ?? 0,
      otherAsync: Object.fromEntries(Object.entries(c.async).filter(([k]) => !['Timeout', 'TCPWRAP', 'TCPSERVERWRAP'].includes(k))),
      active: c.active,
      serverConnections: c.connections,
      httpNodeLayers: c.routes.httpNode.layers,
      httpNodeRoutes: c.routes.httpNode.routes,
      httpAdminLayers: c.routes.httpAdmin,
      rootLayers: c.routes.root,
      processListeners: c.listeners.process,
      eventListeners: c.listeners.events,
      serverListeners: c.listeners.server,
      limitersInUse: c.limitersInUse,
      redisClients: redisClients(),
      emulatorSockets: emulatorSockets(),
      silentSockets: silentSockets.size,
    };
  }

  /** Waits (bounded) for the snapshot to equal `target`; returns the last one either way. */
  async function settleTo(target: Record<string, unknown>, timeoutMs = 8000): Promise<Record<string, unknown>> {
    const started = Date.now();
    let last = await snapshot();
    while (Date.now() - started < timeoutMs) {
      try {
        assert.deepEqual(last, target);
        return last;
      } catch {
        await delay(100);
        last = await snapshot();
      }
    }
    return last;
  }

  /**
   * Waits until the readings have not changed for QUIET_MS: nothing is still closing or
   * connecting. A Redis client that is told to close keeps a timer until its socket has closed,
   * for at most ioredis's disconnectTimeout (2 s); readings taken closer together than that
   * could make such a timer part of a baseline (CI once saw it: 6 timers then, 4 after the loop).
   */
  async function quiet(timeoutMs = 12_000): Promise<Record<string, unknown>> {
    const started = Date.now();
    let last = await snapshot();
    let unchangedSince = Date.now();
    for (;;) {
      await delay(300);
      const next = await snapshot();
      if (JSON.stringify(next) !== JSON.stringify(last)) unchangedSince = Date.now();
      if (Date.now() - unchangedSince >= QUIET_MS || Date.now() - started > timeoutMs) return next;
      last = next;
    }
  }

  function flow(variant: number): FlowNode[] {
    const gw = (id: string, provider: string, baseUrl: string, extra: Record<string, unknown> = {}): FlowNode => ({
      id, type: 'paywire-gateway', name: `gateway ${id}`, provider, environment: 'custom', baseUrl, timeout: 5, rateLimit: 1000, rateLimitWindow: 1, ...extra,
    });
    const act = (id: string, type: string, gateway: string, config: Record<string, unknown>): FlowNode[] => [
      { id, type, z: 'tab', gateway, listMode: 'all', maxRows: 5, params: {}, ...config, wires: [['status', 'sink']] },
      { id: `inj-${id}`, type: 'inject', z: 'tab', props: [{ p: 'payload' }], payload: '{}', payloadType: 'json', repeat: '', once: false, wires: [[id]] },
    ];
    const cb = (id: string, gateway: string, dedupe: Record<string, unknown>): FlowNode => ({
      id, type: 'paywire-callback', z: 'tab', gateway, path: `/lc/${variant}/${id}`, ...dedupe, wires: [['status', 'sink']],
    });
    const redisUrl = (auth: string, p = redis.port): string => `redis://${auth}@127.0.0.1:${p}/1`;
    return [
      { id: 'tab', type: 'tab', label: `lifecycle ${variant}` },
      gw('gw-cp', 'cryptopay', cp.url),
      gw('gw-cp-rl', 'cryptopay', cp.url, { rateLimit: 1, rateLimitWindow: 1, rateLimitQueue: 100 }),
      gw('gw-cp-retry', 'cryptopay', cp.url, { deadline: 30 }),
      gw('gw-cp-silent', 'cryptopay', `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, { deadline: 0 }),
      gw('gw-cpg', 'cpg', cpg.url),
      gw('gw-po', 'payment-orders', po.url),
      gw('gw-po-key', 'payment-orders', po.url),
      ...act('cp-create', 'paywire-invoice', 'gw-cp', { operation: 'create' }),
      ...act('cp-rl', 'paywire-api', 'gw-cp-rl', { resource: 'rate', operation: 'all' }),
      ...act('cp-retry', 'paywire-transactions', 'gw-cp-retry', { operation: 'list' }),
      ...act('cp-silent', 'paywire-invoice', 'gw-cp-silent', { operation: 'list' }),
      ...act('cp-withdraw', 'paywire-withdraw', 'gw-cp', { operation: 'list' }),
      ...act('cpg-balance', 'paywire-api', 'gw-cpg', { resource: 'balance', operation: 'list' }),
      ...act('cpg-tx', 'paywire-transactions', 'gw-cpg', { operation: 'list' }),
      ...act('po-list', 'paywire-invoice', 'gw-po', { operation: 'list' }),
      ...act('po-wallets', 'paywire-api', 'gw-po-key', { resource: 'wallet', operation: 'list' }),
      cb('cb-cp', 'gw-cp', { dedupe: 'redis', redisPrefix: 'lc:' }),
      cb('cb-cpg', 'gw-cpg', { dedupe: 'memory' }),
      cb('cb-po', 'gw-po', { dedupe: 'context' }),
      cb('cb-badpw', 'gw-cp', { dedupe: 'redis' }),
      cb('cb-down', 'gw-cp', { dedupe: 'redis' }),
      { id: 'status', type: 'paywire-status', z: 'tab', granularity: 'group', wires: [[], [], [], [], []] },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['sink']] },
      { id: 'sink', type: 'debug', z: 'tab', name: 'sink', active: true, tosidebar: false, console: false, tostatus: false, complete: 'true', targetType: 'full', wires: [] },
    ].map((n) => {
      const creds: Record<string, Record<string, string>> = {
        'gw-cp': { apiKey: EMU_KEY, apiSecret: EMU_SECRET, callbackSecret: EMU_CALLBACK_SECRET },
        'gw-cp-rl': { apiKey: KEY2, apiSecret: SECRET2 },
        'gw-cp-retry': { apiKey: EMU_KEY, apiSecret: EMU_SECRET },
        'gw-cp-silent': { apiKey: EMU_KEY, apiSecret: EMU_SECRET },
        'gw-cpg': { apiKey: CPG_KEY_ID, apiSecret: CPG_SECRET, callbackSecret: CPG_WEBHOOK_SECRET },
        'gw-po': { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET },
        'gw-po-key': { apiKey: PO_API_KEY },
        'cb-cp': { redisUrl: redisUrl(`:${REDIS_PASSWORD}`) },
        'cb-badpw': { redisUrl: redisUrl(':not-the-password') },
        'cb-down': { redisUrl: redisUrl(`:${REDIS_PASSWORD}`, closedPort) },
      };
      return creds[n.id] ? { ...n, credentials: creds[n.id] } : n;
    });
  }

  async function deploy(nodes: FlowNode[]): Promise<void> {
    const before = (await counts()).started;
    const res = await request(port, 'POST', '/flows', nodes, { 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v1' });
    assert.ok(res.status === 204 || res.status === 200, `deploy: ${res.status} ${res.text}`);
    for (let i = 0; i < 200 && (await counts()).started <= before; i++) await delay(10);
  }

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-lifecycle-'));
    const userDir = path.join(workDir, 'user');
    fs.mkdirSync(userDir);
    linkPackage(userDir, REPO_ROOT, PACKAGE);
    cp = await startCryptopayEmulator({ credentials: { [EMU_KEY]: EMU_SECRET, [KEY2]: SECRET2 } });
    cpg = await startCpgEmulator();
    po = await startPoEmulator();
    redis = await startRedisServer({ password: REDIS_PASSWORD });
    closedPort = await freePort();
    // Accepts connections and never answers: requests stay in flight until a deploy ends them.
    silent = net.createServer((socket) => {
      silentSockets.add(socket);
      socket.resume(); // read, so a client's FIN is seen and the socket closes
      socket.on('close', () => silentSockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));

    port = await freePort();
    const proc = spawn(process.execPath, ['--expose-gc', path.join(__dirname, '..', 'support', 'lifecycle-runtime.js'), userDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const started = Date.now();
    while (!/ready \d+/.test(output)) {
      if (proc.exitCode !== null) throw new Error(`the runtime exited: ${output}`);
      if (Date.now() - started > 30_000) throw new Error(`the runtime did not start: ${output}`);
      await delay(50);
    }
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    for (const s of silentSockets) s.destroy();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    await Promise.all([cp?.stop(), cpg?.stop(), po?.stop(), redis?.dispose()]);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('returns every count to its baseline, with the flow loaded and after it is removed', async () => {
    const startedAt = performance.now();
    await deploy([]);
    const pristine = await quiet();
    // One deploy and removal first: what stays on purpose is installed once per runtime (the
    // raw-body capture at the top of the root router, Express's own init layers on httpNode).
    await deploy(flow(0));
    await deploy([]);
    const empty = await quiet();
    const emptyTimers = (await counts()).timers;
    const oneTime = Object.keys(empty).filter((k) => JSON.stringify(empty[k]) !== JSON.stringify(pristine[k])).map((k) => `${k} ${JSON.stringify(pristine[k])}→${JSON.stringify(empty[k])}`);
    await deploy(flow(0));
    const loaded = await quiet();
    const first = await counts(true);
    const loadedTimers = first.timers;

    // Retries: the transactions list behind gw-cp-retry keeps getting 503 and sleeps between attempts.
    cp.injectFault({ method: 'GET', path: '^/api/transactions', mode: 'status', status: 503, times: 1_000_000 });
    let inFlight = 0;
    const answers = new Map<string, number>();
    const tallyAnswer = (what: string) => (res: { status: number }) => answers.set(`${what} ${res.status}`, (answers.get(`${what} ${res.status}`) ?? 0) + 1);
    const failed = (what: string) => () => answers.set(`${what} failed`, (answers.get(`${what} failed`) ?? 0) + 1);
    const pending: Array<Promise<unknown>> = [];
    let maxSilent = 0;
    let halfwayHeap = 0;
    for (let i = 1; i <= DEPLOYS; i++) {
      const injects = ['cp-silent', 'cp-silent', 'cp-retry', 'cp-rl', 'cp-rl', 'cp-rl', 'cp-rl', 'cp-create', 'cpg-balance', 'po-list', 'po-wallets', 'cp-withdraw', 'cpg-tx'];
      await Promise.all(injects.map((id) => request(port, 'POST', `/inject/inj-${id}`, { __user_inject_props__: [{ p: 'payload', v: '{"price_amount":"1","price_currency":"EUR","pay_currency":"BTC"}', vt: 'json' }] })));
      inFlight += injects.length;
      // Callbacks racing the deploy, to the paths of the flow being replaced.
      const prev = i - 1;
      const cbs = [
        request(port, 'POST', `/lc/${prev}/cb-cp`, cryptopayInvoiceCallback(EMU_CALLBACK_SECRET, `lc-${i}`).body, cryptopayInvoiceCallback(EMU_CALLBACK_SECRET, `lc-${i}`).headers),
        ((c) => request(port, 'POST', `/lc/${prev}/cb-cpg`, c.body, c.headers))(cpgDepositWebhook(CPG_WEBHOOK_SECRET, 50_000 + i)),
        request(port, 'POST', `/lc/${prev}/cb-badpw`, cryptopayInvoiceCallback(EMU_CALLBACK_SECRET, `lc-bad-${i}`).body, cryptopayInvoiceCallback(EMU_CALLBACK_SECRET, `lc-bad-${i}`).headers),
      ];
      pending.push(...cbs.map((p) => p.then(tallyAnswer('callback'), failed('callback'))));
      await delay(i % 10 === 0 ? 150 : 20);
      maxSilent = Math.max(maxSilent, silentSockets.size);
      await deploy(flow(i));
      if (i === DEPLOYS / 2) halfwayHeap = (await counts(true)).heapUsed;
    }
    await Promise.all(pending);
    cp.clearFaults();
    const deploysMs = performance.now() - startedAt;
    const hundredthHeap = (await counts(true)).heapUsed;

    // The same flow as before the loop, quiet: the same figures as then.
    await deploy(flow(0));
    const reloaded = await settleTo(loaded);
    assert.deepEqual(reloaded, loaded, `with the flow loaded again, every count is back to what it was after the first deploy; timers then ${timerDiff(loadedTimers, (await counts()).timers)}`);
    const reloadedHeap = (await counts(true)).heapUsed;
    // Nothing answers on the paths of earlier deploys.
    for (const old of [1, 37, DEPLOYS]) {
      const res = await request(port, 'POST', `/lc/${old}/cb-cp`, cryptopayInvoiceCallback(EMU_CALLBACK_SECRET, 'late').body, cryptopayInvoiceCallback(EMU_CALLBACK_SECRET, 'late').headers);
      assert.equal(res.status, 404, `/lc/${old}/cb-cp is gone`);
    }
    // And with no flow at all, what an empty runtime had.
    await deploy([]);
    const emptied = await settleTo(empty);
    assert.deepEqual(emptied, empty, `with the flow removed, every count is back to the empty runtime; timers then ${timerDiff(emptyTimers, (await counts()).timers)}`);

    assert.ok(maxSilent > 0, 'requests were hanging on the silent server during deploys');
    assert.ok((answers.get('callback 200') ?? 0) > 0, `callbacks were answered during deploys: ${JSON.stringify([...answers])}`);
    const last = await counts(true);
    // The heap after GC settles within the first deploys (code, caches; 250 deploys end where
    // 100 do): the second half of the loop must not keep adding to it, as a leak per deploy would.
    const secondHalf = hundredthHeap - halfwayHeap;
    assert.ok(secondHalf < 2 * 1048576, `heap after GC grew by ${(secondHalf / 1048576).toFixed(1)} MiB from deploy ${DEPLOYS / 2} to ${DEPLOYS}`);
    const show = (s: Record<string, unknown>): string => `timers ${String(s.timers)}, sockets ${String(s.sockets)}, servers ${String(s.servers)}, node routes ${(s.httpNodeRoutes as string[]).length}, process listeners ${Object.values(s.processListeners as Record<string, number>).reduce((a, b) => a + b, 0)}, event listeners ${Object.values(s.eventListeners as Record<string, number>).reduce((a, b) => a + b, 0)}, limiters ${String(s.limitersInUse)}, redis ${String(s.redisClients)}, emulator sockets ${String(s.emulatorSockets)}`;
    console.log(
      `      lifecycle: ${DEPLOYS} full deploys (${(deploysMs / DEPLOYS).toFixed(0)} ms each with ${inFlight} node runs and ${3 * DEPLOYS} callbacks in flight, up to ${maxSilent} requests hanging); ` +
        `loaded: ${show(loaded)}; empty: ${show(empty)}; both back to baseline after the loop; once per runtime: ${oneTime.join(', ') || 'nothing'}; ` +
        `heap after GC: ${(first.heapUsed / 1048576).toFixed(1)} MiB at deploy 0, ${(halfwayHeap / 1048576).toFixed(1)} at ${DEPLOYS / 2}, ${(hundredthHeap / 1048576).toFixed(1)} at ${DEPLOYS}, ${(reloadedHeap / 1048576).toFixed(1)} reloaded quiet, ${(last.heapUsed / 1048576).toFixed(1)} empty`,
    );
  });
});
