/**
 * Callback intake: requests per second and latency of valid signed Cryptopay callbacks, each
 * one new (a fresh invoice id, so no duplicate shortcut), posted by autocannon over loopback:
 *   ours      paywire-callback (raw body capture, signature, schema, duplicate check, 200)
 *   hand-made http in (raw body) → function (HMAC-SHA256 check, JSON parse) → http response
 * both in the same Node-RED, time-bounded runs, order alternating, medians over rounds.
 *
 *   npm run bench:callback -- [--rounds 5] [--seconds 5] [--connections 32]
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { FlowNode } from '../scripts/node-red-runner';
import { cryptopayInvoiceCallback } from '../test/support/callbacks';
import { startBenchNodeRed } from './support/bench-node-red';
import type { BenchNodeRed } from './support/bench-node-red';
import { CPU, cpuMeter, fmt, loadAverage, pin, table, writeResult } from './support/machine';
import { LatencyRecorder, median, medianRatio, summarize } from './support/stats';
import type { LoadRun, RunSummary } from './support/stats';

const CALLBACK_SECRET = 'bench-callback-secret';

export const CALLBACK_VARIANTS = ['ours', 'handmade'] as const;
export type CallbackVariant = (typeof CALLBACK_VARIANTS)[number];

const PATHS: Record<CallbackVariant, string> = { ours: '/cryptopay/ours', handmade: '/cryptopay/handmade' };

/** The hand-made check: constant-time compare over the raw bytes, as the reference (§7) asks. */
export const HANDMADE_VERIFY = `const received = Buffer.from(String(msg.req.headers['x-cryptopay-signature'] || ''));
const expected = Buffer.from(crypto.createHmac('sha256', env.get('CRYPTOPAY_CALLBACK_SECRET')).update(msg.payload).digest('hex'));
if (received.length !== expected.length || !crypto.timingSafeEqual(received, expected)) {
    msg.statusCode = 401;
    msg.payload = { error: 'bad signature' };
    return [msg, null];
}
let callback;
try {
    callback = JSON.parse(msg.payload.toString('utf8'));
} catch (err) {
    msg.statusCode = 400;
    msg.payload = { error: 'not JSON' };
    return [msg, null];
}
const event = { payload: callback.data, type: callback.type, event: callback.event };
msg.statusCode = 200;
msg.payload = { received: true };
return [msg, event];`;

export function callbackFlows(): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'callback bench' },
    { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'sandbox', baseUrl: '', timeout: 30 },
    { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: PATHS.ours, dedupe: 'memory', wires: [[]] },
    { id: 'in', type: 'http in', z: 'tab', url: PATHS.handmade, method: 'post', upload: false, skipBodyParsing: true, swaggerDoc: '', wires: [['verify']] },
    {
      id: 'verify',
      type: 'function',
      z: 'tab',
      name: 'verify',
      func: HANDMADE_VERIFY,
      outputs: 2,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [{ var: 'crypto', module: 'crypto' }],
      wires: [['answer'], []],
    },
    { id: 'answer', type: 'http response', z: 'tab', statusCode: '', headers: {}, wires: [] },
  ];
}

/** Signed invoice callbacks with a new invoice id each time, cheap enough to make per request. */
export function callbackMaker(secret: string): () => { body: string; signature: string } {
  const marker = 'BENCH-INVOICE-ID';
  const [head, tail] = cryptopayInvoiceCallback(secret, marker).body.split(marker) as [string, string];
  let n = 0;
  const run = `${process.pid}-${Date.now()}`;
  return () => {
    n += 1;
    const body = `${head}bench-${run}-${n}${tail}`;
    return { body, signature: createHmac('sha256', secret).update(body).digest('hex') };
  };
}

export interface CallbackRun extends LoadRun {
  variant: CallbackVariant;
  non2xx: number;
  cpuUsPerOp: number;
  loadAverage: number;
}

export interface CallbackBenchOptions {
  /** Write a V8 CPU profile of Node-RED for every measured run to this folder. */
  profileDir?: string | undefined;
  rounds: number;
  seconds: number;
  connections: number;
}

export interface CallbackBenchResult {
  options: CallbackBenchOptions;
  summary: Record<CallbackVariant, RunSummary & { cpuUsPerOp: number }>;
  /** ours requests/s ÷ hand-made requests/s, median over rounds. */
  oursVsHandmade: number;
  runs: CallbackRun[];
}

