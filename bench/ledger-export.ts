/**
 * Ledger export: N ledger rows (50 a page) streamed through paywire-transactions, one message
 * per row, into a core switch node that queues its input, in a real Node-RED; side by side
 * with a raw undici loop paging through the same ledger (signing each request, parsing each
 * page, touching each row). Wall time of both, and the peak RSS growth of the Node-RED process
 * read from /proc. A last run with the heap capped at HEAP_CAP_MB shows nothing is kept per
 * row (a leak would end in an out-of-memory exit).
 *
 *   npm run bench:ledger -- [--rows 100000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { freePort, memoryOf, resetPeak } from '../scripts/node-red-runner';
import type { FlowNode } from '../scripts/node-red-runner';
import { startGateway } from './emulator-process';
import type { EmulatorProcess, GatewayKind } from './emulator-process';
import { startBenchNodeRed } from './support/bench-node-red';
import type { BenchNodeRed } from './support/bench-node-red';
import { CPU, cpuSeconds, fmt, loadAverage, pin, table, writeResult } from './support/machine';
import { RawCryptopay } from './support/raw-cryptopay';
import { median, medianRatio } from './support/stats';

const API_KEY = 'emu-key';
const API_SECRET = 'emu-secret';

export interface ExportRun {
  rows: number;
  seconds: number;
  /** Peak RSS during the export minus RSS before it, MB. */
  peakGrowthMb: number;
  /** CPU of Node-RED per row, µs. */
  cpuUsPerRow: number;
  /** CPU of the gateway per row, µs. */
  gatewayCpuUsPerRow: number;
}

/** One timed export outside Node-RED (raw loop) or the floor: seconds and CPU per row. */
export interface PlainRun {
  seconds: number;
  cpuUsPerRow: number;
}

/** CPU seconds of a process over `work`, in µs per row. */
async function timedCpu<T>(pids: number[], rows: number, work: () => Promise<T>): Promise<{ value: T; cpuUsPerRow: number[] }> {
  const before = pids.map((pid) => cpuSeconds(pid));
  const value = await work();
  return { value, cpuUsPerRow: pids.map((pid, i) => ((cpuSeconds(pid) - before[i]!) / rows) * 1e6) };
}

function flow(emulatorUrl: string): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    // Client-side rate limit off as well: the emulator's limit is lifted, and the export is what is measured.
    { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'custom', baseUrl: emulatorUrl, timeout: 30, rateLimit: 0 },
    { id: 'drv', type: 'paywire-bench-driver', z: 'tab', payload: '{}', wires: [['tx']] },
    { id: 'tx', type: 'paywire-transactions', z: 'tab', gateway: 'gw', operation: 'list', params: {}, listMode: 'item', maxRows: 10000, wires: [['last']] },
    // Only the last row (it carries parts.count) goes back: the export is done.
    { id: 'last', type: 'switch', z: 'tab', property: 'parts.count', propertyType: 'msg', rules: [{ t: 'nnull' }], checkall: 'true', repair: false, outputs: 1, wires: [['drv']] },
    { id: 'failed', type: 'catch', z: 'tab', scope: ['tx'], uncaught: false, wires: [['drv']] },
    // The floor: the same rows from memory through the same emitList into the same switch.
    { id: 'floor-drv', type: 'paywire-bench-driver', z: 'tab', payload: '{}', wires: [['floor-rows']] },
    { id: 'floor-rows', type: 'paywire-bench-rows', z: 'tab', wires: [['floor-last']] },
    { id: 'floor-last', type: 'switch', z: 'tab', property: 'parts.count', propertyType: 'msg', rules: [{ t: 'nnull' }], checkall: 'true', repair: false, outputs: 1, wires: [['floor-drv']] },
    { id: 'floor-failed', type: 'catch', z: 'tab', scope: ['floor-rows'], uncaught: false, wires: [['floor-drv']] },
  ];
}

