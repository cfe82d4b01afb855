/**
 * Invoice creation: throughput and p50/p99 latency at several concurrencies, three ways side by
 * side against one emulator (its own process and CPU):
 *   ours      driver → paywire-invoice → driver, in a real Node-RED
 *   hand-made driver → function (signs) → core http request (keep-alive, JSON) → function
 *             (checks the status, unwraps data) → driver, in the same Node-RED
 *   raw       a bare undici loop in this process signing the same requests
 * Each round runs the three back to back, order alternating; medians over rounds.
 *
 *   npm run bench:invoice -- [--concurrency 1,16,64] [--rounds 5] [--seconds 3]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../scripts/node-red-runner';
import type { FlowNode } from '../scripts/node-red-runner';
import { startEmulatorProcess } from './emulator-process';
import type { EmulatorProcess } from './emulator-process';
import { startBenchNodeRed } from './support/bench-node-red';
import type { BenchNodeRed } from './support/bench-node-red';
import { closedLoop } from './support/closed-loop';
import { CPU, cpuMeter, fmt, loadAverage, pin, table, writeResult } from './support/machine';
import { INVOICE_REQUEST, RawCryptopay } from './support/raw-cryptopay';
import { median, medianRatio, summarize } from './support/stats';
import type { LoadRun, RunSummary } from './support/stats';

const API_KEY = 'emu-key';
const API_SECRET = 'emu-secret';

export const VARIANTS = ['ours', 'handmade', 'raw'] as const;
export type Variant = (typeof VARIANTS)[number];

/**
 * What a competent user builds by hand: signature per reference §3.1 in a function node (the
 * secret from the environment, not the flow), the core http request node with keep-alive and
 * JSON parsing, and a function node that turns a non-201 into an error for Catch nodes.
 */
export const HANDMADE_SIGN = `// Cryptopay request signature: HMAC-SHA1 over method, body MD5, content type, Date, path.
const path = '/api/invoices';
const body = JSON.stringify(msg.payload);
const date = new Date().toUTCString();
const md5 = crypto.createHash('md5').update(body).digest('hex');
const stringToSign = ['POST', md5, 'application/json', date, path].join('\\n');
const signature = crypto.createHmac('sha1', env.get('CRYPTOPAY_API_SECRET')).update(stringToSign).digest('base64');
msg.url = env.get('CRYPTOPAY_URL') + path;
msg.headers = {
    'Content-Type': 'application/json',
    'Date': date,
    'Authorization': 'HMAC ' + env.get('CRYPTOPAY_API_KEY') + ':' + signature
};
msg.payload = body;
return msg;`;

export const HANDMADE_CHECK = `if (msg.statusCode !== 201) {
    node.error('Cryptopay answered ' + msg.statusCode + ': ' + JSON.stringify(msg.payload), msg);
    return null;
}
msg.payload = msg.payload.data;
return msg;`;

function functionNode(id: string, func: string, wires: string[][], libs: Array<{ var: string; module: string }> = []): FlowNode {
  return { id, type: 'function', z: 'tab', name: id, func, outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs, wires };
}

