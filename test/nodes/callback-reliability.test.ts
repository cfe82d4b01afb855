import assert from 'node:assert/strict';
import { webhookDeliveryKey } from '../../lib/providers/cpg';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { NodeAPI } from 'node-red';
import { collect, delay, helper, loadFlow, waitUntil } from '../support/node-red';
import type { FlowNode, LoadedFlow } from '../support/node-red';
import { cpgDepositWebhook, cryptopayInvoiceCallback, deliver } from '../support/callbacks';
import type { SignedCallback } from '../support/callbacks';
import { startRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';

type Msg = Record<string, any>;
const SECRET = 'reliability-secret-5d21';
const REDIS_PASSWORD = 'redis-pw-77c3e1';
const SLOW_MS = 1500;

/** A node that takes SLOW_MS per message (a slow HTTP call, a database write …). */
const finished: Array<{ id: string; at: number }> = [];
function slowNode(RED: NodeAPI): void {
  RED.nodes.registerType('slow-sink', function (this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg: Msg, _send: unknown, done: () => void) => {
      setTimeout(() => {
        finished.push({ id: String(msg.payload.id), at: performance.now() });
        done();
      }, SLOW_MS);
    });
  });
}

/** Error lines the runtime logged during this test (node.error and friends). */
function loggedErrors(): string[] {
  const spy = helper.log() as any;
  return (spy.args as any[][]).filter((a) => a[0]?.level === spy.ERROR).map((a) => String(a[0].msg));
}

function flow(callback: Record<string, unknown> = {}, provider = 'cryptopay'): FlowNode[] {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'gw', type: 'paywire-gateway', name: 'test gateway', provider, environment: 'custom', baseUrl: 'http://127.0.0.1:9', timeout: 5 },
    { id: 'redis', type: 'paywire-redis', name: 'shared', prefix: 'rel:' },
    { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/cb', ...callback, wires: [['out', 'slow']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'slow', type: 'slow-sink', z: 'tab' },
  ];
}

