import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { RedisClient, RedisUnavailableError } from '../../lib/redis/client';
import type { RedisClientOptions, RedisClientState } from '../../lib/redis/client';
import { RedisReplyError, RespParser, encodeCommand } from '../../lib/redis/resp';
import type { RespValue } from '../../lib/redis/resp';
import { RedisUrlError, describeEndpoint, parseRedisUrl } from '../../lib/redis/url';
import { useRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { waitUntil } from '../support/node-red';

const FAST: RedisClientOptions = { commandTimeoutMs: 500, connectTimeoutMs: 500, reconnectMinMs: 50, reconnectMaxMs: 400 };

describe('Redis URLs', () => {
  it('reads host, port, db, user and a percent-encoded password', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380/3'), { host: '127.0.0.1', port: 6380, db: 3 });
    assert.deepEqual(parseRedisUrl('redis://cache.internal'), { host: 'cache.internal', port: 6379, db: 0 });
    assert.deepEqual(parseRedisUrl('redis://:p%40ss%3Aword@h:1/'), { host: 'h', port: 1, db: 0, password: 'p@ss:word' });
    assert.deepEqual(parseRedisUrl('redis://alice:pw@[::1]:7000/15'), { host: '::1', port: 7000, db: 15, username: 'alice', password: 'pw' });
  });

  it('refuses what it cannot honour, and never repeats the password', () => {
    const cases = ['', 'http://h:1', 'rediss://:hunter2@h', 'redis://:hunter2@h/x', 'redis://alice@h', 'redis://:hunter2@h/1?tls=1', 'not a url hunter2'];
    for (const text of cases) {
      assert.throws(
        () => parseRedisUrl(text),
        (err: unknown) => err instanceof RedisUrlError && !err.message.includes('hunter2'),
        text,
      );
    }
    assert.equal(describeEndpoint(parseRedisUrl('redis://alice:hunter2@[::1]:7000/2')), '[::1]:7000/2');
  });
});

describe('RESP parser', () => {
  const wire = Buffer.from(
    '+OK\r\n-ERR unknown command\r\n:42\r\n:-7\r\n$5\r\na\r\nbc\r\n$-1\r\n$0\r\n\r\n*3\r\n$1\r\nx\r\n*2\r\n:1\r\n$-1\r\n+y\r\n*-1\r\n*0\r\n$3\r\n€\r\n',
    'utf8',
  );
  // Errors compared by class, code and message (deepEqual would compare stacks).
  const plain = (values: RespValue[]): unknown[] => values.map((v) => (v instanceof RedisReplyError ? { error: v.code, message: v.message } : v));
  const expected = ['OK', { error: 'ERR', message: 'ERR unknown command' }, 42, -7, 'a\r\nbc', null, '', ['x', [1, null], 'y'], null, [], '€'];

  it('decodes every reply type, split at every byte', () => {
    assert.deepEqual(plain(new RespParser().feed(wire)), expected);
    for (let cut = 1; cut < wire.length; cut++) {
      const parser = new RespParser();
      const got = [...parser.feed(wire.subarray(0, cut)), ...parser.feed(wire.subarray(cut))];
      assert.deepEqual(plain(got), expected, `split at ${cut}`);
    }
    const parser = new RespParser();
    const oneByOne = [...wire].flatMap((byte) => parser.feed(Buffer.from([byte])));
    assert.deepEqual(plain(oneByOne), expected);
  });

  it('encodes commands as arrays of bulk strings, counting bytes not characters', () => {
    assert.equal(encodeCommand(['SET', 'k€', 'a b']).toString('utf8'), '*3\r\n$3\r\nSET\r\n$4\r\nk€\r\n$3\r\na b\r\n');
  });

  it('refuses garbage', () => {
    assert.throws(() => new RespParser().feed(Buffer.from('?what\r\n')), /unknown reply type/);
    assert.throws(() => new RespParser().feed(Buffer.from(':4x\r\n')), /expected an integer/);
  });
});

