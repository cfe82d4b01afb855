/**
 * Invoice creation: throughput, p50/p99 latency and CPU per invoice at several concurrencies,
 * side by side against one gateway in its own process on its own CPU (the light gateway by
 * default, which answers a recorded invoice for a few µs; `--gateway emulator` for the full one):
 *   ours      driver → paywire-invoice → driver, in a real Node-RED
 *   hand-made driver → function (signs) → core http request (keep-alive, JSON) → function
 *             (checks the status, unwraps data) → driver, in the same Node-RED
 *   raw       a bare undici loop in this process signing the same requests
 *   library   the Cryptopay client's invoices.create in a loop in this process (no Node-RED)
 *   noop      driver → a node that does nothing → driver: Node-RED's own per-message floor
 *   base      with --base <folder>: paywire-invoice from an earlier build (package.json + dist/) in a
 *             second Node-RED, to measure a change side by side
 * Each round runs them back to back, order alternating; medians over rounds. CPU µs per
 * invoice are counted for the measured process and, separately, for the gateway.
 *
 *   npm run bench:invoice -- [--concurrency 1,16,64] [--rounds 5] [--seconds 3] [--gateway light|emulator]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../scripts/node-red-runner';
import type { FlowNode } from '../scripts/node-red-runner';
import { CryptopayClient } from '../lib/providers/cryptopay/client';
import { startGateway } from './emulator-process';
import type { EmulatorProcess, GatewayKind } from './emulator-process';
import { startBenchNodeRed } from './support/bench-node-red';
import type { BenchNodeRed } from './support/bench-node-red';
import { LostCompletionError, closedLoop } from './support/closed-loop';
import { CPU, cpuMeter, fmt, loadAverage, pin, table, writeResult } from './support/machine';
import { INVOICE_REQUEST, RawCryptopay } from './support/raw-cryptopay';
import { median, medianRatio, summarize } from './support/stats';
import type { LoadRun, RunSummary } from './support/stats';

const API_KEY = 'emu-key';
const API_SECRET = 'emu-secret';

export const VARIANTS = ['ours', 'handmade', 'raw', 'library', 'noop', 'base'] as const;
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
    // Client-side rate limit off: the gateway's own is lifted too, and the client is what is measured.
    { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'custom', baseUrl: emulatorUrl, timeout: 30, rateLimit: 0 },
    { id: 'drv-ours', type: 'paywire-bench-driver', z: 'tab', payload, wires: [['inv']] },
    { id: 'inv', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', params: {}, wires: [['drv-ours']] },
    { id: 'catch-ours', type: 'catch', z: 'tab', scope: ['inv'], uncaught: false, wires: [['drv-ours']] },
    { id: 'drv-hand', type: 'paywire-bench-driver', z: 'tab', payload, wires: [['sign']] },
    functionNode('sign', HANDMADE_SIGN, [['request']], [{ var: 'crypto', module: 'crypto' }]),
    { id: 'request', type: 'http request', z: 'tab', method: 'POST', ret: 'obj', paytoqs: 'ignore', url: '', tls: '', persist: true, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [], wires: [['check']] },
    functionNode('check', HANDMADE_CHECK, [['drv-hand']]),
    { id: 'catch-hand', type: 'catch', z: 'tab', scope: ['sign', 'request', 'check'], uncaught: false, wires: [['drv-hand']] },
    { id: 'drv-noop', type: 'paywire-bench-driver', z: 'tab', payload, wires: [['noop']] },
    { id: 'noop', type: 'paywire-bench-noop', z: 'tab', wires: [['drv-noop']] },
  ];
}

/** Which driver node runs each Node-RED variant. */
const DRIVERS: Partial<Record<Variant, string>> = { ours: 'drv-ours', handmade: 'drv-hand', noop: 'drv-noop', base: 'drv-ours' };

export interface MeasuredRun extends LoadRun {
  variant: Variant;
  /** CPU of the measuring side (Node-RED, or this process for raw and library) per invoice, µs. */
  cpuUsPerOp: number;
  /** The part of it on the main thread (the rest: GC helper threads, libuv pool), µs. */
  mainThreadUsPerOp: number;
  /** The gateway's CPU per invoice, µs (0 for the no-op floor, which sends nothing). */
  gatewayCpuUsPerOp: number;
  /** Share of one core the gateway used: near 1.0 would make it the bottleneck. */
  gatewayCpu: number;
  loadAverage: number;
}

