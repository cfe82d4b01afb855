/**
 * Where and how a bench ran: the machine, the load other processes put on it, CPU pinning of
 * the processes involved, their CPU time, and the JSON file each bench writes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  node: string;
  nodeRed: string;
  os: string;
}

export function machineInfo(): MachineInfo {
  const nodeRed = (JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version;
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    nodeRed,
    os: `${os.type()} ${os.release()}`,
  };
}

/** 1-minute load average: what else was running (the machine is shared). */
export function loadAverage(): number {
  return Number(os.loadavg()[0]!.toFixed(2));
}

/**
 * CPU split on a 2-core machine: what is measured (Node-RED, or the raw loop in this process)
 * on core 0, the emulator or the load generator on core 1. Set PAYWIRE_BENCH_PIN=0 to let the
 * scheduler place everything.
 */
export const CPU = { subject: 0, peer: 1 } as const;

function pinningWanted(): boolean {
  return process.env.PAYWIRE_BENCH_PIN !== '0' && os.cpus().length >= 2 && process.platform === 'linux';
}

/** Pins every thread of a process to one CPU (taskset); a no-op where that is not possible. */
export function pin(pid: number, cpu: number): boolean {
  if (!pinningWanted()) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function describePinning(): string {
  return pinningWanted() ? `measured process on CPU ${CPU.subject}, emulator / load generator on CPU ${CPU.peer}` : 'not pinned';
}

let clockTicks: number | undefined;

/**
 * User + system CPU seconds a process has used so far (Linux /proc); with `mainThreadOnly`, its
 * main thread's alone (the rest is V8's GC helpers, the libuv pool, the inspector).
 */
export function cpuSeconds(pid: number, mainThreadOnly = false): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = fs.readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Share of one core a process (or its main thread alone) used between start() and the returned stop(). */
export function cpuMeter(pid: number, mainThreadOnly = false): () => number {
  const startCpu = cpuSeconds(pid, mainThreadOnly);
  const startWall = process.hrtime.bigint();
  return () => {
    const wall = Number(process.hrtime.bigint() - startWall) / 1e9;
    return wall > 0 ? (cpuSeconds(pid, mainThreadOnly) - startCpu) / wall : 0;
  };
}

export function writeResult(name: string, data: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ machine: machineInfo(), pinning: describePinning(), ...(data as object) }, null, 2)}\n`);
  return file;
}

/** A Markdown table: the README and the terminal show the same thing. */
export function table(headers: string[], rows: Array<Array<string | number>>, rightAlign = true): string {
  const align = headers.map((_, i) => (i === 0 || !rightAlign ? ' --- ' : ' ---: '));
  return [`| ${headers.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export const fmt = {
  int: (n: number): string => Math.round(n).toLocaleString('en-US'),
  ms: (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(1)),
  ratio: (n: number): string => `${n.toFixed(2)}×`,
};
