/** Runs `npm start`'s script (dist/scripts/demo.js) as its own process, as a user runs it. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/node-red-runner';
import { REPO_ROOT } from './paths';

const DEMO = path.join(REPO_ROOT, 'dist', 'scripts', 'demo.js');

export interface Demo {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function runDemo(env: Record<string, string>, args: string[] = []): Demo {
  const child = spawn(process.execPath, [DEMO, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for "Paywire demo is running", or fails with what the demo said instead. */
export async function running(demo: Demo): Promise<void> {
  let code: number | null | undefined;
  void demo.exited.then((c) => (code = c));
  await until(() => demo.stdout().includes('Paywire demo is running') || code !== undefined, 60_000, () => `demo did not start:\n${demo.stdout()}\n${demo.stderr()}`);
  assert.equal(code, undefined, `the demo exited (${String(code)}):\n${demo.stdout()}\n${demo.stderr()}`);
}

export async function stopDemo(demo: Demo): Promise<void> {
  if (demo.child.exitCode !== null) return;
  demo.child.kill('SIGINT');
  assert.equal(await demo.exited, 0, demo.stderr());
}

/** Four free ports and a fresh demo directory, as the environment of one demo run. */
export async function demoEnv(dir: string, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PAYWIRE_DEMO_DIR: dir,
    PAYWIRE_DEMO_PORT: String(await freePort()),
    PAYWIRE_EMULATOR_PORT: String(await freePort()),
    PAYWIRE_CPG_EMULATOR_PORT: String(await freePort()),
    PAYWIRE_PO_EMULATOR_PORT: String(await freePort()),
    ...overrides,
  };
}