export interface LedgerRig {
  emulator: EmulatorProcess;
  nodeRed: BenchNodeRed;
  /** Makes the emulator's ledger hold at least `rows` rows. */
  seed(rows: number): Promise<void>;
  /** One export through Node-RED; `rows` must be what the ledger holds. */
  exportOurs(rows: number): Promise<ExportRun>;
  /** The same export with the raw undici loop (CPU: this process). */
  exportRaw(rows: number): Promise<PlainRun>;
  /** `rows` rows from memory through the same emitList and switch (no gateway). */
  exportFloor(rows: number): Promise<PlainRun>;
}

/**
 * `gateway`: the light gateway serves exactly `rows` rows (set when it starts); the emulator
 * is seeded as exports grow (for the capped-heap proof over several sizes).
 */
export async function withLedgerRig<T>(nodeArgs: string[], work: (rig: LedgerRig) => Promise<T>, gateway: { kind: GatewayKind; rows?: number } = { kind: 'emulator' }): Promise<T> {
  // The raw loop runs in this process: on the measured CPU, like Node-RED.
  pin(process.pid, CPU.subject);
  // The real gateway allows 200 requests a minute; lifted here so the export is measured, not the limit.
  const emulator = await startGateway(gateway.kind, await freePort(), gateway.rows ?? 0);
  const gatewayPid = emulator.child.pid!;
  const raw = new RawCryptopay({ url: emulator.url, apiKey: API_KEY, apiSecret: API_SECRET, connections: 1 });
  let nodeRed: BenchNodeRed | undefined;
  try {
    nodeRed = await startBenchNodeRed({ flows: flow(emulator.url), credentials: { gw: { apiKey: API_KEY, apiSecret: API_SECRET } }, nodeArgs });
    const red = nodeRed;
    let seeded = 0;
    const rig: LedgerRig = {
      emulator,
      nodeRed: red,
      async seed(rows) {
        if (gateway.kind === 'light') {
          if (rows !== gateway.rows) throw new Error(`the light gateway serves ${String(gateway.rows)} rows, not ${rows}`);
          return;
        }
        if (rows <= seeded) return;
        const res = await fetch(`${emulator.url}/_emulator/seed/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: rows - seeded }) });
        if (!res.ok) throw new Error(`seeding failed: ${res.status}`);
        seeded = rows;
      },
      async exportOurs(rows) {
        const pid = red.pid;
        resetPeak(pid);
        const before = memoryOf(pid).rss;
        const exited = new Promise<never>((_resolve, reject) => {
          red.nodeRed.child.once('exit', (code) => reject(new Error(`Node-RED exited (${String(code)}) during the export:\n${red.nodeRed.output().slice(-2000)}`)));
        });
        const { value: run, cpuUsPerRow } = await timedCpu([pid, gatewayPid], rows, () => Promise.race([red.drive('drv', 1, 1), exited]));
        if (run.completed !== 1) throw new Error(`export of ${rows} rows did not finish`);
        return { rows, seconds: run.seconds, peakGrowthMb: (memoryOf(pid).peak - before) / 1024 / 1024, cpuUsPerRow: cpuUsPerRow[0]!, gatewayCpuUsPerRow: cpuUsPerRow[1]! };
      },
      async exportFloor(rows) {
        const { value: run, cpuUsPerRow } = await timedCpu([red.pid], rows, () => red.drive('floor-drv', 1, 1, { rows }));
        if (run.completed !== 1) throw new Error(`floor run of ${rows} rows did not finish`);
        return { seconds: run.seconds, cpuUsPerRow: cpuUsPerRow[0]! };
      },
      async exportRaw(rows) {
        const { value: seconds, cpuUsPerRow } = await timedCpu([process.pid], rows, () => rawExport(rows));
        return { seconds, cpuUsPerRow: cpuUsPerRow[0]! };
      },
    };
    const rawExport = async (rows: number): Promise<number> => {
        const started = process.hrtime.bigint();
        let count = 0;
        let cursor: string | undefined;
        for (;;) {
          const page = (await raw.request('GET', cursor ? `/api/transactions?starting_after=${cursor}` : '/api/transactions')) as {
            data: Array<{ id: string; amount: string }>;
            meta: { has_more: boolean };
          };
          for (const row of page.data) if (row.amount) count += 1;
          if (!page.meta.has_more || page.data.length === 0) break;
          cursor = page.data[page.data.length - 1]!.id;
        }
        if (count !== rows) throw new Error(`raw export saw ${count} rows, expected ${rows}`);
        return Number(process.hrtime.bigint() - started) / 1e9;
    };
    return await work(rig);
  } finally {
    await raw.close();
    await nodeRed?.stop();
    await emulator.stop();
  }
}

/** Exports of growing ledgers (after a warm-up export); used for the capped-heap proof. */
export async function runLedgerExport(rowCounts: number[], options: { nodeArgs?: string[] } = {}): Promise<ExportRun[]> {
  return withLedgerRig(options.nodeArgs ?? [], async (rig) => {
    // The first export warms up the JIT, the connection pool and Node-RED's caches; it is not reported.
    await rig.seed(1000);
    await rig.exportOurs(1000);
    const runs: ExportRun[] = [];
    for (const rows of [...rowCounts].sort((a, b) => a - b)) {
      await rig.seed(rows);
      runs.push(await rig.exportOurs(rows));
    }
    return runs;
  });
}

/** A cap well below what the largest export would need if rows were kept: a leak ends in OOM. */
export const HEAP_CAP_MB = 80;

export interface LedgerComparison {
  rows: number;
  gateway: GatewayKind;
  rounds: Array<{ ours: ExportRun; raw: PlainRun; floor: PlainRun; loadAverage: number }>;
  oursSeconds: number;
  rawSeconds: number;
  floorSeconds: number;
  oursCpuUsPerRow: number;
  rawCpuUsPerRow: number;
  floorCpuUsPerRow: number;
  gatewayCpuUsPerRow: number;
  /** ours time ÷ raw time, median over rounds. */
  oursTimeVsRaw: number;
  /** ours CPU per row ÷ raw CPU per row, median over rounds. */
  oursCpuVsRaw: number;
  /** ours time ÷ floor time, and raw ÷ floor: how far each is from Node-RED's own per-row pace. */
  oursTimeVsFloor: number;
  rawTimeVsFloor: number;
  peakGrowthMb: number;
}

export async function compareLedgerExport(rows: number, rounds: number, log: (line: string) => void = () => undefined, kind: GatewayKind = 'light'): Promise<LedgerComparison> {
  return withLedgerRig([], async (rig) => {
    await rig.seed(rows);
    await rig.exportOurs(rows);
    await rig.exportRaw(rows);
    await rig.exportFloor(rows);
    const done: LedgerComparison['rounds'] = [];
    for (let round = 0; round < rounds; round++) {
      const loadAverageNow = loadAverage();
      let ours: ExportRun | undefined;
      let raw: PlainRun | undefined;
      let floor: PlainRun | undefined;
      // The order turns each round, so no export always runs first (or after a garbage-heavy one).
      const runs = [
        async () => void (ours = await rig.exportOurs(rows)),
        async () => void (raw = await rig.exportRaw(rows)),
        async () => void (floor = await rig.exportFloor(rows)),
      ];
      for (let i = 0; i < runs.length; i++) await runs[(round + i) % runs.length]!();
      done.push({ ours: ours!, raw: raw!, floor: floor!, loadAverage: loadAverageNow });
      log(
        `round ${round + 1}: ours ${ours!.seconds.toFixed(2)} s ${ours!.cpuUsPerRow.toFixed(1)} µs/row (gateway ${ours!.gatewayCpuUsPerRow.toFixed(1)}, peak RSS +${ours!.peakGrowthMb.toFixed(1)} MB), ` +
          `raw ${raw!.seconds.toFixed(2)} s ${raw!.cpuUsPerRow.toFixed(1)} µs/row, floor ${floor!.seconds.toFixed(2)} s ${floor!.cpuUsPerRow.toFixed(1)} µs/row, load ${loadAverageNow}`,
      );
    }
    const oursTimes = done.map((r) => r.ours.seconds);
    const rawTimes = done.map((r) => r.raw.seconds);
    const floorTimes = done.map((r) => r.floor.seconds);
    return {
      rows,
      gateway: kind,
      rounds: done,
      oursSeconds: median(oursTimes),
      rawSeconds: median(rawTimes),
      floorSeconds: median(floorTimes),
      oursCpuUsPerRow: median(done.map((r) => r.ours.cpuUsPerRow)),
      rawCpuUsPerRow: median(done.map((r) => r.raw.cpuUsPerRow)),
      floorCpuUsPerRow: median(done.map((r) => r.floor.cpuUsPerRow)),
      gatewayCpuUsPerRow: median(done.map((r) => r.ours.gatewayCpuUsPerRow)),
      oursTimeVsRaw: medianRatio(oursTimes, rawTimes),
      oursCpuVsRaw: medianRatio(done.map((r) => r.ours.cpuUsPerRow), done.map((r) => r.raw.cpuUsPerRow)),
      oursTimeVsFloor: medianRatio(oursTimes, floorTimes),
      rawTimeVsFloor: medianRatio(rawTimes, floorTimes),
      peakGrowthMb: median(done.map((r) => r.ours.peakGrowthMb)),
    };
  }, kind === 'light' ? { kind, rows } : { kind });
}

export function formatComparison(c: LedgerComparison, capped: ExportRun | undefined): string {
  const us = (n: number): string => n.toFixed(1);
  const rows: Array<Array<string | number>> = [
    ['paywire-transactions, one message per row', c.oursSeconds.toFixed(2), fmt.int(c.rows / c.oursSeconds), us(c.oursCpuUsPerRow), us(c.gatewayCpuUsPerRow), `${c.peakGrowthMb.toFixed(1)} MB`, `${fmt.ratio(c.oursTimeVsRaw)} time, ${fmt.ratio(c.oursCpuVsRaw)} CPU`, fmt.ratio(c.oursTimeVsFloor)],
    ['raw undici loop', c.rawSeconds.toFixed(2), fmt.int(c.rows / c.rawSeconds), us(c.rawCpuUsPerRow), '', '', '', fmt.ratio(c.rawTimeVsFloor)],
    ['floor: the same rows from memory, same emitList and switch, no gateway', c.floorSeconds.toFixed(2), fmt.int(c.rows / c.floorSeconds), us(c.floorCpuUsPerRow), '', '', '', ''],
  ];
  if (capped) rows.push([`paywire-transactions, heap capped at ${HEAP_CAP_MB} MB (emulator)`, capped.seconds.toFixed(2), fmt.int(capped.rows / capped.seconds), us(capped.cpuUsPerRow), us(capped.gatewayCpuUsPerRow), `${capped.peakGrowthMb.toFixed(1)} MB`, '', '']);
  return table(['export', 'seconds', 'rows/s', 'CPU µs/row', 'gateway µs/row', 'peak RSS growth', 'vs raw', 'time vs floor'], rows);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, rounds: { type: 'string' } } });
  const rows = Number(values.rows ?? 100_000);
  const rounds = Number(values.rounds ?? 5);
  const comparison = await compareLedgerExport(rows, rounds, (line) => console.error(line));
  const [capped] = await runLedgerExport([rows], { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
  console.log(`Ledger export, ${fmt.int(rows)} rows (${fmt.int(rows / 50)} pages), median of ${rounds} rounds\n\n${formatComparison(comparison, capped)}`);
  console.log(`\nJSON: ${writeResult('ledger-export', { comparison, capped, heapCapMb: HEAP_CAP_MB })}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
