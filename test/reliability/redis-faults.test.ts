/**
 * Scale-out under Redis faults: two real Node-RED instances share one real redis-server
 * (append-only, fsync per write) through a TCP proxy, and a gateway-like sender delivers signed
 * Cryptopay callbacks at 20/s, retrying every answer that is not 2xx after 1 s on the other
 * instance. Mid-stream, Redis is paused (SIGSTOP) for 6 s, killed and restarted, cut off by the
 * proxy for 5 s, or slowed to 2 s per reply.
 *
 * Emissions are counted in the instances themselves: the callback node's output goes to a
 * function node that appends one line per message to a file with appendFileSync, before it
 * returns, so a message the flow received is on disk (no network between emission and count).
 * For each fault: every callback answered 2xx was emitted (none lost), and none twice.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { REPO_ROOT } from '../support/paths';
import { cryptopayInvoiceCallback } from '../support/callbacks';
import type { SignedCallback } from '../support/callbacks';
import { startRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { startTcpProxy } from '../support/tcp-proxy';
import type { TcpProxy } from '../support/tcp-proxy';
import { delay, waitUntil } from '../support/node-red';

const PACKAGE = '@paywire/node-red-crypto-payments';
const SECRET = 'rf-cryptopay-cb-5e0a';
const REDIS_PASSWORD = 'rf-redis-pw-1c7d93';
const CALLBACKS = 60;
const SPACING_MS = 50; // 20 per second
const RETRY_MS = 1000;
/** A callback not accepted by then fails the test (each fault lasts at most 6 s). */
const GIVE_UP_MS = 40_000;
const INSTANCES = ['A', 'B'] as const;
type Instance = (typeof INSTANCES)[number];

interface Delivery {
  id: string;
  attempts: Array<{ instance: Instance; status: number | 'error' }>;
  acceptedAt?: number;
}

function flow(): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'faults' },
    { id: 'gw', type: 'paywire-gateway', name: 'cryptopay', provider: 'cryptopay', environment: 'custom', baseUrl: 'http://127.0.0.1:9', timeout: 5 },
    { id: 'rd', type: 'paywire-redis', name: 'shared', prefix: 'rf:', version: 1 },
    { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/paywire/faults', dedupe: 'redis', redis: 'rd', version: 3, x: 100, y: 100, wires: [['rec']] },
    {
      id: 'rec',
      type: 'function',
      z: 'tab',
      name: 'record emission',
      // Synchronous: when this returns, the emission is in the file.
      func: "fs.appendFileSync(env.get('PAYWIRE_EMIT_LOG'), env.get('PAYWIRE_INSTANCE') + ' ' + msg.paywire.id + '\\n');\nreturn null;",
      outputs: 0,
      libs: [{ var: 'fs', module: 'fs' }],
      x: 300,
      y: 100,
      wires: [],
    },
  ];
}