export interface InvoiceBenchOptions {
  concurrencies: number[];
  /** Default all. */
  variants?: Variant[];
  /** Default light. */
  gateway?: GatewayKind;
  /** Package folder (package.json + dist/) of an earlier build: adds the `base` variant. */
  baseRoot?: string;
  /** Write a V8 CPU profile of every measured Node-RED run to this folder. */
  profileDir?: string;
  rounds: number;
  seconds: number;
  warmUpSeconds?: number;
}

export type VariantSummary = RunSummary & { cpuUsPerOp: number; gatewayCpuUsPerOp: number; gatewayCpu: number };

/** Per-round ratios (each round's runs back to back), median over rounds. */
export interface InvoiceRatios {
  /** ours throughput ÷ hand-made throughput. */
  oursVsHandmade: number;
  /** ours time per invoice ÷ raw time per invoice (raw throughput ÷ ours). */
  oursTimeVsRaw: number;
  /** ours CPU per invoice ÷ raw CPU per invoice. */
  oursCpuVsRaw: number;
  libraryTimeVsRaw: number;
  libraryCpuVsRaw: number;
  /** With a base build: ours time and CPU ÷ the base build's. */
  oursTimeVsBase: number;
  oursCpuVsBase: number;
}

export interface ConcurrencyResult extends Partial<InvoiceRatios> {
  concurrency: number;
  summary: Partial<Record<Variant, VariantSummary>>;
  runs: MeasuredRun[];
}

export interface InvoiceBenchResult {
  options: InvoiceBenchOptions;
  gateway: GatewayKind;
  /** The gateway's CPU per invoice and what that allows on a full core, from the raw runs at the highest concurrency. */
  gatewayCeiling: { perSecondAtFullCore: number; gatewayCpuUsPerRequest: number };
  results: ConcurrencyResult[];
}

interface Rig {
  gateway: EmulatorProcess;
  kind: GatewayKind;
  nodeRed: BenchNodeRed;
  baseNodeRed?: BenchNodeRed;
  raw: Map<number, RawCryptopay>;
  library?: CryptopayClient;
}

/** What the light gateway holds, added to a lost-completion failure ("which request"). */
async function gatewayState(rig: Rig): Promise<string> {
  if (rig.kind !== 'light') return '';
  try {
    return `\ngateway: ${await (await fetch(`${rig.gateway.url}/_light/state`)).text()}`;
  } catch {
    return '';
  }
}

async function runOnce(rig: Rig, variant: Variant, concurrency: number, seconds: number, profilePath?: string): Promise<MeasuredRun> {
  if (rig.kind === 'emulator') await fetch(`${rig.gateway.url}/_emulator/reset`, { method: 'POST' });
  const gatewayCpu = cpuMeter(rig.gateway.child.pid!);
  const load = loadAverage();
  const body = JSON.stringify(INVOICE_REQUEST);
  let run: LoadRun;
  let subjectCpu: () => number;
  let mainThreadCpu: () => number;
  try {
    if (variant === 'raw') {
      let raw = rig.raw.get(concurrency);
      if (!raw) rig.raw.set(concurrency, (raw = new RawCryptopay({ url: rig.gateway.url, apiKey: API_KEY, apiSecret: API_SECRET, connections: concurrency })));
      const client = raw;
      subjectCpu = cpuMeter(process.pid);
      mainThreadCpu = cpuMeter(process.pid, true);
      run = await closedLoop({ concurrency, durationMs: seconds * 1000, describe: () => ({ variant, request: 'POST /api/invoices' }) }, (finish) => {
        client.request('POST', '/api/invoices', body).then(
          () => finish(true),
          () => finish(false),
        );
      });
    } else if (variant === 'library') {
      rig.library ??= new CryptopayClient({ apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: rig.gateway.url, timeoutMs: 30_000, reliability: { rateLimit: 0 } });
      const client = rig.library;
      subjectCpu = cpuMeter(process.pid);
      mainThreadCpu = cpuMeter(process.pid, true);
      run = await closedLoop({ concurrency, durationMs: seconds * 1000, describe: () => ({ variant, request: 'POST /api/invoices' }) }, (finish) => {
        client.invoices.create({ ...INVOICE_REQUEST }).then(
          () => finish(true),
          () => finish(false),
        );
      });
    } else {
      const nodeRed = variant === 'base' ? rig.baseNodeRed! : rig.nodeRed;
      subjectCpu = cpuMeter(nodeRed.pid);
      mainThreadCpu = cpuMeter(nodeRed.pid, true);
      run = await nodeRed.profiled(profilePath, () => nodeRed.drive(DRIVERS[variant]!, concurrency, seconds * 1000));
    }
  } catch (err) {
    if (err instanceof Error && (err instanceof LostCompletionError || /neither completed nor failed/.test(err.message))) err.message += await gatewayState(rig);
    throw err;
  }
  if (run.errors > 0) throw new Error(`${variant}: ${run.errors} of ${run.sent} invoices failed`);
  const share = subjectCpu();
  const mainShare = mainThreadCpu();
  const gatewayShare = gatewayCpu();
  const perOp = (s: number): number => ((s * run.seconds) / run.completed) * 1e6;
  return {
    ...run,
    variant,
    cpuUsPerOp: perOp(share),
    mainThreadUsPerOp: perOp(mainShare),
    gatewayCpuUsPerOp: variant === 'noop' ? 0 : perOp(gatewayShare),
    gatewayCpu: gatewayShare,
    loadAverage: load,
  };
}

