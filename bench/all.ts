/**
 * `npm run bench`: every bench in turn, each table as it finishes, then the targets
 * and whether they held. Each bench writes its JSON to bench/results/; this adds summary.json.
 */
import { compareLedgerExport, formatComparison, HEAP_CAP_MB, runLedgerExport } from './ledger-export';
import { formatCallbackBench, runCallbackBench } from './callback-intake';
import { formatColdStart, runColdStart } from './cold-start';
import { formatInvoiceBench, runInvoiceBench } from './invoice-create';
import { describePinning, fmt, loadAverage, machineInfo, table, writeResult } from './support/machine';

export interface Target {
  what: string;
  goal: string;
  measured: string;
  holds: boolean;
}

async function main(): Promise<void> {
  const log = (line: string): void => console.error(line);
  const m = machineInfo();
  console.log(`Machine: ${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGb} GB, Node ${m.node}, Node-RED ${m.nodeRed}; ${describePinning()}; load average at start ${loadAverage()}\n`);

  const invoice = await runInvoiceBench({ concurrencies: [1, 16, 64], rounds: 5, seconds: 3 }, log);
  writeResult('invoice-create', invoice);
  console.log(`## Invoice creation (median of 5 rounds of 3 s)\n\n${formatInvoiceBench(invoice)}\n`);

  const callback = await runCallbackBench({ rounds: 5, seconds: 5, connections: 32 }, log);
  writeResult('callback-intake', callback);
  console.log(`## Callback intake (32 connections, median of 5 rounds of 5 s)\n\n${formatCallbackBench(callback)}\n`);

  const ledger = await compareLedgerExport(100_000, 5, log);
  const [capped] = await runLedgerExport([100_000], { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
  writeResult('ledger-export', { comparison: ledger, capped, heapCapMb: HEAP_CAP_MB });
  console.log(`## Ledger export, 100,000 rows (2,000 pages), median of 5 rounds\n\n${formatComparison(ledger, capped)}\n`);

  const cold = await runColdStart(7, log);
  writeResult('cold-start', cold);
  console.log(`## Cold start (median of 7 rounds)\n\n${formatColdStart(cold)}\n`);

  const c64 = invoice.results.find((r) => r.concurrency === 64)!;
  const targets: Target[] = [
    { what: 'invoice throughput at concurrency 64 vs hand-made', goal: '≥ 2×', measured: fmt.ratio(c64.oursVsHandmade), holds: c64.oursVsHandmade >= 2 },
    { what: 'invoice time at concurrency 64 vs raw undici', goal: '≤ 1.3×', measured: fmt.ratio(c64.oursTimeVsRaw), holds: c64.oursTimeVsRaw <= 1.3 },
    { what: 'callback intake vs hand-made', goal: '≥ 1.2×', measured: fmt.ratio(callback.oursVsHandmade), holds: callback.oursVsHandmade >= 1.2 },
    { what: 'ledger export time vs raw undici', goal: '≤ 1.2×', measured: fmt.ratio(ledger.oursTimeVsRaw), holds: ledger.oursTimeVsRaw <= 1.2 },
    { what: 'ledger export peak RSS growth', goal: '< 50 MB', measured: `${ledger.peakGrowthMb.toFixed(1)} MB`, holds: ledger.peakGrowthMb < 50 },
    // Counted with what loads when a flow first starts one of our nodes, so deferring it can not hide it.
    {
      what: 'package load in Node-RED (+ first use)',
      goal: '< 150 ms',
      measured: `${fmt.ms(cold.oursMs + cold.firstUseMs)} ms (${fmt.ms(cold.oursMs)} + ${fmt.ms(cold.firstUseMs)})`,
      holds: cold.oursMs + cold.firstUseMs < 150,
    },
  ];
  console.log(`## Targets\n\n${table(['target', 'goal', 'measured', 'holds'], targets.map((t) => [t.what, t.goal, t.measured, t.holds ? 'yes' : 'no']), false)}`);
  console.log(`\nJSON: ${writeResult('summary', { targets, loadAverageAtEnd: loadAverage() })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
