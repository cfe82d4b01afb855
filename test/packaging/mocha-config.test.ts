/**
 * The suite's own guard rails: a stray `.only` fails the run instead of quietly running a
 * fraction of it, and pending (skipped) tests are counted where CI reads the summary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/paths';

interface MochaConfig {
  forbidOnly?: boolean;
  reporter?: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(path.join(REPO_ROOT, '.mocharc.js')) as MochaConfig;

/** Runs mocha on one spec file with the repository's forbidOnly and reporter settings, in a scratch directory. */
function runMocha(spec: string): { status: number | null; stdout: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-mocha-'));
  const file = path.join(dir, 'sample.test.js');
  fs.writeFileSync(file, spec);
  const args = [path.join(REPO_ROOT, 'node_modules/mocha/bin/mocha.js'), '--no-config', '--reporter', path.join(REPO_ROOT, config.reporter!)];
  if (config.forbidOnly) args.push('--forbid-only');
  args.push(file);
  const result = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, PAYWIRE_TEST_LABEL: 'sample' }, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, dir };
}

describe('the mocha configuration', function () {
  this.timeout(60_000);

  it('forbids .only: a run with one fails', () => {
    assert.equal(config.forbidOnly, true);
    const run = runMocha("describe('s', () => { it.only('a', () => {}); it('b', () => {}); });");
    assert.notEqual(run.status, 0, run.stdout);
    fs.rmSync(run.dir, { recursive: true, force: true });
  });

  it('counts pending tests in the summary: the JSON for .ci/run and the line before the closing one', () => {
    const run = runMocha("describe('s', () => { it('a', () => {}); it.skip('b', () => {}); it('c', () => {}); it('d'); });");
    try {
      assert.equal(run.status, 0, run.stdout);
      const lines = run.stdout.trim().split('\n');
      assert.deepEqual(lines.slice(-2), ['2 pending', '2 passed, 0 failed'], 'the very last line stays "N passed, N failed"');
      const summary = JSON.parse(fs.readFileSync(path.join(run.dir, '.test-results', 'summary-sample.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(summary, { label: 'sample', passed: 2, failed: 0, pending: 2 });
    } finally {
      fs.rmSync(run.dir, { recursive: true, force: true });
    }
  });

  it('.ci/run shows each run with its pending tests and keeps its last line "N passed, N failed"', () => {
    const script = fs.readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8');
    assert.match(script, /echo "\$\(node -p "require\('\.\/\$f'\)\.label"\): \$\{p\} passed, \$\{q\} failed, \$\{k\} pending"/);
    const lastEcho = script.trim().split('\n').filter((l) => /^\s*echo /.test(l)).at(-1);
    assert.equal(lastEcho?.trim(), 'echo "${passed} passed, ${failed} failed"');
  });
});