describe('paywire-callback reliability', function () {
  this.timeout(20_000);
  let loaded: LoadedFlow | undefined;
  let url = '';
  let redis: RedisServer;
  const cli = (...args: string[]): string => redis.cli(...args);

  before(async () => {
    redis = await startRedisServer({ password: REDIS_PASSWORD });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await redis?.dispose();
  });
  afterEach(async () => {
    await loaded?.close();
    loaded = undefined;
    await helper.unload();
  });

  async function load(nodes: FlowNode[], credentials: Record<string, Record<string, string>> = {}): Promise<void> {
    loaded = await loadFlow(nodes, { gw: { callbackSecret: SECRET }, ...credentials }, { productionLike: true, extraNodes: [slowNode] });
    url = `${loaded.httpUrl}/cb`;
  }

  function statusLog(): Array<{ fill?: string; text?: string }> {
    const node = helper.getNode('cb') as unknown as { status(s: unknown): void };
    const seen: Array<{ fill?: string; text?: string }> = [];
    const original = node.status.bind(node);
    node.status = (s: { fill?: string; text?: string }) => {
      seen.push(s);
      original(s);
    };
    return seen;
  }

  it('answers 200 before the flow runs: 20 callbacks into a 1.5 s-per-message flow', async () => {
    await load(flow());
    finished.length = 0;
    const callbacks = Array.from({ length: 20 }, (_, i) => cryptopayInvoiceCallback(SECRET, `slow-${i}`));
    const started = performance.now();
    const answers = await Promise.all(callbacks.map((c) => deliver(url, c)));
    const allAnswered = performance.now() - started;
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    const slowest = Math.max(...answers.map((a) => a.ms));
    assert.ok(slowest < SLOW_MS / 2, `slowest answer ${slowest.toFixed(0)} ms`);
    assert.equal(finished.length, 0, 'no message was through the slow node when the last answer came');
    await waitUntil(() => finished.length === 20, 10_000, 'the slow flow to finish');
    const firstDone = Math.min(...finished.map((f) => f.at)) - started;
    assert.ok(firstDone >= SLOW_MS - 50, `first message finished after ${firstDone.toFixed(0)} ms`);
    console.log(`      20 answers in ${allAnswered.toFixed(0)} ms (slowest ${slowest.toFixed(0)} ms); the flow finished its first message after ${firstDone.toFixed(0)} ms`);
  });

  it('frees the claim when the message cannot be handed on: 500, then the retry is emitted once', async () => {
    await load(flow());
    const out = collect('out');
    const node = helper.getNode('cb') as unknown as { send(msg: unknown): void };
    const send = node.send.bind(node);
    let failNext = true;
    node.send = (msg: unknown) => {
      if (failNext) {
        failNext = false;
        throw new Error('simulated runtime failure');
      }
      send(msg);
    };
    const callback = cryptopayInvoiceCallback(SECRET, 'send-throws');
    assert.equal((await deliver(url, callback)).status, 500);
    assert.equal((await deliver(url, callback)).status, 200, 'the retry');
    assert.equal((await deliver(url, callback)).status, 200, 'a duplicate of the retry');
    await out.next(1);
    await delay(50);
    assert.equal(out.messages.length, 1);
  });

  it('takes a body of exactly 1 MiB and refuses one byte more, declared or streamed, with 413', async () => {
    await load(flow());
    const out = collect('out');
    const LIMIT = 1024 * 1024;
    const padded = (size: number): SignedCallback => {
      const base = JSON.parse(cryptopayInvoiceCallback(SECRET, 'big').body) as { data: Record<string, unknown> };
      base.data.description = '';
      const filler = size - Buffer.byteLength(JSON.stringify(base));
      base.data.description = 'x'.repeat(filler);
      const body = JSON.stringify(base);
      assert.equal(Buffer.byteLength(body), size);
      return { id: 'big', body, headers: { 'content-type': 'application/json', 'x-cryptopay-signature': createHmac('sha256', SECRET).update(body).digest('hex') } };
    };
    const tooBig = padded(LIMIT + 1);
    assert.deepEqual([(await deliver(url, tooBig)).status], [413]);
    // Streamed without a Content-Length: the limit counts the bytes as they arrive.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { ...tooBig.headers, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let at = 0; at < tooBig.body.length; at += 64 * 1024) req.write(tooBig.body.slice(at, at + 64 * 1024));
      req.end();
    });
    assert.equal(streamed, 413);
    await delay(50);
    assert.equal(out.messages.length, 0);
    assert.equal((await deliver(url, padded(LIMIT))).status, 200, 'exactly the limit is accepted');
    const [msg] = (await out.next(1)) as Msg[];
    assert.equal(msg!.payload.description.length > 1000, true);
  });

  it('emits one message for 30 concurrent deliveries with the default memory store', async () => {
    await load(flow());
    const out = collect('out');
    const callback = cryptopayInvoiceCallback(SECRET, 'mem-1');
    const answers = await Promise.all(Array.from({ length: 30 }, () => deliver(url, callback)));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    await out.next(1);
    await delay(100);
    assert.equal(out.messages.length, 1);
  });

  it("refuses a correctly signed CPG webhook outside the 300 s window with 401 (a replay)", async () => {
    await load(flow({}, 'cpg'));
    const out = collect('out');
    const stale = cpgDepositWebhook(SECRET, 5150, Date.now() - 301_000);
    const early = cpgDepositWebhook(SECRET, 5151, Date.now() + 301_000);
    assert.equal((await deliver(url, stale)).status, 401);
    assert.equal((await deliver(url, early)).status, 401);
    assert.equal((await deliver(url, cpgDepositWebhook(SECRET, 5152, Date.now() - 290_000))).status, 200, 'inside the window');
    await out.next(1);
    await delay(50);
    assert.deepEqual(out.messages.map((m: Msg) => m.paywire.id), ['15152']);
  });

  describe('with the Redis store', () => {
    const redisNode = (extra: Record<string, unknown> = {}) => ({ dedupe: 'redis', redis: 'redis', version: 3, ...extra });
    const redisCredentials = (db = 1) => ({ redis: { url: redis.url(db, `:${REDIS_PASSWORD}`) } });

    it('emits one message for 30 concurrent deliveries of one webhook (CPG delivery id)', async () => {
      await load(flow(redisNode(), 'cpg'), redisCredentials());
      const out = collect('out');
      const webhook = cpgDepositWebhook(SECRET, 4242);
      const answers = await Promise.all(Array.from({ length: 30 }, () => deliver(url, webhook)));
      // A delivery that meets another one still handing the webhook over gets 503 + Retry-After
      // (the gateway retries); once it is done, every repeat gets 200.
      assert.ok(answers.every((a) => a.status === 200 || (a.status === 503 && a.retryAfter === '5')), JSON.stringify(answers.map((a) => a.status)));
      await out.next(1);
      assert.equal((await deliver(url, webhook)).status, 200, 'a retry after the hand-over');
      await delay(100);
      assert.equal(out.messages.length, 1);
      assert.equal((out.messages[0] as Msg).paywire.id, '14242');
      assert.match(cli('-n', '1', 'GET', `rel:dedupe:/cb ${webhookDeliveryKey(SECRET, '4242')}`), /^d:/, 'the done claim is in the database of the URL, under the prefix');
    });

    it('answers 503 and emits nothing while Redis is down, then recovers by itself', async () => {
      await load(flow(redisNode()), redisCredentials(2));
      const out = collect('out');
      const statuses = statusLog();
      const before = cryptopayInvoiceCallback(SECRET, 'before-outage');
      assert.equal((await deliver(url, before)).status, 200);
      await out.next(1);

      await redis.stop();
      let restarted = false;
      try {
        const during = cryptopayInvoiceCallback(SECRET, 'during-outage');
        const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(url, during)));
        assert.deepEqual(answers.map((a) => [a.status, a.text, a.retryAfter]), Array.from({ length: 5 }, () => [503, '{"error":"dedupe_unavailable"}', '5']));
        assert.ok(answers.every((a) => a.ms < 1000), `503 at once, not after the 5 s command timeout: ${answers.map((a) => a.ms.toFixed(0)).join(', ')} ms`);
        const outageMs = answers.map((a) => a.ms);
        await waitUntil(() => statuses.some((s) => s.text === 'redis unreachable'), 3000, 'the red status');
        await delay(100);
        assert.equal(out.messages.length, 1, 'nothing emitted without a working duplicate check');

        await redis.start();
        restarted = true;
        const back = performance.now();
        await waitUntil(() => statuses.at(-1)?.text === 'listening /cb', 8000, 'reconnection');
        console.log(`      during the outage: 503 in ${Math.min(...outageMs).toFixed(0)}-${Math.max(...outageMs).toFixed(0)} ms; reconnected ${(performance.now() - back).toFixed(0)} ms after Redis was back`);
        // The gateway's retry of the delivery refused during the outage.
        assert.equal((await deliver(url, during)).status, 200);
        assert.equal((await deliver(url, during)).status, 200);
        await out.next(2);
        await delay(100);
        assert.deepEqual(out.messages.map((m: Msg) => m.payload.id), ['before-outage', 'during-outage']);
      } finally {
        if (!restarted) await redis.start();
      }
      const logged = JSON.stringify(statuses) + JSON.stringify(out.messages);
      assert.doesNotMatch(logged, new RegExp(REDIS_PASSWORD));
    });

    it('uses one connection, closes it on redeploy and on stop', async () => {
      // Connections of clients other than redis-cli itself.
      const connections = (): number => cli('CLIENT', 'LIST').split('\n').filter((l) => !/cmd=client\|list/.test(l)).length;
      await load(flow(redisNode()), redisCredentials());
      await waitUntil(() => connections() === 1, 3000, 'one connection');
      for (let i = 0; i < 3; i++) {
        await helper.setFlows(flow(redisNode()), 'full', { gw: { callbackSecret: SECRET }, ...redisCredentials() });
        await waitUntil(() => connections() === 1, 3000, `one connection after redeploy ${i + 1}`);
      }
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver(url, cryptopayInvoiceCallback(SECRET, `conn-${i}`))));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      assert.equal(connections(), 1, '50 callbacks share the one connection');
      await helper.unload();
      await waitUntil(() => connections() === 0, 3000, 'the connection closed on stop');
    });

    it('refuses to start without a usable Redis URL, and never shows the password', async () => {
      const cases: Array<[Record<string, Record<string, string>>, RegExp]> = [
        [{}, /no Redis URL is set/],
        [{ redis: { url: `http://:${REDIS_PASSWORD}@127.0.0.1:6379` } }, /must start with redis:\/\/ or rediss:\/\//],
        [{ redis: { url: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379/abc` } }, /must be a database number/],
      ];
      for (const [credentials, pattern] of cases) {
        await load(flow(redisNode()), credentials);
        const errors = loggedErrors();
        assert.ok(errors.some((e: string) => pattern.test(e)), `${pattern} in ${JSON.stringify(errors)}`);
        assert.doesNotMatch(JSON.stringify(errors), new RegExp(REDIS_PASSWORD));
        assert.equal((await deliver(url, cryptopayInvoiceCallback(SECRET, 'x'))).status, 404, 'no endpoint');
        await loaded!.close();
        loaded = undefined;
        await helper.unload();
      }
      await load(flow({ dedupe: 'redis', version: 3 }));
      assert.ok(loggedErrors().some((e) => /select a paywire-redis configuration/.test(e)), JSON.stringify(loggedErrors()));
    });

    it('a node saved before paywire-redis (its own redisUrl and prefix) still deduplicates after the upgrade, with the same keys', async () => {
      // Config version 2 as it was deployed: no `redis`, the URL a credential of the callback node.
      const old = { dedupe: 'redis', redisPrefix: 'old:', version: 2 };
      const credentials = { cb: { redisUrl: redis.url(4, `:${REDIS_PASSWORD}`) } };
      // A delivery the old version recorded (value: a bare token, 48 h), before the upgrade.
      const seen = cpgDepositWebhook(SECRET, 8801);
      cli('-n', '4', 'SET', `old:/cb ${webhookDeliveryKey(SECRET, '8801')}`, 'e0b6f7f4-0c1e-4d55-9a59-3f1c4e0b2f7a', 'PX', String(48 * 3600_000));
      await load(flow(old, 'cpg'), credentials);
      const out = collect('out');
      assert.equal((await deliver(url, seen)).status, 200);
      const fresh = cpgDepositWebhook(SECRET, 8802);
      const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(url, fresh)));
      assert.ok(answers.every((a) => a.status === 200 || a.status === 503), JSON.stringify(answers.map((a) => a.status)));
      await out.next(1);
      await delay(200);
      assert.equal((await deliver(url, fresh)).status, 200);
      await delay(100);
      assert.deepEqual(out.messages.map((m: Msg) => m.paywire.id), ['18802'], 'the delivery seen before the upgrade stays a duplicate; the new one is emitted once');
      assert.match(cli('-n', '4', 'GET', `old:/cb ${webhookDeliveryKey(SECRET, '8802')}`), /^d:/, 'under the old prefix, in the database of the old URL');
      assert.doesNotMatch(JSON.stringify(loggedErrors()), new RegExp(REDIS_PASSWORD));
    });
  });

  describe('with a Node-RED context store', () => {
    it('emits one message for 30 concurrent deliveries, keeping its claims in global context', async () => {
      await load(flow({ dedupe: 'context', contextStore: 'default' }));
      const out = collect('out');
      const callback: SignedCallback = cryptopayInvoiceCallback(SECRET, 'ctx-1');
      const answers = await Promise.all(Array.from({ length: 30 }, () => deliver(url, callback)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      await out.next(1);
      await delay(100);
      assert.equal(out.messages.length, 1);
      const global = (helper.getNode('cb') as any).context().global;
      const keys = (global.keys() as string[]).filter((k) => k.startsWith('paywire_dedupe_'));
      assert.equal(keys.length, 1);
      assert.ok(global.get(keys[0]).expires > Date.now() + 47 * 3600_000, '48 h expiry');
    });

    it('refuses a context store that settings.js does not configure', async () => {
      await load(flow({ dedupe: 'context', contextStore: 'redisShared' }));
      const errors = loggedErrors();
      assert.ok(errors.some((e: string) => /context store "redisShared" is not configured/.test(e)), JSON.stringify(errors));
    });
  });
});
