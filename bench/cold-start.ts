/**
 * Cold start: how long Node-RED spends loading this package. Each round starts a fresh Node-RED
 * twice, with and without the package (order alternating), with bench/support/load-probe
 * preloaded. Reported, as medians over rounds:
 *  - our load: require() of our node files (lib/, zod and undici included) plus their register
 *    calls, timed inside the runtime;
 *  - Node-RED's own span from loading its first node file to listening, with and without us;
 *    the difference also covers what Node-RED reads for us (editor HTML, locales, icons).
 *
 *   npm run bench:cold-start -- [--rounds 7]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchNodeRed } from './support/bench-node-red';
import { ROOT, fmt, loadAverage, table, writeResult } from './support/machine';
import { median } from './support/stats';

export interface StartSample {
  withPackage: boolean;
  /** Node-RED's first node file → listening, ms. */
  loadingToListeningMs: number;
  /** Our files: require + register, ms (0 without the package). */
  oursMs: number;
  files: Array<{ file: string; requireMs: number; registerMs: number }>;
  /** Packages our files pulled in, first require, ms (part of the files' require time). */
  dependencies: Record<string, number>;
  /** What loads on first use (lib/providers, lib/operations: zod and the schemas), ms; only with a flow. */
  deferredMs: number;
  loadAverage: number;
}

interface ProbeReport {
  nodeLoadingStartMs: number | null;
  listeningMs: number | null;
  ourFiles: StartSample['files'];
  dependencies: Record<string, number>;
  deferred: Record<string, number>;
}

/** One gateway and one invoice node: starting them is our nodes' first use. */
const FIRST_USE_FLOW = [
  { id: 'cold-tab', type: 'tab', label: 'cold start' },
  { id: 'cold-gw', type: 'paywire-gateway', name: 'cold', provider: 'cryptopay', environment: 'custom', baseUrl: 'http://127.0.0.1:9', timeout: '30', version: 2 },
  { id: 'cold-inv', type: 'paywire-invoice', z: 'cold-tab', gateway: 'cold-gw', operation: 'create', version: 2, wires: [] },
];

function readProbe(file: string): ProbeReport {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeReport;
}

async function waitForFirstUse(file: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (Object.keys(readProbe(file).deferred).length > 0) return;
    } catch {
      // caught the probe between truncating and rewriting its file: read again
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function sample(withPackage: boolean, firstUse = false): Promise<StartSample> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-probe-')), 'probe.json');
  const load = loadAverage();
  const nodeRed = await startBenchNodeRed({
    flows: firstUse ? FIRST_USE_FLOW : [],
    withoutPackage: !withPackage,
    nodeArgs: ['--require', path.join(ROOT, 'dist', 'bench', 'support', 'load-probe.js')],
    env: { PAYWIRE_LOAD_PROBE_OUT: out, PAYWIRE_LOAD_PROBE_ROOT: fs.realpathSync(ROOT) },
  });
  // Node-RED answers a deploy before it starts the flow: wait until the nodes have started.
  if (firstUse) await waitForFirstUse(out);
  await nodeRed.stop();
  const report = readProbe(out);
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  if (report.nodeLoadingStartMs === null || report.listeningMs === null) throw new Error('the load probe saw no node loading or no listen');
  if (withPackage && report.ourFiles.length === 0) throw new Error('the load probe saw none of our node files');
  const deferredMs = Object.values(report.deferred).reduce((sum, ms) => sum + ms, 0);
  if (firstUse && deferredMs === 0) throw new Error('the load probe saw no first-use load when a flow with our nodes started');
  if (!firstUse && deferredMs > 0) throw new Error(`Node-RED start loaded ${Object.keys(report.deferred).join(', ')} without any of our nodes in a flow`);
  const oursMs = report.ourFiles.reduce((sum, f) => sum + f.requireMs + f.registerMs, 0);
  return { withPackage, loadingToListeningMs: report.listeningMs - report.nodeLoadingStartMs, oursMs, files: report.ourFiles, dependencies: report.dependencies, deferredMs, loadAverage: load };
}

