/**
 * A private redis-server for tests: loopback only, a free port, no persistence unless asked
 * (append-only file), its own temporary directory; optionally TLS only. It must be installed (Debian package `redis-server`; `.ci/run`
 * installs it): a missing server fails the tests that need it instead of skipping them.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/node-red-runner';
import { openRedis } from '../../lib/redis-connection';
import type { RedisConnection, RedisConnectionOptions } from '../../lib/redis-connection';

export interface RedisServerOptions {
  /** requirepass: the password of the default user. */
  password?: string;
  /** ACL lines, e.g. `user alice on >secret ~* &* +@all`. */
  aclUsers?: string[];
  /** appendonly yes (fsync every write): what a restart after a kill keeps. */
  appendOnly?: boolean;
  /** Serve TLS only, with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export interface RedisServer {
  readonly port: number;
  /** redis-cli against this server (a second opinion beside our client), trimmed output. */
  cli(...args: string[]): string;
  /** redis:// URL for this server; `auth` is put in as given (`:pw` or `user:pw`). */
  url(db?: number, auth?: string): string;
  /** Stops the process but keeps the port and settings for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
  /** Sends a signal to the process: SIGSTOP / SIGCONT to pause it, SIGKILL to kill it. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited (after SIGKILL). */
  exited(): Promise<void>;
  output(): string;
}

export function redisServerBinary(): string {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('redis-server is not installed: `apt-get install -y redis-server` (.ci/run does this); the Redis tests need a real server');
  }
  return 'redis-server';
}

function waitForReady(child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`redis-server not ready within ${timeoutMs} ms:\n${log()}`)), timeoutMs);
    const onData = (): void => {
      if (/Ready to accept connections/.test(log())) done();
    };
    const onExit = (code: number | null): void => done(new Error(`redis-server exited (${code}):\n${log()}`));
    const done = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-redis-'));
  let child: ChildProcess | undefined;
  let log = '';
  let port = 0;

  const launch = async (): Promise<void> => {
    const lines = [
      ...(options.tls
        ? ['port 0', `tls-port ${port}`, `tls-cert-file ${options.tls.certFile}`, `tls-key-file ${options.tls.keyFile}`, `tls-ca-cert-file ${options.tls.caFile}`, 'tls-auth-clients no']
        : [`port ${port}`]),
      'bind 127.0.0.1',
      'save ""',
      ...(options.appendOnly ? ['appendonly yes', 'appendfsync always'] : ['appendonly no']),
      `dir ${dir}`,
      'daemonize no',
      'logfile ""',
      ...(options.password ? [`requirepass ${options.password}`] : []),
      ...(options.aclUsers ?? []),
    ];
    fs.writeFileSync(path.join(dir, 'redis.conf'), `${lines.join('\n')}\n`);
    log = '';
    const proc = spawn(binary, [path.join(dir, 'redis.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    child = proc;
    await waitForReady(proc, () => log, 10_000);
  };

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGCONT');
      proc.kill('SIGTERM');
    });

  // freePort() releases the port before redis binds it; another process could take it.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      await stop();
      if (attempt >= 3) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  return {
    get port() {
      return port;
    },
    cli: (...args) =>
      execFileSync('redis-cli', ['-p', String(port), ...(options.tls ? ['--tls', '--cacert', options.tls.caFile] : []), ...(options.password ? ['-a', options.password, '--no-auth-warning'] : []), ...args], { encoding: 'utf8' }).trim(),
    url: (db = 0, auth) => `redis://${auth ? `${auth}@` : ''}127.0.0.1:${port}/${db}`,
    stop,
    start: launch,
    signal: (sig) => {
      child?.kill(sig);
    },
    exited: () =>
      new Promise<void>((resolve) => {
        const proc = child;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
      }),
    dispose: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    output: () => log,
  };
}

/**
 * Mocha hooks for a describe block: one private server for the block, and connections that
 * are all closed after it.
 */
export function useRedisServer(options: RedisServerOptions = {}): {
  readonly server: RedisServer;
  connect(url: string, options?: RedisConnectionOptions): RedisConnection;
} {
  let server: RedisServer | undefined;
  const connections: RedisConnection[] = [];
  before(async () => {
    server = await startRedisServer(options);
  });
  after(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()));
    await server?.dispose();
  });
  return {
    get server() {
      if (!server) throw new Error('the Redis server is not started yet');
      return server;
    },
    connect(url, connectionOptions = {}) {
      const connection = openRedis(url, connectionOptions);
      connections.push(connection);
      return connection;
    },
  };
}
