import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { fails, login, ok, po } from './po-helpers';
import type { Page } from './po-helpers';

const CLI = path.join(REPO_ROOT, 'dist', 'emulator', 'cli.js');

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function urlFrom(output: () => string, timeoutMs = 8000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = /listening on (http:\/\/\S+)/.exec(output());
    if (m) return m[1]!;
    if (Date.now() > end) throw new Error(`no URL in CLI output: ${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('emulator CLI: payment-orders', function () {
  this.timeout(15_000);

  it('starts with the given account, key, rate-limit window and webhook endpoint, and stops on SIGTERM', async () => {
    const { child, output, exited } = run([
      'payment-orders', '--port', '0', '--username', 'shop', '--password', 'pw-1', '--api-key', 'key-1',
      '--rate-limit', '100', '--rate-window', '10', '--webhook-url', 'http://127.0.0.1:9/hook', '--webhook-secret', 'hook-secret',
    ]);
    try {
      const url = await urlFrom(output);
      assert.match(output(), /Rate limit: +100 requests per 10 s/);
      const token = await login(url, 'shop', 'pw-1');
      const res = await po(url, 'GET', '/api/webhook-endpoints/', undefined, { token });
      const endpoints = ok<Page>(res);
      assert.deepEqual(endpoints.results.map((e) => [e.url, e.events.length]), [['http://127.0.0.1:9/hook', 4]]);
      assert.equal(res.headers['x-ratelimit-limit'], '100');
      ok(await po(url, 'GET', '/api/transactions/', undefined, { token: 'key-1' }));
      fails(await po(url, 'POST', '/api/auth/login', { username: 'merchant', password: 'merchant-pass' }), 401, 'AUTHENTICATION_ERROR');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.match(output(), /SIGTERM: stopping payment-orders emulator/);
  });

  it('refuses bad options with exit code 2 and the usage', async () => {
    for (const args of [['payment-orders', '--rate-window', '0'], ['payment-orders', '--username', 'only'], ['payment-orders', '--bogus'], ['nope']]) {
      const { output, exited } = run(args);
      assert.equal(await exited, 2, args.join(' '));
      assert.match(output(), /Usage: node dist\/emulator\/cli\.js/);
    }
  });
});
