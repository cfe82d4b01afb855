import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ContextDedupeStore, RedisDedupeStore } from '../../lib/dedupe';
import type { KeyValueStore } from '../../lib/dedupe';
import { RedisUnavailableError } from '../../lib/redis/client';
import type { RedisClient, RedisClientOptions } from '../../lib/redis/client';
import { useRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { waitUntil } from '../support/node-red';

/** Node-RED's own file context store (the `localfilesystem` module), as a runtime loads it. */
interface ContextPlugin {
  open(): Promise<void>;
  close(): Promise<void>;
  get(scope: string, key: string, cb: (err: Error | null, value?: unknown) => void): void;
  set(scope: string, key: string, value: unknown, cb: (err: Error | null) => void): void;
  keys(scope: string, cb: (err: Error | null, keys?: string[]) => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const localfilesystem = require('@node-red/runtime/lib/nodes/context/localfilesystem') as (config: Record<string, unknown>) => ContextPlugin;

function globalScope(plugin: ContextPlugin): KeyValueStore {
  const call = <T>(fn: (cb: (err: Error | null, value?: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
  return {
    get: (key) => call((cb) => plugin.get('global', key, cb)),
    set: (key, value) => call((cb) => plugin.set('global', key, value, cb)),
    keys: () => call<string[]>((cb) => plugin.keys('global', cb)),
  };
}

async function claimsWon(claims: Array<Promise<unknown>>): Promise<number> {
  return (await Promise.all(claims)).filter((c) => c !== undefined).length;
}

describe('ContextDedupeStore over Node-RED context stores', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-context-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serializes claims: 50 concurrent claims of one key on a disk-backed store, one wins', async () => {
    // cache: false makes every get and set real, asynchronous file I/O.
    const plugin = localfilesystem({ dir, cache: false });
    await plugin.open();
    const kv = globalScope(plugin);
    const store = new ContextDedupeStore(kv);
    assert.equal(await claimsWon(Array.from({ length: 50 }, () => store.claim('cpg:delivery:1', 60_000))), 1);

    // The same store without serialization lets several "first" claims through: the
    // guarantee above is the store's doing, not the backend's.
    const naive = async (key: string): Promise<boolean> => {
      if ((await kv.get(key)) !== undefined) return false;
      await kv.set(key, { expires: Date.now() + 60_000, token: 'x' });
      return true;
    };
    const naiveWins = (await Promise.all(Array.from({ length: 50 }, () => naive('naive_key')))).filter(Boolean).length;
    assert.ok(naiveWins > 1, `naive get-then-set let ${naiveWins} through`);
    await plugin.close();
  });

  it('keeps claims across a restart of a cached file store (the flush on close)', async () => {
    const first = localfilesystem({ dir, flushInterval: 30 });
    await first.open();
    const before = new ContextDedupeStore(globalScope(first));
    assert.ok(await before.claim('/cb cryptopay:abc', 60_000));
    await first.close();

    const second = localfilesystem({ dir, flushInterval: 30 });
    await second.open();
    const after = new ContextDedupeStore(globalScope(second));
    assert.equal(await after.claim('/cb cryptopay:abc', 60_000), undefined, 'a delivery seen before the restart is still a duplicate');
    assert.ok(await after.claim('/cb cryptopay:other', 60_000));
    await second.close();
  });

  it('expires, releases only its own claim, and prunes only its expired entries', async () => {
    let now = 1_000_000;
    const plugin = localfilesystem({ dir, cache: false });
    await plugin.open();
    const kv = globalScope(plugin);
    await kv.set('user_value', 42);
    const store = new ContextDedupeStore(kv, { now: () => now, pruneEveryMs: 1000 });

    const a1 = await store.claim('a', 100);
    assert.ok(a1);
    assert.equal(await store.claim('a', 100), undefined);
    now += 101;
    const a2 = await store.claim('a', 100);
    assert.ok(a2, 'claimable again after the TTL');
    await a1.release();
    assert.equal(await store.claim('a', 100), undefined, "an expired holder's release does not free the newer claim");
    await a2.release();
    assert.ok(await store.claim('a', 100));

    for (let i = 0; i < 5; i++) await store.claim(`old${i}`, 10);
    now += 500;
    await store.claim('fresh', 10_000);
    assert.equal(await store.prune(), 6, 'five old entries and the expired "a"');
    const keys = await kv.keys();
    assert.deepEqual(keys.filter((k) => !k.startsWith('paywire_dedupe_')), ['user_value']);
    assert.equal(keys.length, 2);
    // Keys are hashed: nothing of the callback identity shows up in the store.
    assert.ok(keys.every((k) => k === 'user_value' || /^paywire_dedupe_[0-9a-f]{64}$/.test(k)));

    // Automatic pruning runs during claims, at most once per pruneEveryMs.
    await store.claim('short', 10);
    now += 1001;
    await store.claim('trigger', 10_000);
    await store.claim('after-prune', 10_000);
    assert.equal((await kv.keys()).length, 4, 'user_value, fresh, trigger, after-prune; "short" pruned');
    await plugin.close();
  });

  it('rejects a claim when the store fails, and keeps serving later claims', async () => {
    let failing = true;
    const backing = new Map<string, unknown>();
    const kv: KeyValueStore = {
      get: (key) => (failing ? Promise.reject(new Error('disk full')) : Promise.resolve(backing.get(key))),
      set: (key, value) => {
        if (value === undefined) backing.delete(key);
        else backing.set(key, value);
        return Promise.resolve();
      },
      keys: () => Promise.resolve([...backing.keys()]),
    };
    const store = new ContextDedupeStore(kv, { onPruneError: () => undefined });
    await assert.rejects(store.claim('k', 1000), /disk full/);
    failing = false;
    assert.ok(await store.claim('k', 1000));
  });
});

/** A TCP proxy in front of Redis that can forward requests but swallow the replies. */
async function startProxy(target: number): Promise<{ port: number; swallowReplies: boolean; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = {
    port: 0,
    swallowReplies: false,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      // The command has run in Redis; the client never hears back and the link drops.
      if (state.swallowReplies) client.destroy();
      else client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

describe('RedisDedupeStore against a real redis-server', function () {
  this.timeout(15_000);
  const redisServer = useRedisServer({}, { commandTimeoutMs: 500, reconnectMinMs: 20, reconnectMaxMs: 200 });
  let server: RedisServer;
  before(() => {
    server = redisServer.server;
  });
  const client = (url: string, options?: RedisClientOptions): RedisClient => redisServer.client(url, options);
  const cli = (...args: string[]): string => server.cli(...args);

  it('claims with SET NX PX under the prefix, a random token as value, and the TTL asked for', async () => {
    const store = new RedisDedupeStore(client(server.url()), 'test1:');
    const claim = await store.claim('/cb cpg:delivery:9', 90_000);
    assert.ok(claim);
    assert.equal(await store.claim('/cb cpg:delivery:9', 90_000), undefined);
    assert.match(cli('GET', 'test1:/cb cpg:delivery:9'), /^[0-9a-f-]{36}$/);
    const ttl = Number(cli('PTTL', 'test1:/cb cpg:delivery:9'));
    assert.ok(ttl > 85_000 && ttl <= 90_000, `PTTL ${ttl}`);
    await claim.release();
    assert.equal(cli('EXISTS', 'test1:/cb cpg:delivery:9'), '0');
  });

  it('lets exactly one of 400 concurrent claims win across two connections', async () => {
    const a = new RedisDedupeStore(client(server.url()), 'test2:');
    const b = new RedisDedupeStore(client(server.url()), 'test2:');
    for (let key = 0; key < 20; key++) {
      const claims = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim(`k${key}`, 60_000));
      assert.equal(await claimsWon(claims), 1, `key ${key}`);
    }
  });

  it('never frees a claim that is not its own', async () => {
    const a = new RedisDedupeStore(client(server.url()), 'test3:');
    const b = new RedisDedupeStore(client(server.url()), 'test3:');
    const stale = await a.claim('k', 30);
    assert.ok(stale);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = await b.claim('k', 60_000);
    assert.ok(fresh);
    await stale.release();
    assert.equal(await a.claim('k', 60_000), undefined, "b's claim survives a's late release");
  });

  it('a claim whose reply was lost is released: on reconnect, or at the latest before the retry is looked at', async () => {
    const proxy = await startProxy(server.port);
    try {
      let onReady = false;
      const redis = client(`redis://127.0.0.1:${proxy.port}/0`, {
        // What the callback node does; switched off for the second round.
        onStateChange: (s) => {
          if (s === 'ready' && onReady) store.retryReleases();
        },
      });
      const store = new RedisDedupeStore(redis, 'test4:');
      await waitUntil(() => redis.state === 'ready', 2000, 'connection through the proxy');

      for (const round of ['released on reconnect', 'released before the next SET'] as const) {
        onReady = round === 'released on reconnect';
        const key = `k-${round}`;
        proxy.swallowReplies = true;
        await assert.rejects(store.claim(key, 60_000), (err: unknown) => err instanceof RedisUnavailableError && err.maybeExecuted);
        assert.match(cli('GET', `test4:${key}`), /^[0-9a-f-]{36}$/, 'the SET did run in Redis');
        assert.equal(store.pendingReleases, 1);
        proxy.swallowReplies = false;
        await waitUntil(() => redis.state === 'ready', 2000, 'reconnection');
        if (onReady) {
          await waitUntil(() => cli('EXISTS', `test4:${key}`) === '0', 2000, 'the release on reconnect');
          assert.equal(store.pendingReleases, 0);
        } else {
          assert.equal(cli('EXISTS', `test4:${key}`), '1');
        }
        // The gateway's retry of the same delivery is a first claim, not a duplicate.
        assert.ok(await store.claim(key, 60_000), round);
        assert.equal(store.pendingReleases, 0);
      }
    } finally {
      await proxy.close();
    }
  });

  it('fails fast and remembers nothing when Redis is down before the claim is sent', async () => {
    const redis = client(server.url());
    const store = new RedisDedupeStore(redis, 'test5:');
    await waitUntil(() => redis.state === 'ready', 2000, 'connection');
    await server.stop();
    try {
      await waitUntil(() => redis.state === 'down', 2000, 'the outage');
      await assert.rejects(store.claim('k', 60_000), (err: unknown) => err instanceof RedisUnavailableError && !err.maybeExecuted);
      assert.equal(store.pendingReleases, 0);
    } finally {
      await server.start();
    }
    await waitUntil(() => redis.state === 'ready', 3000, 'recovery');
    assert.ok(await store.claim('k', 60_000));
  });
});