function ratiosOf(runs: MeasuredRun[]): Partial<InvoiceRatios> {
  const of = (v: Variant): MeasuredRun[] => runs.filter((r) => r.variant === v);
  const tput = (v: Variant): number[] => of(v).map((r) => r.perSecond);
  const cpu = (v: Variant): number[] => of(v).map((r) => r.cpuUsPerOp);
  const has = (...vs: Variant[]): boolean => vs.every((v) => of(v).length > 0);
  const ratios: Partial<InvoiceRatios> = {};
  if (has('ours', 'handmade')) ratios.oursVsHandmade = medianRatio(tput('ours'), tput('handmade'));
  if (has('ours', 'raw')) {
    ratios.oursTimeVsRaw = medianRatio(tput('raw'), tput('ours'));
    ratios.oursCpuVsRaw = medianRatio(cpu('ours'), cpu('raw'));
  }
  if (has('library', 'raw')) {
    ratios.libraryTimeVsRaw = medianRatio(tput('raw'), tput('library'));
    ratios.libraryCpuVsRaw = medianRatio(cpu('library'), cpu('raw'));
  }
  if (has('ours', 'base')) {
    ratios.oursTimeVsBase = medianRatio(tput('base'), tput('ours'));
    ratios.oursCpuVsBase = medianRatio(cpu('ours'), cpu('base'));
  }
  return ratios;
}

export async function runInvoiceBench(options: InvoiceBenchOptions, log: (line: string) => void = () => undefined): Promise<InvoiceBenchResult> {
  // The raw and library loops run in this process: it sits on the measured CPU, like Node-RED does.
  pin(process.pid, CPU.subject);
  const kind = options.gateway ?? 'light';
  const gateway = await startGateway(kind, await freePort());
  let nodeRed: BenchNodeRed | undefined;
  const rig: Partial<Rig> = { gateway, kind, raw: new Map() };
  try {
    nodeRed = await startBenchNodeRed({
      flows: invoiceFlows(gateway.url),
      credentials: { gw: { apiKey: API_KEY, apiSecret: API_SECRET } },
      env: { CRYPTOPAY_URL: gateway.url, CRYPTOPAY_API_KEY: API_KEY, CRYPTOPAY_API_SECRET: API_SECRET },
    });
    rig.nodeRed = nodeRed;
    if (options.baseRoot) {
      rig.baseNodeRed = await startBenchNodeRed({
        flows: invoiceFlows(gateway.url),
        credentials: { gw: { apiKey: API_KEY, apiSecret: API_SECRET } },
        packageRoot: path.resolve(options.baseRoot),
      });
    }
    const ready = rig as Rig;
    const warmUp = options.warmUpSeconds ?? Math.min(2, options.seconds);
    const variants = (options.variants ?? VARIANTS).filter((v) => v !== 'base' || options.baseRoot);
    if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
    const results: ConcurrencyResult[] = [];
    for (const concurrency of options.concurrencies) {
      // Warm-up: JIT, connection pools and sockets for this concurrency; not reported.
      for (const variant of variants) await runOnce(ready, variant, concurrency, warmUp);
      const runs: MeasuredRun[] = [];
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? variants : [...variants].reverse();
        for (const variant of order) {
          const profile = options.profileDir && DRIVERS[variant] ? path.resolve(options.profileDir, `invoice-${variant}-c${concurrency}-r${round + 1}.cpuprofile`) : undefined;
          const run = await runOnce(ready, variant, concurrency, options.seconds, profile);
          runs.push(run);
          log(
            `c=${concurrency} round ${round + 1} ${variant}: ${fmt.int(run.perSecond)}/s p50 ${fmt.ms(run.latency.p50Ms)} ms p99 ${fmt.ms(run.latency.p99Ms)} ms, ` +
              `${fmt.int(run.cpuUsPerOp)} µs CPU/op (main thread ${fmt.int(run.mainThreadUsPerOp)}), gateway ${fmt.int(run.gatewayCpuUsPerOp)} µs/op (${run.gatewayCpu.toFixed(2)} core), ${run.sent} sent = ${run.completed} completed + ${run.errors} errors, load ${run.loadAverage}`,
          );
        }
      }
      const of = (v: Variant): MeasuredRun[] => runs.filter((r) => r.variant === v);
      const summary: ConcurrencyResult['summary'] = {};
      for (const v of variants) {
        summary[v] = { ...summarize(of(v)), cpuUsPerOp: median(of(v).map((r) => r.cpuUsPerOp)), gatewayCpuUsPerOp: median(of(v).map((r) => r.gatewayCpuUsPerOp)), gatewayCpu: median(of(v).map((r) => r.gatewayCpu)) };
      }
      results.push({ concurrency, summary, ...ratiosOf(runs), runs });
    }
    // The gateway's own ceiling: requests it can answer per second of one full core, from the
    // runs at the highest concurrency, to compare with what each run asked of it.
    const busiest = results[results.length - 1]!.runs.filter((r) => r.variant !== 'noop');
    const gatewayCpuUsPerRequest = median(busiest.map((r) => r.gatewayCpuUsPerOp));
    return { options, gateway: kind, gatewayCeiling: { perSecondAtFullCore: 1e6 / gatewayCpuUsPerRequest, gatewayCpuUsPerRequest }, results };
  } finally {
    for (const raw of rig.raw?.values() ?? []) await raw.close();
    await rig.library?.close();
    await rig.baseNodeRed?.stop();
    await nodeRed?.stop();
    await gateway.stop();
  }
}

