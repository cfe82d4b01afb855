/**
 * The Redis connection: URLs (redis/rediss, ACL user, database, errors that never echo a
 * password) and real connections to a private redis-server: password, ACL user, database
 * index, and TLS verified against a CA of our own (generated with openssl for the test).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RedisDedupeStore } from '../../lib/dedupe';
import { RedisRateGate, RedisUrlError, describeEndpoint, ioRedisOptions, openRedis, parseRedisUrl } from '../../lib/redis-connection';
import { QueueDeadlineError } from '../../lib/http/rate-limiter';
import type { RedisConnection } from '../../lib/redis-connection';
import { startRedisServer, useRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { waitUntil } from '../support/node-red';

const PASSWORD = 'rc-pw-4e1a%2Fx';
const ACL_USER = 'paywire-app';
const ACL_PASSWORD = 'rc-acl-77b0';

describe('Redis URLs', () => {
  it('reads redis:// and rediss://, an ACL user, a percent-encoded password and the database', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1'), { tls: false, host: '127.0.0.1', port: 6379, db: 0 });
    assert.deepEqual(parseRedisUrl('rediss://app:p%40ss@redis.example.com:6380/5'), { tls: true, host: 'redis.example.com', port: 6380, db: 5, username: 'app', password: 'p@ss' });
    assert.deepEqual(parseRedisUrl('redis://:secret@[::1]:7000/2'), { tls: false, host: '::1', port: 7000, db: 2, password: 'secret' });
    assert.equal(describeEndpoint(parseRedisUrl('rediss://app:p%40ss@redis.example.com:6380/5')), 'redis.example.com:6380/5 tls');
  });

  it('refuses what it cannot use, without echoing the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /no Redis URL is set/],
      ['http://:hunter2@host', /must start with redis:\/\/ or rediss:\/\//],
      ['redis://:hunter2@host/abc', /must be a database number/],
      ['redis://:hunter2@host/1?x=1', /no query or fragment/],
      ['redis://user@host', /user name but no password/],
      ['redis://:hunter2@', /not a valid URL|no host/],
    ];
    for (const [url, message] of cases) {
      assert.throws(() => parseRedisUrl(url), (err: unknown) => err instanceof RedisUrlError && message.test(err.message) && !err.message.includes('hunter2'), url);
    }
  });

  it('gives ioredis TLS (with the CA when set), the ACL user, the database and bounded waits', () => {
    const options = ioRedisOptions(parseRedisUrl('rediss://app:pw@h:6380/3'), { ca: 'PEM' });
    assert.deepEqual(
      [options.tls, options.username, options.password, options.db, options.commandTimeout, options.maxRetriesPerRequest],
      [{ servername: 'h', ca: 'PEM' }, 'app', 'pw', 3, 5000, 1],
    );
    assert.equal(ioRedisOptions(parseRedisUrl('redis://h')).tls, undefined);
  });
});

describe('Redis connections to a real redis-server', function () {
  this.timeout(20_000);
  const redis = useRedisServer({ password: PASSWORD, aclUsers: [`user ${ACL_USER} on >${ACL_PASSWORD} ~* &* +@all`] });
  let server: RedisServer;
  before(() => {
    server = redis.server;
  });
  const ready = (c: RedisConnection): Promise<void> => waitUntil(() => c.state === 'ready', 5000, 'the connection');

  it('authenticates with the password or an ACL user, and works in the database of the URL', async () => {
    const byPassword = redis.connect(server.url(4, `:${encodeURIComponent(PASSWORD)}`));
    const byUser = redis.connect(server.url(5, `${ACL_USER}:${ACL_PASSWORD}`));
    await Promise.all([ready(byPassword), ready(byUser)]);
    await new RedisDedupeStore(byPassword, 'rc:').claim('k4');
    await new RedisDedupeStore(byUser, 'rc:').claim('k5');
    assert.equal(server.cli('-n', '4', 'EXISTS', 'rc:k4'), '1');
    assert.equal(server.cli('-n', '5', 'EXISTS', 'rc:k5'), '1');
    assert.equal(server.cli('-n', '4', 'EXISTS', 'rc:k5'), '0');
    assert.match(server.cli('CLIENT', 'LIST'), new RegExp(`user=${ACL_USER}`));
  });

  it('reports a wrong password as down, without the password, and never runs a command', async () => {
    const states: Array<[string, string | undefined]> = [];
    const wrong = redis.connect(server.url(0, ':not-the-password'), { onStateChange: (s, e) => states.push([s, e?.message]) });
    await waitUntil(() => states.some(([s]) => s === 'down'), 5000, 'the failure');
    await assert.rejects(new RedisDedupeStore(wrong).claim('x'));
    assert.doesNotMatch(JSON.stringify(states), /not-the-password/);
  });

  it('runs every script again after Redis lost its script cache (EVALSHA falls back to EVAL)', async () => {
    const c = redis.connect(server.url(0, `:${encodeURIComponent(PASSWORD)}`));
    await ready(c);
    const store = new RedisDedupeStore(c, 'flush:');
    const first = await store.claim('a');
    assert.equal(first.state, 'claimed');
    server.cli('SCRIPT', 'FLUSH');
    assert.equal((await store.claim('b')).state, 'claimed');
    assert.equal(await store.markDone('a', (first as { token: string }).token), true);
  });

  it('the shared rate gate refuses at once a retry it cannot admit before the deadline, and admits one that can wait', async () => {
    const c = redis.connect(server.url(0, `:${encodeURIComponent(PASSWORD)}`));
    await ready(c);
    const gate = new RedisRateGate(c, 'gate-test:');
    const request = { account: 'acct', limit: 1, configuredLimit: 1, windowMs: 400 };
    const slot = await gate.enter(request);
    slot.leave({});
    const started = Date.now();
    await assert.rejects(gate.enter({ ...request, maxWaitMs: 50 }), QueueDeadlineError);
    assert.ok(Date.now() - started < 200, `refused after ${Date.now() - started} ms, not after waiting`);
    (await gate.enter({ ...request, maxWaitMs: 2000 })).leave({});
    assert.ok(Date.now() - started >= 250, 'the second waited for the window');
  });
});

describe('Redis over TLS with a CA of our own', function () {
  this.timeout(30_000);
  let dir: string;
  let server: RedisServer | undefined;
  const connections: RedisConnection[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-redis-tls-'));
    const file = (name: string): string => path.join(dir, name);
    const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=Paywire test CA');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
    fs.writeFileSync(file('ext.cnf'), 'subjectAltName=DNS:localhost\n');
    openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('ext.cnf'));
    server = await startRedisServer({ password: PASSWORD, tls: { certFile: file('server.crt'), keyFile: file('server.key'), caFile: file('ca.crt') } });
  });
  after(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()));
    await server?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects with rediss:// and the CA, and refuses a server its CA does not vouch for', async () => {
    const url = `rediss://:${encodeURIComponent(PASSWORD)}@localhost:${server!.port}/1`;
    const trusted = openRedis(url, { ca: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8') });
    connections.push(trusted);
    await waitUntil(() => trusted.state === 'ready', 8000, 'the TLS connection');
    const store = new RedisDedupeStore(trusted, 'tls:');
    const claim = await store.claim('k');
    assert.equal(claim.state, 'claimed');
    assert.equal(server!.cli('-n', '1', 'GET', 'tls:k'), `f:${(claim as { token: string }).token}`);

    const errors: string[] = [];
    const untrusted = openRedis(url, { onStateChange: (_s, e) => e && errors.push(e.message) });
    connections.push(untrusted);
    await waitUntil(() => errors.length > 0, 8000, 'the certificate error');
    assert.match(errors[0]!, /self[- ]signed|unable to (get|verify)|certificate/i);
    assert.notEqual(untrusted.state, 'ready');
    const plain = openRedis(`redis://:${encodeURIComponent(PASSWORD)}@localhost:${server!.port}/1`, { connectTimeoutMs: 1000 });
    connections.push(plain);
    await assert.rejects(new RedisDedupeStore(plain).claim('k2'));
  });
});
