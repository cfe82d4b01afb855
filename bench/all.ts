/**
 * `npm run bench`: every bench in turn against the light gateway, each table as it finishes,
 * then the targets and whether they held. Each bench writes its JSON to bench/results/; this
 * adds summary.json.
 *
 *   npm run bench -- [--rounds 3] [--seconds 3] [--gateway light|emulator]
 */
import { parseArgs } from 'node:util';
import { compareLedgerExport, formatComparison, HEAP_CAP_MB, runLedgerExport } from './ledger-export';
import { formatCallbackBench, runCallbackBench } from './callback-intake';
import { formatColdStart, runColdStart } from './cold-start';
import { formatInvoiceBench, runInvoiceBench } from './invoice-create';
import type { ConcurrencyResult } from './invoice-create';
import { describePinning, fmt, loadAverage, machineInfo, table, writeResult } from './support/machine';

export interface Target {
  what: string;
  goal: string;
  measured: string;
  holds: boolean;
}

/** A ratio target; `measured` undefined (the variant did not run) never holds. */
function ratioTarget(what: string, measured: number | undefined, goal: { atMost: number } | { atLeast: number }): Target {
  const holds = measured !== undefined && ('atMost' in goal ? measured <= goal.atMost : measured >= goal.atLeast);
  return { what, goal: 'atMost' in goal ? `≤ ${fmt.ratio(goal.atMost)}` : `≥ ${fmt.ratio(goal.atLeast)}`, measured: measured === undefined ? 'not run' : fmt.ratio(measured), holds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' }, gateway: { type: 'string' } } });
  const rounds = Math.max(3, Number(values.rounds ?? 3));
  const seconds = Number(values.seconds ?? 3);
  const gateway = values.gateway === 'emulator' ? 'emulator' : 'light';
  const log = (line: string): void => console.error(line);
  const m = machineInfo();
  console.log(`Machine: ${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGb} GB, Node ${m.node}, Node-RED ${m.nodeRed}; ${describePinning()}; ${gateway} gateway; load average at start ${loadAverage()}\n`);

  const invoice = await runInvoiceBench({ concurrencies: [64], rounds, seconds, gateway }, log);
  writeResult('invoice-create', invoice);
  console.log(`## Invoice creation, concurrency 64 (median of ${rounds} rounds of ${seconds} s)\n\n${formatInvoiceBench(invoice)}\n`);

  const callback = await runCallbackBench({ rounds, seconds, connections: 64 }, log);
  writeResult('callback-intake', callback);
  console.log(`## Callback intake (64 connections, median of ${rounds} rounds of ${seconds} s)\n\n${formatCallbackBench(callback)}\n`);

  const ledger = await compareLedgerExport(100_000, rounds, log, gateway);
  const [capped] = await runLedgerExport([100_000], { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
  writeResult('ledger-export', { comparison: ledger, capped, heapCapMb: HEAP_CAP_MB });
  console.log(`## Ledger export, 100,000 rows (2,000 pages), median of ${rounds} rounds\n\n${formatComparison(ledger, capped)}\n`);

  const cold = await runColdStart(7, log);
  writeResult('cold-start', cold);
  console.log(`## Cold start (median of 7 rounds)\n\n${formatColdStart(cold)}\n`);

  const c64: ConcurrencyResult = invoice.results[0]!;
  const targets: Target[] = [
    ratioTarget('invoice time per invoice through paywire-invoice vs raw undici', c64.oursTimeVsRaw, { atMost: 1.5 }),
    ratioTarget('invoice CPU per invoice through paywire-invoice vs raw undici', c64.oursCpuVsRaw, { atMost: 1.5 }),
    ratioTarget('library alone (client.invoices.create) time vs raw undici', c64.libraryTimeVsRaw, { atMost: 1.15 }),
    ratioTarget('library alone CPU vs raw undici', c64.libraryCpuVsRaw, { atMost: 1.15 }),
    ratioTarget('invoice throughput vs hand-made flow', c64.oursVsHandmade, { atLeast: 4 }),
    ratioTarget('callback intake vs hand-made raw-body flow', callback.oursVsHandmade, { atLeast: 2.5 }),
    ratioTarget('100,000-row export time vs raw loop', ledger.oursTimeVsRaw, { atMost: 1.2 }),
    { what: '100,000-row export peak RSS growth (flat memory)', goal: '< 50 MB', measured: `${ledger.peakGrowthMb.toFixed(1)} MB`, holds: ledger.peakGrowthMb < 50 },
    // Counted with what loads when a flow first starts one of our nodes, so deferring it can not hide it.
    {
      what: 'package load in Node-RED (+ first use)',
      goal: '< 150 ms',
      measured: `${fmt.ms(cold.oursMs + cold.firstUseMs)} ms (${fmt.ms(cold.oursMs)} + ${fmt.ms(cold.firstUseMs)})`,
      holds: cold.oursMs + cold.firstUseMs < 150,
    },
  ];
  const noop = c64.summary.noop;
  console.log(`## Targets\n\n${table(['target', 'goal', 'measured', 'holds'], targets.map((t) => [t.what, t.goal, t.measured, t.holds ? 'yes' : 'no']), false)}`);
  if (noop) console.log(`\nFloor: Node-RED's own cost per message through a no-op node (two hops): ${fmt.int(noop.cpuUsPerOp)} µs of CPU.`);
  console.log(`\nJSON: ${writeResult('summary', { gateway, rounds, seconds, targets, loadAverageAtEnd: loadAverage() })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