export function invoiceFlows(emulatorUrl: string): FlowNode[] {
  const payload = JSON.stringify(INVOICE_REQUEST);
  return [
    { id: 'tab', type: 'tab', label: 'invoice bench' },
    { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'custom', baseUrl: emulatorUrl, timeout: 30, rateLimit: 0 },
    { id: 'drv-ours', type: 'paywire-bench-driver', z: 'tab', payload, wires: [['inv']] },
    { id: 'inv', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', params: {}, wires: [['drv-ours']] },
    { id: 'catch-ours', type: 'catch', z: 'tab', scope: ['inv'], uncaught: false, wires: [['drv-ours']] },
    { id: 'drv-hand', type: 'paywire-bench-driver', z: 'tab', payload, wires: [['sign']] },
    functionNode('sign', HANDMADE_SIGN, [['request']], [{ var: 'crypto', module: 'crypto' }]),
    { id: 'request', type: 'http request', z: 'tab', method: 'POST', ret: 'obj', paytoqs: 'ignore', url: '', tls: '', persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [['check']] },
    functionNode('check', HANDMADE_CHECK, [['drv-hand']]),
    { id: 'catch-hand', type: 'catch', z: 'tab', scope: ['sign', 'request', 'check'], uncaught: false, wires: [['drv-hand']] },
  ];
}

export interface MeasuredRun extends LoadRun {
  variant: Variant;
  /** CPU of the measuring side (Node-RED, or this process for raw) per operation, µs. */
  cpuUsPerOp: number;
  /** Share of one core the emulator used: near 1.0 would make it the bottleneck. */
  emulatorCpu: number;
  loadAverage: number;
}

export interface InvoiceBenchOptions {
  concurrencies: number[];
  /** Default all three. */
  variants?: Variant[];
  /** Write a V8 CPU profile of every measured Node-RED run to this folder. */
  profileDir?: string;
  rounds: number;
  seconds: number;
  warmUpSeconds?: number;
}

export interface ConcurrencyResult {
  concurrency: number;
  summary: Record<Variant, RunSummary & { cpuUsPerOp: number; emulatorCpu: number }>;
  /** ours throughput / hand-made throughput, median over rounds. */
  oursVsHandmade: number;
  /** ours time / raw time (raw throughput / ours throughput), median over rounds. */
  oursTimeVsRaw: number;
  runs: MeasuredRun[];
}

export interface InvoiceBenchResult {
  options: InvoiceBenchOptions;
  emulatorCeiling: { perSecondAtFullCore: number; emulatorCpuUsPerRequest: number };
  results: ConcurrencyResult[];
}

interface Rig {
  emulator: EmulatorProcess;
  nodeRed: BenchNodeRed;
  raw: Map<number, RawCryptopay>;
}

async function runOnce(rig: Rig, variant: Variant, concurrency: number, seconds: number, profilePath?: string): Promise<MeasuredRun> {
  await fetch(`${rig.emulator.url}/_emulator/reset`, { method: 'POST' });
  const emulatorCpu = cpuMeter(rig.emulator.child.pid!);
  const load = loadAverage();
  let run: LoadRun;
  let subjectCpu: () => number;
  if (variant === 'raw') {
    let raw = rig.raw.get(concurrency);
    if (!raw) rig.raw.set(concurrency, (raw = new RawCryptopay({ url: rig.emulator.url, apiKey: API_KEY, apiSecret: API_SECRET, connections: concurrency })));
    const client = raw;
    const body = JSON.stringify(INVOICE_REQUEST);
    subjectCpu = cpuMeter(process.pid);
    run = await closedLoop({ concurrency, durationMs: seconds * 1000 }, (finish) => {
      client.request('POST', '/api/invoices', body).then(
        () => finish(true),
        () => finish(false),
      );
    });
    if (run.errors > 0) throw new Error(`raw loop: ${run.errors} requests failed`);
  } else {
    subjectCpu = cpuMeter(rig.nodeRed.pid);
    const nodeRed = rig.nodeRed;
    run = await nodeRed.profiled(profilePath, () => nodeRed.drive(variant === 'ours' ? 'drv-ours' : 'drv-hand', concurrency, seconds * 1000));
  }
  const share = subjectCpu();
  return { ...run, variant, cpuUsPerOp: ((share * run.seconds) / run.completed) * 1e6, emulatorCpu: emulatorCpu(), loadAverage: load };
}

export async function runInvoiceBench(options: InvoiceBenchOptions, log: (line: string) => void = () => undefined): Promise<InvoiceBenchResult> {
  // The raw loop runs in this process: it sits on the measured CPU, like Node-RED does.
  pin(process.pid, CPU.subject);
  const emulator = await startEmulatorProcess(await freePort(), ['--rate-limit', '1000000000']);
  let nodeRed: BenchNodeRed | undefined;
  const rig: Partial<Rig> = { emulator, raw: new Map() };
  try {
    nodeRed = await startBenchNodeRed({
      flows: invoiceFlows(emulator.url),
      credentials: { gw: { apiKey: API_KEY, apiSecret: API_SECRET } },
      env: { CRYPTOPAY_URL: emulator.url, CRYPTOPAY_API_KEY: API_KEY, CRYPTOPAY_API_SECRET: API_SECRET },
    });
    rig.nodeRed = nodeRed;
    const ready = rig as Rig;
    const warmUp = options.warmUpSeconds ?? Math.min(2, options.seconds);
    const variants = options.variants ?? VARIANTS;
    if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
    const results: ConcurrencyResult[] = [];
    for (const concurrency of options.concurrencies) {
      // Warm-up: JIT, connection pools and sockets for this concurrency; not reported.
      for (const variant of variants) await runOnce(ready, variant, concurrency, warmUp);
      const runs: MeasuredRun[] = [];
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? variants : [...variants].reverse();
        for (const variant of order) {
          const profile = options.profileDir && variant !== 'raw' ? path.resolve(options.profileDir, `invoice-${variant}-c${concurrency}-r${round + 1}.cpuprofile`) : undefined;
          const run = await runOnce(ready, variant, concurrency, options.seconds, profile);
          runs.push(run);
          log(`c=${concurrency} round ${round + 1} ${variant}: ${fmt.int(run.perSecond)}/s p50 ${fmt.ms(run.latency.p50Ms)} ms p99 ${fmt.ms(run.latency.p99Ms)} ms, ${fmt.int(run.cpuUsPerOp)} µs CPU/op, emulator CPU ${run.emulatorCpu.toFixed(2)}, load ${run.loadAverage}`);
        }
      }
      const of = (v: Variant): MeasuredRun[] => runs.filter((r) => r.variant === v);
      const summary = Object.fromEntries(
        VARIANTS.map((v) => [v, { ...summarize(of(v)), cpuUsPerOp: median(of(v).map((r) => r.cpuUsPerOp)), emulatorCpu: median(of(v).map((r) => r.emulatorCpu)) }]),
      ) as ConcurrencyResult['summary'];
      const tput = (v: Variant): number[] => of(v).map((r) => r.perSecond);
      results.push({ concurrency, summary, oursVsHandmade: medianRatio(tput('ours'), tput('handmade')), oursTimeVsRaw: medianRatio(tput('raw'), tput('ours')), runs });
    }
    // The emulator's own ceiling: requests it can answer per second of one full core, from the
    // busiest runs (raw at the highest concurrency), to compare with what each run asked of it.
    const busiest = results[results.length - 1]!.runs.filter((r) => r.variant === 'raw');
    const emulatorCpuUsPerRequest = median(busiest.map((r) => (r.emulatorCpu / r.perSecond) * 1e6));
    return { options, emulatorCeiling: { perSecondAtFullCore: 1e6 / emulatorCpuUsPerRequest, emulatorCpuUsPerRequest }, results };
  } finally {
    for (const raw of rig.raw?.values() ?? []) await raw.close();
    await nodeRed?.stop();
    await emulator.stop();
  }
}