describe('Redis client against a real redis-server', function () {
  this.timeout(15_000);
  const redisServer = useRedisServer({}, FAST);
  let server: RedisServer;
  before(() => {
    server = redisServer.server;
  });
  const open = (url: string, options?: RedisClientOptions): RedisClient => redisServer.client(url, options);
  const cli = (args: string[]): string => server.cli(...args);

  it('SET NX PX claims once, with the expiry asked for', async () => {
    const redis = open(server.url());
    assert.equal(await redis.command(['PING']), 'PONG');
    assert.equal(await redis.command(['SET', 'claim:1', 'a', 'NX', 'PX', '60000']), 'OK');
    assert.equal(await redis.command(['SET', 'claim:1', 'b', 'NX', 'PX', '60000']), null);
    assert.equal(await redis.command(['GET', 'claim:1']), 'a');
    const ttl = Number(cli(['PTTL', 'claim:1']));
    assert.ok(ttl > 55_000 && ttl <= 60_000, `PTTL ${ttl}`);
    assert.equal(await redis.command(['SET', 'claim:short', 'a', 'NX', 'PX', '50']), 'OK');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(await redis.command(['SET', 'claim:short', 'b', 'NX', 'PX', '50']), 'OK', 'expired claims can be made again');
  });

  it('round-trips values with CRLF and non-ASCII text, arrays and nulls', async () => {
    const redis = open(server.url());
    const value = 'line1\r\nline2 € ✓';
    await redis.command(['SET', 'text', value]);
    assert.equal(await redis.command(['GET', 'text']), value);
    assert.equal(cli(['STRLEN', 'text']), String(Buffer.byteLength(value)));
    assert.deepEqual(await redis.command(['MGET', 'text', 'missing']), [value, null]);
  });

  it('rejects an error reply and keeps the connection usable', async () => {
    const redis = open(server.url());
    await assert.rejects(redis.command(['NOSUCHCOMMAND']), (err: unknown) => err instanceof RedisReplyError && err.code === 'ERR');
    assert.equal(await redis.command(['PING']), 'PONG');
  });

  it('pipelines 1000 concurrent commands over one connection, replies in order', async () => {
    const redis = open(server.url());
    const id = await redis.command(['CLIENT', 'ID']);
    const replies = await Promise.all(Array.from({ length: 1000 }, () => redis.command(['INCR', 'counter'])));
    assert.deepEqual(replies, Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.equal(await redis.command(['CLIENT', 'ID']), id, 'the same connection throughout');
  });

  it('selects the database named in the URL', async () => {
    const redis = open(server.url(5));
    await redis.command(['SET', 'in-db-5', 'yes']);
    assert.equal(cli(['-n', '5', 'GET', 'in-db-5']), 'yes');
    assert.equal(cli(['-n', '0', 'EXISTS', 'in-db-5']), '0');
  });

  it('reconnects with doubling backoff while the server is down, and fails fast meanwhile', async () => {
    const states: Array<[RedisClientState, number]> = [];
    const redis = open(server.url(), { ...FAST, onStateChange: (state) => states.push([state, Date.now()]) });
    assert.equal(await redis.command(['PING']), 'PONG');
    const firstId = await redis.command(['CLIENT', 'ID']);

    // The server drops us: back within one short backoff, on a new connection.
    cli(['CLIENT', 'KILL', 'ID', String(firstId)]);
    await waitUntil(() => states.some(([s]) => s === 'down'), 2000, 'the drop to be noticed');
    await waitUntil(() => redis.state === 'ready', 2000, 'reconnection');
    assert.notEqual(await redis.command(['CLIENT', 'ID']), firstId);

    await server.stop();
    await waitUntil(() => redis.state === 'down', 2000, 'the outage to be noticed');
    const started = Date.now();
    await assert.rejects(redis.command(['PING']), (err: unknown) => err instanceof RedisUnavailableError && !err.maybeExecuted && /unreachable/.test(err.message));
    // Well under the 500 ms command and connect timeouts, with room for a busy CI machine.
    assert.ok(Date.now() - started < 250, 'fails at once instead of waiting for a timeout');
    const outage = states.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const attempts = states.slice(outage).filter(([s]) => s === 'connecting').map(([, at]) => at);
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    // 50, 100, 200, 400, 400 … ms (+ the time each refused connect takes).
    assert.ok(attempts.length >= 3 && attempts.length <= 8, `attempts ${attempts.length}`);
    // Growing, then capped; the slack absorbs a late timer on a busy machine.
    assert.ok(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]! - 100), `gaps ${gaps.join(',')}`);
    assert.ok(gaps.every((gap) => gap <= 400 + 200), `gaps capped: ${gaps.join(',')}`);
    console.log(`      reconnection attempts while down, ms apart: ${gaps.join(', ')}`);

    await server.start();
    await waitUntil(() => redis.state === 'ready', 2000, 'recovery after the server is back');
    assert.equal(await redis.command(['PING']), 'PONG');
  });

  it('closes: pending commands fail, the connection goes, no more reconnects', async () => {
    const states: RedisClientState[] = [];
    const redis = open(server.url(), { ...FAST, onStateChange: (s) => states.push(s) });
    const id = await redis.command(['CLIENT', 'ID']);
    const pending = redis.command(['BLPOP', 'never', '0']).then(
      () => undefined,
      (err: unknown) => err,
    );
    await redis.close();
    const failure = await pending;
    assert.ok(failure instanceof RedisUnavailableError && failure.maybeExecuted, String(failure));
    await assert.rejects(redis.command(['PING']), /closed/);
    await waitUntil(() => !cli(['CLIENT', 'LIST']).includes(`id=${String(id)} `), 2000, 'the server to see the connection gone');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(states, ['ready', 'closed']);
  });
});