/** Both flows must accept a good signature and refuse a bad one, or the comparison means nothing. */
async function checkBothVerify(url: string, make: ReturnType<typeof callbackMaker>): Promise<void> {
  for (const variant of CALLBACK_VARIANTS) {
    const { body, signature } = make();
    const post = (sig: string): Promise<Response> => fetch(`${url}${PATHS[variant]}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-cryptopay-signature': sig } });
    const bad = await post(signature.replace(/^./, (c) => (c === '0' ? '1' : '0')));
    const good = await post(signature);
    if (bad.status !== 401 || good.status !== 200) throw new Error(`${variant}: a bad signature got ${bad.status} and a good one ${good.status}`);
  }
}

async function fire(nodeRed: BenchNodeRed, variant: CallbackVariant, seconds: number, connections: number, make: ReturnType<typeof callbackMaker>, profilePath?: string): Promise<CallbackRun> {
  const latency = new LatencyRecorder();
  const load = loadAverage();
  const cpu = cpuMeter(nodeRed.pid);
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
    url: nodeRed.url,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: PATHS[variant],
        setupRequest: (req) => {
          const { body, signature } = make();
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-cryptopay-signature': signature } };
        },
      },
    ],
  }, (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)));
  });
  instance!.on('response', (_client, _status, _bytes, responseTime: number) => latency.recordNs(responseTime * 1e6));
  const result = await nodeRed.profiled(profilePath, () => done);
  const share = cpu();
  const completed = result['2xx'];
  const errors = result.errors + result.timeouts;
  // Completion accounting: every request sent got an answer or an error, except those still in
  // flight when autocannon's time ran out (at most one per connection; it drops them unanswered).
  const sent = result.requests.sent;
  const unanswered = sent - completed - result.non2xx - result.errors;
  if (unanswered > connections) throw new Error(`${variant}: ${unanswered} of ${sent} callbacks got neither an answer nor an error (${completed} 2xx, ${result.non2xx} non-2xx, ${errors} errors)`);
  return {
    variant,
    concurrency: connections,
    sent,
    completed,
    errors,
    non2xx: result.non2xx,
    seconds: result.duration,
    perSecond: completed / result.duration,
    latency: latency.summary(),
    cpuUsPerOp: ((share * result.duration) / Math.max(1, completed)) * 1e6,
    loadAverage: load,
  };
}

export async function runCallbackBench(options: CallbackBenchOptions, log: (line: string) => void = () => undefined): Promise<CallbackBenchResult> {
  // autocannon generates the load from this process, on the CPU Node-RED does not use.
  pin(process.pid, CPU.peer);
  const nodeRed = await startBenchNodeRed({
    flows: callbackFlows(),
    credentials: { gw: { callbackSecret: CALLBACK_SECRET } },
    env: { CRYPTOPAY_CALLBACK_SECRET: CALLBACK_SECRET },
  });
  const make = callbackMaker(CALLBACK_SECRET);
  if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
  try {
    await checkBothVerify(nodeRed.url, make);
    for (const variant of CALLBACK_VARIANTS) await fire(nodeRed, variant, Math.min(2, options.seconds), options.connections, make);
    const runs: CallbackRun[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? CALLBACK_VARIANTS : [...CALLBACK_VARIANTS].reverse();
      for (const variant of order) {
        const profile = options.profileDir ? path.resolve(options.profileDir, `callback-${variant}-r${round + 1}.cpuprofile`) : undefined;
        const run = await fire(nodeRed, variant, options.seconds, options.connections, make, profile);
        if (run.non2xx > 0 || run.errors > 0) throw new Error(`${variant}: ${run.non2xx} non-2xx answers and ${run.errors} errors\n${nodeRed.nodeRed.output().slice(-1500)}`);
        runs.push(run);
        log(`round ${round + 1} ${variant}: ${fmt.int(run.perSecond)}/s p50 ${fmt.ms(run.latency.p50Ms)} ms p99 ${fmt.ms(run.latency.p99Ms)} ms, ${fmt.int(run.cpuUsPerOp)} µs CPU/callback, load ${run.loadAverage}`);
      }
    }
    const of = (v: CallbackVariant): CallbackRun[] => runs.filter((r) => r.variant === v);
    const summary = Object.fromEntries(CALLBACK_VARIANTS.map((v) => [v, { ...summarize(of(v)), cpuUsPerOp: median(of(v).map((r) => r.cpuUsPerOp)) }])) as CallbackBenchResult['summary'];
    const rate = (v: CallbackVariant): number[] => of(v).map((r) => r.perSecond);
    return { options, summary, oursVsHandmade: medianRatio(rate('ours'), rate('handmade')), runs };
  } finally {
    await nodeRed.stop();
  }
}

export function formatCallbackBench(result: CallbackBenchResult): string {
  const rows = CALLBACK_VARIANTS.map((v) => {
    const s = result.summary[v];
    return [v, fmt.int(s.perSecond), fmt.ms(s.p50Ms), fmt.ms(s.p99Ms), fmt.int(s.cpuUsPerOp), v === 'ours' ? `${fmt.ratio(result.oursVsHandmade)} hand-made` : ''];
  });
  return table(['flow', 'callbacks/s', 'p50 ms', 'p99 ms', 'CPU µs/callback', 'ours vs'], rows);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, profile: { type: 'string' } } });
  const options: CallbackBenchOptions = { profileDir: values.profile, rounds: Number(values.rounds ?? 5), seconds: Number(values.seconds ?? 5), connections: Number(values.connections ?? 32) };
  const result = await runCallbackBench(options, (line) => console.error(line));
  console.log(`Callback intake (${options.connections} connections, median of ${options.rounds} rounds of ${options.seconds} s)\n\n${formatCallbackBench(result)}`);
  console.log(`\nJSON: ${writeResult('callback-intake', result)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
