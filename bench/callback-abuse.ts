/**
 * The callback endpoint under abuse, with its default bounds (1 MiB body, 10 s read deadline,
 * 16 MiB shared by unfinished bodies), in a real Node-RED:
 *   413   a chunked body of 4 MB paced (64 KiB every 15 ms) and unpaced, and of 100 MB
 *         unpaced: time to the 413, body bytes the sender got rid of by then, and whether it
 *         was done first (unpaced, loopback's socket buffers take 4 MB at once; 100 MB shows
 *         that reading stops at the limit)
 *   RSS   300 connections each declaring 1 MiB and stalling after 1 MiB - 1 byte: the
 *         runtime's RSS before, its peak while they hang, the answers they got (503 past the
 *         shared cap, 408 at the deadline) and how long the last one took
 *
 *   npm run bench:abuse -- [--rounds 5] [--stalled 300]
 */
import { parseArgs } from 'node:util';
import { memoryOf, resetPeak } from '../scripts/node-red-runner';
import { rawPost } from '../test/support/raw-http';
import type { RawAnswer } from '../test/support/raw-http';
import { startBenchNodeRed } from './support/bench-node-red';
import { fmt, loadAverage, table, writeResult } from './support/machine';
import { median } from './support/stats';

const MIB = 1024 * 1024;
const PATH = '/abuse/cb';

export interface AbuseResult {
  rounds: number;
  chunked413: Array<{ bodyMiB: number; pacedMs: number; medianMs: number; medianSentMiB: number; finishedFirst: number }>;
  stalled: { connections: number; rssBeforeMb: number; rssPeakMb: number; rssAfterMb: number; answers: Record<string, number>; lastAnswerS: number };
  loadAverage: number;
}

async function chunkedBody(url: string, bytes: number, pacedMs: number): Promise<{ answer: RawAnswer; finished: boolean }> {
  const post = rawPost(url, PATH);
  while (post.sent < bytes && !post.answered()) {
    await post.write(64 * 1024);
    if (pacedMs > 0) await new Promise((resolve) => setTimeout(resolve, pacedMs));
  }
  const finished = !post.answered();
  if (finished) post.end();
  const answer = await post.answer;
  post.destroy();
  return { answer, finished };
}

async function stalledConnections(url: string, pid: number, count: number): Promise<AbuseResult['stalled']> {
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = memoryOf(pid).rss;
  resetPeak(pid);
  const started = performance.now();
  const posts = Array.from({ length: count }, () => rawPost(url, PATH, { contentLength: MIB }));
  // Written a few at a time: 300 MB at once would measure this driver's memory, not Node-RED's.
  for (let i = 0; i < posts.length; i += 10) await Promise.all(posts.slice(i, i + 10).map((p) => p.write(MIB - 1)));
  const answers: Record<string, number> = {};
  let last = 0;
  await Promise.all(
    posts.map((p) =>
      p.answer.then(
        (a) => {
          answers[a.status] = (answers[a.status] ?? 0) + 1;
          last = Math.max(last, performance.now() - started);
        },
        () => {
          answers.closed = (answers.closed ?? 0) + 1;
        },
      ),
    ),
  );
  const peak = memoryOf(pid).peak;
  for (const p of posts) p.destroy();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = memoryOf(pid).rss;
  return { connections: count, rssBeforeMb: before / MIB, rssPeakMb: peak / MIB, rssAfterMb: after / MIB, answers, lastAnswerS: last / 1000 };
}

export async function runAbuseBench(options: { rounds: number; stalled: number }, log: (line: string) => void = () => undefined): Promise<AbuseResult> {
  const bench = await startBenchNodeRed({
    flows: [
      { id: 'tab', type: 'tab', label: 'abuse bench' },
      { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'sandbox', baseUrl: '', timeout: 30 },
      { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: PATH, wires: [[]] },
    ],
    credentials: { gw: { callbackSecret: 'bench-abuse-secret' } },
  });
  try {
    // The route is up once an empty POST gets the signature check's 401.
    while ((await fetch(`${bench.url}${PATH}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status === 404) await new Promise((r) => setTimeout(r, 50));
    const chunked413: AbuseResult['chunked413'] = [];
    for (const [bodyMiB, pacedMs] of [[4, 15], [4, 0], [100, 0]] as const) {
      const runs: Array<{ answer: RawAnswer; finished: boolean }> = [];
      for (let i = 0; i < options.rounds; i++) runs.push(await chunkedBody(bench.url, bodyMiB * MIB, pacedMs));
      const wrong = runs.filter((r) => r.answer.status !== 413);
      if (wrong.length > 0) throw new Error(`expected 413, got ${wrong.map((r) => r.answer.status).join(', ')}`);
      chunked413.push({
        bodyMiB,
        pacedMs,
        medianMs: median(runs.map((r) => r.answer.ms)),
        medianSentMiB: median(runs.map((r) => r.answer.sentBefore / MIB)),
        finishedFirst: runs.filter((r) => r.finished).length,
      });
      log(`chunked: ${JSON.stringify(chunked413.at(-1))}`);
    }
    const stalled = await stalledConnections(bench.url, bench.pid, options.stalled);
    log(`stalled: ${JSON.stringify(stalled)}`);
    return { rounds: options.rounds, chunked413, stalled, loadAverage: loadAverage() };
  } finally {
    await bench.stop();
  }
}

export function formatAbuseBench(result: AbuseResult): string {
  const first = table(
    ['chunked body', 'time to 413 (median)', 'MiB sent by then', 'sender done first'],
    result.chunked413.map((r) => [`${r.bodyMiB} MB, ${r.pacedMs > 0 ? `64 KiB every ${r.pacedMs} ms` : 'as fast as the socket takes it'}`, `${fmt.ms(r.medianMs)} ms`, r.medianSentMiB.toFixed(2), `${r.finishedFirst} of ${result.rounds}`]),
  );
  const s = result.stalled;
  const answers = Object.entries(s.answers).map(([status, n]) => `${n}× ${status}`).join(', ');
  const second = table(
    ['stalled connections', 'RSS before', 'RSS peak', 'RSS after', 'answers', 'last answer after'],
    [[s.connections, `${s.rssBeforeMb.toFixed(0)} MB`, `${s.rssPeakMb.toFixed(0)} MB`, `${s.rssAfterMb.toFixed(0)} MB`, answers, `${s.lastAnswerS.toFixed(1)} s`]],
  );
  return `${first}\n\n${second}`;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, stalled: { type: 'string', default: '300' } } });
  runAbuseBench({ rounds: Number(values.rounds), stalled: Number(values.stalled) }, (line) => console.error(line)).then(
    (result) => {
      writeResult('callback-abuse', result);
      console.log(formatAbuseBench(result));
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
