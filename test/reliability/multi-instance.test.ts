/**
 * Two real Node-RED runtimes behind an imaginary load balancer, sharing one real
 * redis-server: the same signed callbacks reach both, interleaved and concurrently (and
 * some a third time, as a gateway's retry), and each is emitted exactly once across both.
 * The same runtimes also show what a file context store gives (kept across a restart)
 * and what it does not (it is per instance).
 */
import assert from 'node:assert/strict';
import { webhookDeliveryKey } from '../../lib/providers/cpg';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { REPO_ROOT } from '../support/paths';
import { cpgDepositWebhook, cryptopayInvoiceCallback, deliver } from '../support/callbacks';
import type { SignedCallback } from '../support/callbacks';
import { startRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { delay, waitUntil } from '../support/node-red';

const PACKAGE = '@paywire/node-red-crypto-payments';
const CRYPTOPAY_SECRET = 'mi-cryptopay-cb-31f0';
const CPG_SECRET = 'mi-cpg-whsec-8a2d';
const REDIS_PASSWORD = 'mi-redis-pw-6b94c2';
const REDIS_DB = 3;
const DISTINCT_PER_PROVIDER = 100;
const RETRIES = 50;
const CONCURRENCY = 24;

interface Emitted {
  instance: string;
  provider: string;
  id: string;
  path: string;
}

/** Deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function flow(sinkUrl: string): FlowNode[] {
  // Each callback node feeds a change node that tags its messages with the instance
  // (from the environment) and the endpoint, then one sink posts them to the test.
  const endpoint = (id: string, gateway: string, urlPath: string, dedupe: Record<string, unknown>, y: number): FlowNode[] => [
    { id, type: 'paywire-callback', z: 'tab', gateway, path: urlPath, ...dedupe, x: 200, y, wires: [[`tag-${id}`]] },
    {
      id: `tag-${id}`,
      type: 'change',
      z: 'tab',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: `{"instance": $env("PAYWIRE_INSTANCE"), "provider": paywire.provider, "id": paywire.id, "path": "${urlPath}"}`, tot: 'jsonata' }],
      x: 400,
      y,
      wires: [['sink']],
    },
  ];
  return [
    { id: 'tab', type: 'tab', label: 'callbacks' },
    { id: 'gw-cp', type: 'paywire-gateway', name: 'cryptopay', provider: 'cryptopay', environment: 'custom', baseUrl: 'http://127.0.0.1:9', timeout: 5 },
    { id: 'gw-cpg', type: 'paywire-gateway', name: 'cpg', provider: 'cpg', environment: 'custom', baseUrl: 'http://127.0.0.1:9', timeout: 5 },
    { id: 'rd', type: 'paywire-redis', name: 'shared', prefix: 'mi:', version: 1 },
    ...endpoint('cb-cp', 'gw-cp', '/paywire/cryptopay', { dedupe: 'redis', redis: 'rd', version: 3 }, 100),
    ...endpoint('cb-cpg', 'gw-cpg', '/paywire/cpg', { dedupe: 'redis', redis: 'rd', version: 3 }, 200),
    ...endpoint('cb-ctx', 'gw-cp', '/paywire/ctx', { dedupe: 'context', contextStore: 'file' }, 300),
    { id: 'sink', type: 'http request', z: 'tab', name: 'sink', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: sinkUrl, tls: '', persist: true, proxy: '', authType: '', senderr: false, headers: [], x: 600, y: 200, wires: [[]] },
  ];
}

describe('two Node-RED instances sharing one Redis', function () {
  this.timeout(60_000);
  let workDir: string;
  let redis: RedisServer;
  let sink: http.Server;
  let sinkUrl: string;
  const emitted: Emitted[] = [];
  const instances: Record<'A' | 'B', NodeRedProcess | undefined> = { A: undefined, B: undefined };
  const credentials = (): Record<string, Record<string, string>> => {
    const redisUrl = redis.url(REDIS_DB, `:${REDIS_PASSWORD}`);
    return { 'gw-cp': { callbackSecret: CRYPTOPAY_SECRET }, 'gw-cpg': { callbackSecret: CPG_SECRET }, rd: { url: redisUrl } };
  };
  const userDir = (name: string): string => path.join(workDir, name);

  async function start(name: 'A' | 'B'): Promise<NodeRedProcess> {
    const nodeRed = await startNodeRed({
      userDir: userDir(name),
      port: await freePort(),
      env: { PAYWIRE_INSTANCE: name },
      settings: {
        contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem', config: { flushInterval: 1 } } },
        logging: { console: { level: 'info', metrics: false, audit: false } },
      },
    });
    instances[name] = nodeRed;
    return nodeRed;
  }

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-multi-'));
    redis = await startRedisServer({ password: REDIS_PASSWORD });
    sink = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        emitted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Emitted);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
    for (const name of ['A', 'B']) {
      fs.mkdirSync(userDir(name));
      linkPackage(userDir(name), REPO_ROOT, PACKAGE);
    }
    await Promise.all([start('A'), start('B')]);
    await Promise.all([instances.A!, instances.B!].map((n) => deployFlows(n.url, flow(sinkUrl), credentials())));
  });

  after(async () => {
    await Promise.all([instances.A?.stop(), instances.B?.stop()]);
    sink?.closeAllConnections();
    await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
    await redis?.dispose();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('emits each of 200 callbacks exactly once across both, delivered to both, interleaved and concurrent', async () => {
    const callbacks: Array<{ path: string; callback: SignedCallback }> = [];
    for (let i = 0; i < DISTINCT_PER_PROVIDER; i++) {
      callbacks.push({ path: '/paywire/cryptopay', callback: cryptopayInvoiceCallback(CRYPTOPAY_SECRET, `mi-invoice-${i}`) });
      callbacks.push({ path: '/paywire/cpg', callback: cpgDepositWebhook(CPG_SECRET, 70_000 + i) });
    }
    // Half the callbacks reach both instances at the same moment; the other half as two
    // separate deliveries in shuffled order; 50 get a third delivery (a gateway retry).
    type Delivery = { index: number; instance: 'A' | 'B' };
    const entries: Delivery[][] = [];
    callbacks.forEach((_, index) => {
      if (index % 2 === 0) entries.push([{ index, instance: 'A' }, { index, instance: 'B' }]);
      else entries.push([{ index, instance: 'A' }], [{ index, instance: 'B' }]);
    });
    shuffle(callbacks.map((_, i) => i), 7).slice(0, RETRIES).forEach((index, n) => entries.push([{ index, instance: n % 2 ? 'A' : 'B' }]));
    const schedule = shuffle(entries, 42);

    const answers: Array<Delivery & { status: number; start: number; end: number }> = [];
    let inFlightAnswers = 0;
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < schedule.length) {
        const entry = schedule[next++]!;
        await Promise.all(
          entry.map(async (d) => {
            const { path: urlPath, callback } = callbacks[d.index]!;
            const start = performance.now();
            let res = await deliver(`${instances[d.instance]!.url}${urlPath}`, callback);
            // 503 + Retry-After: the other instance is handing this callback over right now. A
            // gateway retries later; here after 100 ms, until the answer is final.
            for (let retry = 0; res.status === 503 && retry < 50; retry++) {
              inFlightAnswers++;
              await delay(100);
              res = await deliver(`${instances[d.instance]!.url}${urlPath}`, callback);
            }
            answers.push({ ...d, status: res.status, start, end: performance.now() });
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    const sendMs = performance.now() - started;

    const expected = 2 * callbacks.length + RETRIES;
    assert.equal(answers.length, expected);
    const bad = answers.filter((a) => a.status !== 200);
    assert.deepEqual(bad, [], 'every delivery, first or duplicate, answered 200 in the end');

    await waitUntil(() => emitted.length >= callbacks.length, 15_000, `${callbacks.length} messages at the sink (have ${emitted.length})`);
    await delay(500);
    const redis_ = emitted.filter((e) => e.path !== '/paywire/ctx');
    assert.equal(redis_.length, callbacks.length, `exactly ${callbacks.length} messages, no extra one after settling`);
    const seen = new Map<string, number>();
    for (const e of redis_) seen.set(`${e.provider}:${e.id}`, (seen.get(`${e.provider}:${e.id}`) ?? 0) + 1);
    const wanted = callbacks.map(({ path: p, callback }) => `${p.endsWith('cpg') ? 'cpg' : 'cryptopay'}:${callback.id}`);
    assert.deepEqual([...seen.keys()].sort(), [...wanted].sort(), 'every callback emitted');
    assert.ok([...seen.values()].every((n) => n === 1), 'none twice');

    const byInstance = { A: redis_.filter((e) => e.instance === 'A').length, B: redis_.filter((e) => e.instance === 'B').length };
    assert.ok(byInstance.A > 0 && byInstance.B > 0, `both instances emitted: ${JSON.stringify(byInstance)}`);
    // How many callbacks had two deliveries in flight at the same time on different instances.
    let raced = 0;
    callbacks.forEach((_, index) => {
      const mine = answers.filter((a) => a.index === index);
      if (mine.some((a) => mine.some((b) => a.instance !== b.instance && a.start < b.end && b.start < a.end))) raced++;
    });
    assert.ok(raced >= callbacks.length / 2, `at least the simultaneous half raced (${raced})`);

    const cli = (...args: string[]): string => redis.cli('-n', String(REDIS_DB), ...args);
    assert.equal(cli('DBSIZE'), String(callbacks.length), 'one claim per callback in the database of the URL');
    const ttl = Number(cli('PTTL', `mi:dedupe:/paywire/cpg ${webhookDeliveryKey(CPG_SECRET, '70000')}`));
    assert.ok(ttl > 47 * 3600_000 && ttl <= 48 * 3600_000, `PTTL ${ttl} (48 h)`);
    const latencies = answers.map((a) => a.end - a.start).sort((x, y) => x - y);
    console.log(
      `      ${expected} deliveries of ${callbacks.length} callbacks in ${sendMs.toFixed(0)} ms (${CONCURRENCY} in flight), ` +
        `${raced} raced across instances (${inFlightAnswers} answers 503 in flight, retried); emitted A ${byInstance.A} + B ${byInstance.B} = ${redis_.length}; ` +
        `answer p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)} ms`,
    );
  });

  it('keeps the Redis URL a credential: not in the flow, the flow file or the logs', async () => {
    for (const name of ['A', 'B'] as const) {
      const nodeRed = instances[name]!;
      const flows = await (await fetch(`${nodeRed.url}/flows`, { headers: { accept: 'application/json' } })).text();
      assert.doesNotMatch(flows, new RegExp(REDIS_PASSWORD));
      const creds = (await (await fetch(`${nodeRed.url}/credentials/paywire-redis/rd`)).json()) as Record<string, unknown>;
      assert.deepEqual(creds, { has_url: true }, 'the editor only learns that a URL is set');
      for (const file of ['flows.json', 'flows_cred.json']) {
        assert.doesNotMatch(fs.readFileSync(path.join(userDir(name), file), 'utf8'), new RegExp(`${REDIS_PASSWORD}|${CPG_SECRET}`), file);
      }
      assert.doesNotMatch(nodeRed.output(), new RegExp(`${REDIS_PASSWORD}|${CPG_SECRET}|${CRYPTOPAY_SECRET}`));
    }
  });

  it('a file context store keeps claims across a restart, and is per instance', async () => {
    const callback = cryptopayInvoiceCallback(CRYPTOPAY_SECRET, 'ctx-invoice-1');
    const fromCtx = (): Emitted[] => emitted.filter((e) => e.path === '/paywire/ctx');
    assert.equal((await deliver(`${instances.A!.url}/paywire/ctx`, callback)).status, 200);
    await waitUntil(() => fromCtx().length === 1, 5000, 'the first message');

    await instances.A!.stop();
    const restarted = await start('A');
    // The admin API answers before the saved flows (and their routes) are started.
    await waitUntil(() => /Started flows/.test(restarted.output()), 15_000, 'the saved flows to start');
    assert.equal((await deliver(`${restarted.url}/paywire/ctx`, callback)).status, 200);
    const fresh = cryptopayInvoiceCallback(CRYPTOPAY_SECRET, 'ctx-invoice-2');
    assert.equal((await deliver(`${restarted.url}/paywire/ctx`, fresh)).status, 200);
    await waitUntil(() => fromCtx().length >= 2, 5000, 'the message after the restart');
    // The Redis endpoints came back too: credentials survived the restart.
    assert.equal((await deliver(`${restarted.url}/paywire/cpg`, cpgDepositWebhook(CPG_SECRET, 70_000))).status, 200);

    // Instance B has its own file store: the same delivery is new to it.
    assert.equal((await deliver(`${instances.B!.url}/paywire/ctx`, callback)).status, 200);
    await waitUntil(() => fromCtx().length >= 3, 5000, "B's message");
    await delay(300);
    assert.deepEqual(
      fromCtx().map((e) => [e.instance, e.id]),
      [
        ['A', 'ctx-invoice-1'],
        ['A', 'ctx-invoice-2'],
        ['B', 'ctx-invoice-1'],
      ],
    );
    assert.equal(emitted.filter((e) => e.path !== '/paywire/ctx').length, 2 * DISTINCT_PER_PROVIDER, 'the redelivered CPG webhook stayed a duplicate after the restart');
  });
});
