/**
 * Side-by-side check of a change to the library's hot path: the Cryptopay client's invoice
 * create from two (or more) builds of lib/, and the raw undici loop, in one process against
 * one light gateway, in rounds whose order alternates. Reports time and CPU per invoice of
 * each, and each build against the first and against raw.
 *
 *   npm run build && cp -r dist bench/results/base-dist   # before the change (bench/results is ignored)
 *   …change lib/…
 *   npm run build && node dist/bench/library-ab.js --lib dist --lib bench/results/base-dist [--rounds 5] [--seconds 2] [--concurrency 64] [--profile file]
 *
 * `--profile <prefix>` writes a V8 CPU profile of every measured run, <prefix>-<variant>-r<round>.cpuprofile
 * (bench/profile-top.js sums their top self-time functions).
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../scripts/node-red-runner';
import type { CryptopayClient } from '../lib/providers/cryptopay/client';
import { startLightGateway } from './emulator-process';
import { closedLoop } from './support/closed-loop';
import { CPU, ROOT, fmt, loadAverage, pin, table } from './support/machine';
import { INVOICE_REQUEST, RawCryptopay } from './support/raw-cryptopay';
import { median, medianRatio } from './support/stats';

type Create = () => Promise<unknown>;

interface Sample {
  perSecond: number;
  cpuUsPerOp: number;
}

async function measure(create: Create, concurrency: number, seconds: number): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const run = await closedLoop({ concurrency, durationMs: seconds * 1000, graceMs: 10_000 }, (finish) => {
    create().then(
      () => finish(true),
      () => finish(false),
    );
  });
  const cpu = process.cpuUsage(cpu0);
  if (run.errors > 0) throw new Error(`${run.errors} of ${run.sent} failed`);
  return { perSecond: run.perSecond, cpuUsPerOp: (cpu.user + cpu.system) / run.completed };
}

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { lib: { type: 'string', multiple: true }, rounds: { type: 'string' }, seconds: { type: 'string' }, concurrency: { type: 'string' }, profile: { type: 'string' } },
  });
  const libs = values.lib ?? ['dist'];
  const rounds = Number(values.rounds ?? 5);
  const seconds = Number(values.seconds ?? 2);
  const concurrency = Number(values.concurrency ?? 64);
  pin(process.pid, CPU.subject);
  const gateway = await startLightGateway({ port: await freePort() });
  const raw = new RawCryptopay({ url: gateway.url, apiKey: 'k', apiSecret: 's', connections: concurrency });
  const clients = libs.map((dir) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CryptopayClient: Client } = require(path.resolve(ROOT, dir, 'lib', 'providers', 'cryptopay', 'client.js')) as { CryptopayClient: typeof CryptopayClient };
    return new Client({ apiKey: 'k', apiSecret: 's', baseUrl: gateway.url, timeoutMs: 30_000, reliability: { rateLimit: 0 } });
  });
  const body = JSON.stringify(INVOICE_REQUEST);
  const variants: Array<[string, Create]> = [['raw', () => raw.request('POST', '/api/invoices', body)], ...clients.map((c, i): [string, Create] => [libs[i]!, () => c.invoices.create({ ...INVOICE_REQUEST })])];
  const samples = new Map<string, Sample[]>(variants.map(([name]) => [name, []]));
  let session: Session | undefined;
  try {
    for (const [, create] of variants) await measure(create, concurrency, Math.min(1, seconds));
    if (values.profile) {
      session = new Session();
      session.connect();
      await post(session, 'Profiler.enable');
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const [name, create] of order) {
        const profiled = session !== undefined;
        if (profiled) await post(session!, 'Profiler.start');
        const sample = await measure(create, concurrency, seconds);
        if (profiled) {
          const { profile } = (await post(session!, 'Profiler.stop')) as { profile: unknown };
          fs.writeFileSync(`${values.profile!}-${name.replace(/\W+/g, '_')}-r${round + 1}.cpuprofile`, JSON.stringify(profile));
        }
        samples.get(name)!.push(sample);
        console.error(`round ${round + 1} ${name}: ${fmt.int(sample.perSecond)}/s, ${sample.cpuUsPerOp.toFixed(1)} µs CPU/op, load ${loadAverage()}`);
      }
    }
  } finally {
    session?.disconnect();
    await raw.close();
    for (const c of clients) await c.close();
    await gateway.stop();
  }
  const tput = (n: string): number[] => samples.get(n)!.map((s) => s.perSecond);
  const cpu = (n: string): number[] => samples.get(n)!.map((s) => s.cpuUsPerOp);
  const rows = variants.map(([name]) => [
    name,
    fmt.int(median(tput(name))),
    median(cpu(name)).toFixed(1),
    `${fmt.ratio(medianRatio(tput('raw'), tput(name)))} time, ${fmt.ratio(medianRatio(cpu(name), cpu('raw')))} CPU`,
    name === 'raw' || name === libs[0] ? '' : `${fmt.ratio(medianRatio(tput(name), tput(libs[0]!)))} time, ${fmt.ratio(medianRatio(cpu(libs[0]!), cpu(name)))} CPU`,
  ]);
  console.log(`Invoice create, concurrency ${concurrency}, median of ${rounds} rounds of ${seconds} s, load ${loadAverage()}\n`);
  console.log(table(['variant', 'invoices/s', 'CPU µs/invoice', 'vs raw', `${libs[0]} vs this`], rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
