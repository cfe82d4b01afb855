/**
 * The gateway a bench talks to, in its own process pinned to its own CPU, so it never shares
 * a CPU budget with what is measured: the full Cryptopay emulator, or the light gateway
 * (bench/light-gateway-server.ts) that spends as little as possible per request.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LightGatewayOptions } from './light-gateway-server';
import { CPU, pin } from './support/machine';

export interface EmulatorProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export type GatewayKind = 'light' | 'emulator';

async function startPeer(script: string, args: string[], port: number): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) pin(child.pid, CPU.peer);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path.basename(script)} did not start:\n${output}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited (${String(code)}):\n${output}`)));
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

export function startEmulatorProcess(port: number, args: string[] = []): Promise<EmulatorProcess> {
  return startPeer(path.resolve(__dirname, '..', 'emulator', 'cli.js'), ['cryptopay', '--port', String(port), ...args], port);
}

export function startLightGateway(options: LightGatewayOptions): Promise<EmulatorProcess> {
  return startPeer(path.resolve(__dirname, 'light-gateway-server.js'), [JSON.stringify(options)], options.port);
}

/** Either gateway, rate limit lifted (the emulator's; the light one has none). */
export function startGateway(kind: GatewayKind, port: number, rows = 0): Promise<EmulatorProcess> {
  return kind === 'light' ? startLightGateway({ port, rows }) : startEmulatorProcess(port, ['--rate-limit', '1000000000']);
}