const LABELS: Record<Variant, string> = {
  ours: 'paywire-invoice',
  handmade: 'hand-made flow',
  raw: 'raw undici loop',
  library: 'library alone (client.invoices.create)',
  noop: 'floor: no-op node',
  base: 'paywire-invoice, base build',
};

export function formatInvoiceBench(result: InvoiceBenchResult): string {
  const rows: Array<Array<string | number>> = [];
  for (const r of result.results) {
    for (const v of VARIANTS) {
      const s = r.summary[v];
      if (!s) continue;
      let vs = '';
      if (v === 'ours') vs = [r.oursTimeVsRaw && `${fmt.ratio(r.oursTimeVsRaw)} raw time, ${fmt.ratio(r.oursCpuVsRaw!)} raw CPU`, r.oursVsHandmade && `${fmt.ratio(r.oursVsHandmade)} hand-made`].filter(Boolean).join('; ');
      if (v === 'library' && r.libraryTimeVsRaw) vs = `${fmt.ratio(r.libraryTimeVsRaw)} raw time, ${fmt.ratio(r.libraryCpuVsRaw!)} raw CPU`;
      if (v === 'base' && r.oursTimeVsBase) vs = `ours: ${fmt.ratio(r.oursTimeVsBase)} time, ${fmt.ratio(r.oursCpuVsBase!)} CPU of this`;
      rows.push([r.concurrency, LABELS[v], fmt.int(s.perSecond), fmt.ms(s.p50Ms), fmt.ms(s.p99Ms), fmt.int(s.cpuUsPerOp), v === 'noop' ? '' : `${fmt.int(s.gatewayCpuUsPerOp)} (${s.gatewayCpu.toFixed(2)})`, vs]);
    }
  }
  const c = result.gatewayCeiling;
  return [
    table(['concurrency', 'flow', 'invoices/s', 'p50 ms', 'p99 ms', 'CPU µs/invoice', 'gateway µs/invoice (core share)', 'vs'], rows),
    '',
    `Gateway (${result.gateway}): ${fmt.int(c.gatewayCpuUsPerRequest)} µs of CPU per invoice, i.e. about ${fmt.int(c.perSecondAtFullCore)} invoices/s on a full core.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { concurrency: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' }, variants: { type: 'string' }, profile: { type: 'string' }, gateway: { type: 'string' }, base: { type: 'string' } },
  });
  const options: InvoiceBenchOptions = {
    variants: values.variants ? (values.variants.split(',') as Variant[]) : undefined,
    profileDir: values.profile,
    gateway: values.gateway === 'emulator' ? 'emulator' : 'light',
    baseRoot: values.base,
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