export function formatInvoiceBench(result: InvoiceBenchResult): string {
  const rows: Array<Array<string | number>> = [];
  for (const r of result.results) {
    for (const v of VARIANTS) {
      const s = r.summary[v];
      const ratio = v === 'ours' ? `${fmt.ratio(r.oursVsHandmade)} hand-made; ${fmt.ratio(r.oursTimeVsRaw)} raw time` : '';
      rows.push([r.concurrency, v, fmt.int(s.perSecond), fmt.ms(s.p50Ms), fmt.ms(s.p99Ms), fmt.int(s.cpuUsPerOp), s.emulatorCpu.toFixed(2), ratio]);
    }
  }
  const c = result.emulatorCeiling;
  return [
    table(['concurrency', 'flow', 'invoices/s', 'p50 ms', 'p99 ms', 'CPU µs/invoice', 'emulator CPU', 'ours vs'], rows),
    '',
    `Emulator ceiling: ${fmt.int(c.emulatorCpuUsPerRequest)} µs of CPU per invoice, i.e. about ${fmt.int(c.perSecondAtFullCore)} invoices/s on a full core.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { concurrency: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' }, variants: { type: 'string' }, profile: { type: 'string' } },
  });
  const options: InvoiceBenchOptions = {
    variants: values.variants ? (values.variants.split(',') as Variant[]) : undefined,
    profileDir: values.profile,
    concurrencies: (values.concurrency ?? '1,16,64').split(',').map(Number).filter((n) => n > 0),
    rounds: Number(values.rounds ?? 5),
    seconds: Number(values.seconds ?? 3),
  };
  const result = await runInvoiceBench(options, (line) => console.error(line));
  console.log(`Invoice creation (median of ${options.rounds} rounds of ${options.seconds} s)\n\n${formatInvoiceBench(result)}`);
  const file = writeResult('invoice-create', result);
  console.log(`\nJSON: ${file}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
