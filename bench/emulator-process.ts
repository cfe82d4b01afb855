/**
 * Runs the Cryptopay emulator in its own process, pinned to its own CPU, so it never shares a
 * CPU budget with what is measured.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { CPU, pin } from './support/machine';

export interface EmulatorProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(port: number, args: string[] = []): Promise<EmulatorProcess> {
  const cli = path.resolve(__dirname, '..', 'emulator', 'cli.js');
  const child = spawn(process.execPath, [cli, 'cryptopay', '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) pin(child.pid, CPU.peer);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`emulator exited (${String(code)}):\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