export interface ColdStartResult {
  rounds: number;
  oursMs: number;
  withMs: number;
  withoutMs: number;
  /** Median over rounds of (with − without). */
  deltaMs: number;
  /** Median first-use load (zod, the providers' schemas) when a flow with our nodes starts. */
  firstUseMs: number;
  perFile: Array<{ file: string; requireMs: number; registerMs: number }>;
  /** Packages over 1 ms, median first-require time. */
  dependencies: Record<string, number>;
  samples: StartSample[];
}

export async function runColdStart(rounds: number, log: (line: string) => void = () => undefined, warmUp = true): Promise<ColdStartResult> {
  if (warmUp) {
    // One start of each, not reported: the first start after a build reads files from disk.
    await sample(true);
    await sample(false);
  }
  const samples: StartSample[] = [];
  const firstUse: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const withPackage of order) {
      const s = await sample(withPackage);
      samples.push(s);
      log(`round ${round + 1} ${withPackage ? 'with' : 'without'}: node loading → listening ${fmt.ms(s.loadingToListeningMs)} ms${withPackage ? `, ours ${fmt.ms(s.oursMs)} ms` : ''}, load ${s.loadAverage}`);
    }
    // Kept apart from the two above: a flow changes Node-RED's own start-up span.
    const used = await sample(true, true);
    firstUse.push(used.deferredMs);
    log(`round ${round + 1} with a flow: first use ${fmt.ms(used.deferredMs)} ms`);
  }
  const withRuns = samples.filter((s) => s.withPackage);
  const withoutRuns = samples.filter((s) => !s.withPackage);
  const files = withRuns[0]!.files.map((f) => f.file);
  return {
    rounds,
    oursMs: median(withRuns.map((s) => s.oursMs)),
    withMs: median(withRuns.map((s) => s.loadingToListeningMs)),
    withoutMs: median(withoutRuns.map((s) => s.loadingToListeningMs)),
    deltaMs: median(withRuns.map((s, i) => s.loadingToListeningMs - withoutRuns[i]!.loadingToListeningMs)),
    firstUseMs: median(firstUse),
    perFile: files.map((file) => {
      const of = withRuns.map((s) => s.files.find((f) => f.file === file)!);
      return { file, requireMs: median(of.map((f) => f.requireMs)), registerMs: median(of.map((f) => f.registerMs)) };
    }),
    dependencies: Object.fromEntries(
      Object.keys(withRuns[0]!.dependencies)
        .map((name) => [name, median(withRuns.map((s) => s.dependencies[name] ?? 0))] as const)
        .filter(([, ms]) => ms >= 1),
    ),
    samples,
  };
}

export function formatColdStart(r: ColdStartResult): string {
  const summary = table(
    ['measure', 'ms (median)'],
    [
      ['our node files: require + register, inside Node-RED', fmt.ms(r.oursMs)],
      ['Node-RED node loading → listening, with the package', fmt.ms(r.withMs)],
      ['Node-RED node loading → listening, without it', fmt.ms(r.withoutMs)],
      ['difference (with − without, per round)', fmt.ms(r.deltaMs)],
      ['first use, when a flow with our nodes starts (zod, provider schemas)', fmt.ms(r.firstUseMs)],
    ],
  );
  const files = table(
    ['file (in load order)', 'require ms', 'register ms'],
    r.perFile.map((f) => [f.file, fmt.ms(f.requireMs), fmt.ms(f.registerMs)]),
  );
  const deps = Object.entries(r.dependencies).map(([name, ms]) => `${name} ${fmt.ms(ms)} ms`);
  return `${summary}\n\n${files}\n\nOf which first loads of: ${deps.join(', ') || 'none over 1 ms'}.`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 7);
  const result = await runColdStart(rounds, (line) => console.error(line));
  console.log(`Cold start (median of ${rounds} rounds)\n\n${formatColdStart(result)}`);
  console.log(`\nJSON: ${writeResult('cold-start', result)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