describe('callbacks on two Node-RED instances while Redis fails', function () {
  this.timeout(90_000);
  let workDir: string;
  let redis: RedisServer;
  let proxy: TcpProxy;
  const nodeReds = new Map<Instance, NodeRedProcess>();
  const logOf = (name: Instance): string => path.join(workDir, `emitted-${name}.log`);
  const figures: string[] = [];

  before(async function () {
    this.timeout(60_000);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-redis-faults-'));
    redis = await startRedisServer({ password: REDIS_PASSWORD, appendOnly: true });
    proxy = await startTcpProxy(redis.port);
    await Promise.all(
      INSTANCES.map(async (name) => {
        const userDir = path.join(workDir, name);
        fs.mkdirSync(userDir);
        linkPackage(userDir, REPO_ROOT, PACKAGE);
        const nodeRed = await startNodeRed({
          userDir,
          port: await freePort(),
          env: { PAYWIRE_INSTANCE: name, PAYWIRE_EMIT_LOG: logOf(name) },
          settings: { functionExternalModules: true, logging: { console: { level: 'info', metrics: false, audit: false } } },
        });
        nodeReds.set(name, nodeRed);
        await deployFlows(nodeRed.url, flow(), { gw: { callbackSecret: SECRET }, rd: { url: `redis://:${REDIS_PASSWORD}@127.0.0.1:${proxy.port}/2` } });
      }),
    );
    // Both instances connected: a first callback through each.
    for (const name of INSTANCES) {
      const warm = cryptopayInvoiceCallback(SECRET, `warm-${name}`);
      const until = Date.now() + 15_000;
      while ((await post(name, warm)) !== 200) {
        if (Date.now() > until) throw new Error(`instance ${name} never accepted a callback`);
        await delay(200);
      }
    }
  });

  after(async () => {
    await Promise.all([...nodeReds.values()].map((n) => n.stop()));
    await proxy?.close();
    await redis?.dispose();
    if (figures.length) console.log(`      figures:\n${figures.map((f) => `        ${f}`).join('\n')}`);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function post(name: Instance, callback: SignedCallback): Promise<number | 'error'> {
    try {
      const res = await fetch(`${nodeReds.get(name)!.url}/paywire/faults`, { method: 'POST', body: callback.body, headers: callback.headers, signal: AbortSignal.timeout(15_000) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 'error';
    }
  }

  /** What each instance's flow recorded: id → instances that emitted it. */
  function emissions(): Map<string, Instance[]> {
    const byId = new Map<string, Instance[]>();
    for (const name of INSTANCES) {
      const file = logOf(name);
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const [instance, id] = line.split(' ') as [Instance, string];
        byId.set(id, [...(byId.get(id) ?? []), instance]);
      }
    }
    return byId;
  }

  /** The gateway's side: send, and on anything but 2xx wait 1 s and send to the other instance. */
  async function deliverUntilAccepted(delivery: Delivery, callback: SignedCallback, first: number, started: number): Promise<void> {
    for (let attempt = 0; performance.now() - started < GIVE_UP_MS; attempt++) {
      const instance = INSTANCES[(first + attempt) % INSTANCES.length]!;
      const status = await post(instance, callback);
      delivery.attempts.push({ instance, status });
      if (typeof status === 'number' && status >= 200 && status < 300) {
        delivery.acceptedAt = performance.now() - started;
        return;
      }
      await delay(RETRY_MS);
    }
  }

  /** Sends CALLBACKS callbacks at 20/s, runs `fault` from `faultAtMs` on, and checks every emission. */
  async function runWithFault(label: string, faultAtMs: number, fault: () => Promise<string | void>): Promise<void> {
    const ids = Array.from({ length: CALLBACKS }, (_, i) => `${label}-${i}`);
    const deliveries: Delivery[] = ids.map((id) => ({ id, attempts: [] }));
    const started = performance.now();
    let faultNote: string | undefined;
    const faulting = delay(faultAtMs).then(async () => {
      const note = await fault();
      if (typeof note === 'string') faultNote = note;
    });
    await Promise.all(
      deliveries.map(async (delivery, i) => {
        await delay(i * SPACING_MS);
        await deliverUntilAccepted(delivery, cryptopayInvoiceCallback(SECRET, delivery.id), i % 2, started);
      }),
    );
    await faulting;
    const unaccepted = deliveries.filter((d) => d.acceptedAt === undefined);
    assert.deepEqual(
      unaccepted.map((d) => `${d.id}: ${d.attempts.map((a) => a.status).join(',')}`),
      [],
      `every callback accepted within ${GIVE_UP_MS / 1000} s`,
    );
    const wanted = new Set(ids);
    const mine = (): Array<[string, Instance[]]> => [...emissions()].filter(([id]) => wanted.has(id));
    // Accepted means handed to the flow; give the function nodes a moment, then look.
    await waitUntil(() => mine().length >= ids.length, 5000, `${ids.length} emissions of ${label}`).catch(() => undefined);
    await delay(300);
    const emitted = new Map(mine());
    const lost = deliveries.filter((d) => !emitted.has(d.id)).map((d) => `${d.id} (answers ${d.attempts.map((a) => `${a.instance}:${a.status}`).join(' ')})`);
    const twice = [...emitted].filter(([, by]) => by.length > 1).map(([id, by]) => `${id} by ${by.join('+')}`);
    const attempts = deliveries.reduce((n, d) => n + d.attempts.length, 0);
    const statusCounts = new Map<string, number>();
    for (const d of deliveries) for (const a of d.attempts) statusCounts.set(String(a.status), (statusCounts.get(String(a.status)) ?? 0) + 1);
    const lastAccepted = Math.max(...deliveries.map((d) => d.acceptedAt ?? 0));
    const byInstance = INSTANCES.map((name) => `${name} ${[...emitted.values()].filter((by) => by.includes(name)).length}`).join(', ');
    const figure =
      `${label}: ${ids.length} callbacks, ${attempts} deliveries (${[...statusCounts].map(([s, n]) => `${n}× ${s}`).join(', ')}), ` +
      `all accepted after ${(lastAccepted / 1000).toFixed(1)} s; emitted ${emitted.size} (${byInstance}), lost ${lost.length}, twice ${twice.length}` +
      (faultNote ? `; ${faultNote}` : '');
    figures.push(figure);
    console.log(`      ${figure}`);
    assert.deepEqual(lost, [], 'every accepted callback was emitted');
    assert.deepEqual(twice, [], 'no callback emitted twice');
  }

  it('Redis paused (SIGSTOP) for 6 s mid-stream', async () => {
    await runWithFault('paused', 1000, async () => {
      redis.signal('SIGSTOP');
      await delay(6000);
      redis.signal('SIGCONT');
    });
  });

  it('Redis killed (SIGKILL) and restarted with its append-only file', async () => {
    await runWithFault('killed', 1000, async () => {
      const doneBefore = Number(redis.cli('-n', '2', 'EVAL', "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do if string.sub(redis.call('GET', k), 1, 2) == 'd:' then n = n + 1 end end return n", '0', 'rf:dedupe:*'));
      redis.signal('SIGKILL');
      await redis.exited();
      await delay(2000);
      await redis.start();
      const doneAfter = Number(redis.cli('-n', '2', 'EVAL', "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do if string.sub(redis.call('GET', k), 1, 2) == 'd:' then n = n + 1 end end return n", '0', 'rf:dedupe:*'));
      // appendfsync always: every done claim acknowledged before the kill is back after it.
      assert.ok(doneAfter >= doneBefore, `done claims before the kill ${doneBefore}, after the restart ${doneAfter}`);
      return `done claims before the kill ${doneBefore}, after the restart ${doneAfter}`;
    });
  });

  it('Redis cut off by the proxy (blackhole) for 5 s', async () => {
    await runWithFault('blackholed', 1000, () => proxy.blackhole(5000));
  });

  it('Redis slowed to 2 s per reply for 6 s', async () => {
    await runWithFault('slowed', 1000, async () => {
      proxy.delayReplies(2000);
      await delay(6000);
      proxy.delayReplies(0);
    });
  });

  it('kept the Redis password out of every log line', () => {
    for (const nodeRed of nodeReds.values()) assert.doesNotMatch(nodeRed.output(), new RegExp(REDIS_PASSWORD));
  });
});