describe('Redis client authentication', function () {
  this.timeout(15_000);
  const redisServer = useRedisServer({ password: 'default-pw-4471', aclUsers: ['user alice on >alice-pw-9313 ~paywire:* +@all'] }, FAST);
  let server: RedisServer;
  before(() => {
    server = redisServer.server;
  });
  const open = (url: string, options?: RedisClientOptions): RedisClient => redisServer.client(url, options);

  it('sends AUTH with the password alone, or with the user name, before anything else', async () => {
    assert.equal(await open(server.url(0, ':default-pw-4471')).command(['SET', 'any', '1']), 'OK');
    const alice = open(server.url(2, 'alice:alice-pw-9313'));
    assert.equal(await alice.command(['ACL', 'WHOAMI']).catch((e: Error) => e.message), 'alice');
    assert.equal(await alice.command(['SET', 'paywire:x', '1']), 'OK');
    // ACL keeps alice to paywire:* keys: proves the commands really ran as alice.
    await assert.rejects(alice.command(['SET', 'other', '1']), /NOPERM/);
  });

  it('reports a wrong password without the password, and without AUTH no command runs', async () => {
    const states: Array<[RedisClientState, Error | undefined]> = [];
    const wrong = open(server.url(0, ':guess-8080'), { ...FAST, onStateChange: (s, e) => states.push([s, e]) });
    await waitUntil(() => wrong.state === 'down', 2000, 'the refusal');
    assert.match(wrong.lastError!.message, /authentication failed: WRONGPASS/);
    assert.doesNotMatch(JSON.stringify(states.map(([s, e]) => [s, e?.message])), /guess-8080/);
    await assert.rejects(wrong.command(['PING']), (err: unknown) => err instanceof Error && !err.message.includes('guess-8080'));

    const none = open(server.url(3));
    await assert.rejects(none.command(['SET', 'x', '1']), /NOAUTH/);
  });
});

describe('Redis client timeouts', () => {
  it('a server that never answers times the command out, as maybe executed, and is dropped', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const redis = new RedisClient(parseRedisUrl(`redis://127.0.0.1:${port}`), { ...FAST, commandTimeoutMs: 200 });
    try {
      const started = Date.now();
      await assert.rejects(redis.command(['SET', 'k', 'v', 'NX', 'PX', '1000']), (err: unknown) => err instanceof RedisUnavailableError && err.maybeExecuted && /did not answer SET within 200 ms/.test(err.message));
      const took = Date.now() - started;
      assert.ok(took >= 190 && took < 1000, `took ${took} ms`); // the message above names the 200 ms timeout
      await waitUntil(() => sockets.length >= 2, 2000, 'a fresh connection after the silent one');
      assert.ok(sockets[0]!.destroyed || sockets[0]!.readableEnded);
    } finally {
      await redis.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
