/**
 * Ledger export memory: streams N ledger rows through paywire-transactions (one message per
 * row, through a core switch node that queues its input) in a real Node-RED process, and
 * reads that process's peak RSS from /proc. Run twice: with Node-RED's default heap, and
 * with the heap capped at HEAP_CAP_MB, where any per-row retention would end in OOM.
 *
 *   npm run build && node dist/bench/ledger-export.js [rows …]     (default 10000 100000 200000)
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, linkPackage, memoryOf, resetPeak, startNodeRed } from '../scripts/node-red-runner';
import type { FlowNode } from '../scripts/node-red-runner';
import { startEmulatorProcess } from './emulator-process';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ExportRun {
  rows: number;
  seconds: number;
  /** Peak RSS during the export minus RSS before it, MB. */
  peakGrowthMb: number;
}

function flow(emulatorUrl: string, sinkUrl: string): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    // Client-side rate limit off as well: the emulator's limit is lifted, and the export is what is measured.
    { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'custom', baseUrl: emulatorUrl, timeout: 30, rateLimit: 0 },
    { id: 'trigger', type: 'inject', z: 'tab', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', crontab: '', once: false, wires: [['tx']] },
    { id: 'tx', type: 'paywire-transactions', z: 'tab', gateway: 'gw', operation: 'list', params: {}, listMode: 'item', maxRows: 10000, wires: [['last']] },
    // Only the last row (it carries parts.count) goes on, to tell the bench the export is done.
    { id: 'last', type: 'switch', z: 'tab', property: 'parts.count', propertyType: 'msg', rules: [{ t: 'nnull' }], checkall: 'true', repair: false, outputs: 1, wires: [['report']] },
    { id: 'report', type: 'change', z: 'tab', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'parts.count', tot: 'msg' }], wires: [['sink']] },
    // A failed export reports its error instead of leaving the bench waiting.
    { id: 'failed', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['why']] },
    { id: 'why', type: 'change', z: 'tab', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '"error: " & error.message', tot: 'jsonata' }], wires: [['sink']] },
    { id: 'sink', type: 'http request', z: 'tab', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: sinkUrl, tls: '', persist: false, proxy: '', authType: '', senderr: false, headers: [], wires: [[]] },
  ];
}

export interface ExportOptions {
  /** Extra node arguments for Node-RED, e.g. a heap cap. */
  nodeArgs?: string[];
}

export async function runLedgerExport(rowCounts: number[], options: ExportOptions = {}): Promise<ExportRun[]> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-bench-'));
  // The real gateway allows 200 requests a minute; lifted here so the export is measured, not the limit.
  const emulator = await startEmulatorProcess(await freePort(), ['--rate-limit', '1000000']);
  let resolveDone: ((body: string) => void) | undefined;
  const sink = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.end('ok');
      resolveDone?.(body);
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  linkPackage(userDir, ROOT, '@paywire/node-red-crypto-payments');
  const nodeRed = await startNodeRed({ userDir, port: await freePort(), nodeArgs: options.nodeArgs ?? [], settings: { logging: { console: { level: 'warn' } } } });
  const runs: ExportRun[] = [];
  try {
    await deployFlows(nodeRed.url, flow(emulator.url, `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`), {
      gw: { apiKey: 'emu-key', apiSecret: 'emu-secret' },
    });
    let seeded = 0;
    // The first export warms up the JIT, the connection pool and Node-RED's caches; it is not reported.
    const WARM_UP = 1000;
    const plan = [{ rows: WARM_UP, report: false }, ...rowCounts.filter((n) => n >= WARM_UP).map((rows) => ({ rows, report: true }))];
    for (const { rows, report } of plan) {
      if (rows > seeded) {
        await fetch(`${emulator.url}/_emulator/seed/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: rows - seeded }) });
        seeded = rows;
      }
      const pid = nodeRed.child.pid!;
      resetPeak(pid);
      const before = memoryOf(pid).rss;
      const started = process.hrtime.bigint();
      const done = new Promise<string>((resolve, reject) => {
        resolveDone = resolve;
        nodeRed.child.once('exit', (code) => reject(new Error(`Node-RED exited (${String(code)}) during the export:\n${nodeRed.output().slice(-2000)}`)));
      });
      await fetch(`${nodeRed.url}/inject/trigger`, { method: 'POST' });
      const answer = await done;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (Number(answer) !== rows) throw new Error(`export of ${rows} rows ended with: ${answer}`);
      if (report) runs.push({ rows, seconds, peakGrowthMb: (memoryOf(pid).peak - before) / 1024 / 1024 });
    }
  } finally {
    await nodeRed.stop();
    await emulator.stop();
    sink.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
  return runs;
}

/** A cap well below what the largest export would need if rows were kept: a leak ends in OOM. */
export const HEAP_CAP_MB = 80;

export function formatRuns(label: string, runs: ExportRun[]): string {
  const lines = [`${label}`, '', '| rows | seconds | rows/s | peak RSS growth (MB) |', '| ---: | ---: | ---: | ---: |'];
  for (const r of runs) lines.push(`| ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rows / r.seconds)} | ${r.peakGrowthMb.toFixed(1)} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const given = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const counts = (given.length ? given : [10000, 100000, 200000]).sort((a, b) => a - b);
  // Default heap: what a user's Node-RED does (V8 grows the heap lazily while garbage is cheap).
  const plain = await runLedgerExport(counts);
  console.log(formatRuns('Node-RED with its default heap', plain), '\n');
  // Capped heap: same export, proving nothing is retained per row.
  const capped = await runLedgerExport(counts, { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
  console.log(formatRuns(`Node-RED with the old-generation heap capped at ${HEAP_CAP_MB} MB`, capped));
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  fs.writeFileSync(path.join(dir, 'ledger-export.json'), JSON.stringify({ machine, plain, capped, heapCapMb: HEAP_CAP_MB }, null, 2));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
