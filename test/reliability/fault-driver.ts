/**
 * Drives many messages through one action node (flow: node → out helper; Catch → caught helper)
 * while an emulator's fault plan is on, the way a user's flow would: a message that reaches Catch
 * is sent again as it was caught (same msg, so the same idempotency key), after a short pause,
 * up to `maxResends` times. Tracks every outcome per message: none may be lost, none may come
 * out twice for one send.
 */
import assert from 'node:assert/strict';
import { helper, waitUntil } from '../support/node-red';
import type { FaultKind, FaultPlanStats } from '../../emulator/shared/faults';

export type Msg = Record<string, any>;

export interface DriveOptions {
  count: number;
  message(i: number): Msg;
  /** Messages in the node at once. */
  concurrency: number;
  /** Re-sends after Catch per message, the first send not included. */
  maxResends: number;
  /** Pause before a re-send, ms. */
  resendDelayMs?: number;
  /** Longest the whole run may take. */
  timeoutMs: number;
  nodeId?: string;
}

export interface Outcome {
  job: number;
  /** Sends made (1 + re-sends). */
  sends: number;
  /** The success output, when it came. */
  out?: Msg;
  /** Each caught error message, in order. */
  errors: string[];
  /** The last caught msg (a message that never succeeded). */
  lastCaught?: Msg;
}

export interface DriveResult {
  outcomes: Outcome[];
  /** Outputs or Catch messages that arrived while their message had no send outstanding. */
  extra: number;
  resends: number;
  durationMs: number;
}

export async function drive(options: DriveOptions): Promise<DriveResult> {
  const nodeId = options.nodeId ?? 'act';
  const outcomes: Outcome[] = Array.from({ length: options.count }, (_, job) => ({ job, sends: 0, errors: [] }));
  const outstanding = new Set<number>();
  let extra = 0;
  let resends = 0;
  let next = 0;
  let finished = 0;
  const started = Date.now();

  const send = (msg: Msg): void => {
    const o = outcomes[msg.job as number]!;
    o.sends += 1;
    outstanding.add(o.job);
    helper.getNode(nodeId).receive(msg);
  };
  const startNext = (): void => {
    if (next >= options.count) return;
    const msg = options.message(next);
    msg.job = next;
    next += 1;
    send(msg);
  };
  const settle = (): void => {
    finished += 1;
    startNext();
  };

  helper.getNode('out').on('input', (msg: Msg) => {
    const job = msg.job as number;
    if (!outstanding.delete(job)) {
      extra += 1;
      return;
    }
    outcomes[job]!.out = msg;
    settle();
  });
  helper.getNode('caught').on('input', (msg: Msg) => {
    const job = msg.job as number;
    if (!outstanding.delete(job)) {
      extra += 1;
      return;
    }
    const o = outcomes[job]!;
    o.errors.push(String(msg.error?.message));
    o.lastCaught = msg;
    if (o.sends <= options.maxResends) {
      resends += 1;
      // What a Catch → delay → back-into-the-node loop sends: the caught message without `error`.
      const again = { ...msg };
      delete again.error;
      setTimeout(() => send(again), options.resendDelayMs ?? 20);
    } else settle();
  });

  for (let i = 0; i < options.concurrency; i++) startNext();
  try {
    await waitUntil(() => finished >= options.count, options.timeoutMs, `${options.count} messages to finish`);
  } catch (err) {
    throw new Error(`${(err as Error).message} (finished ${finished}, outstanding ${outstanding.size}, re-sends ${resends})`);
  }
  return { outcomes, extra, resends, durationMs: Date.now() - started };
}

/** The cause a caught message names; 'unclear' when it names none of the known ones. */
export function causeOf(message: string, service: string): string {
  const s = service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rules: Array<[string, RegExp]> = [
    ['connection lost', new RegExp(`Could not reach ${s} at http://127\\.0\\.0\\.1:\\d+: \\S+`)],
    ['timeout', new RegExp(`${s} did not answer within \\d+ ms`)],
    ['invalid JSON', new RegExp(`${s} answered [A-Z]+ \\S+ with invalid JSON`)],
    // an error answer cut or garbled on the way: the status is all that is left of it
    ['unreadable error answer', new RegExp(`${s} rejected the request: \\d{3} \\w+ - the answer had no error envelope`)],
    ['503', new RegExp(`${s} rejected the request: 503 `)],
    ['429', new RegExp(`${s} rejected the request: 429 `)],
  ];
  for (const [cause, re] of rules) if (re.test(message)) return cause;
  return 'unclear';
}

/** Counts by key, as "a 3, b 1" sorted by key. */
export function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of [...values].sort()) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export function formatTally(t: Record<string, number>): string {
  const parts = Object.entries(t).map(([k, n]) => `${k} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function formatFaults(stats: FaultPlanStats): string {
  const kinds = Object.entries(stats.injected).filter(([, n]) => n > 0) as Array<[FaultKind, number]>;
  return kinds.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** The assertions every scenario shares: nothing lost, nothing twice, every error clear and secret-free. */
export function checkOutcomes(result: DriveResult, service: string, secrets: readonly string[]): { causes: Record<string, number>; failedForGood: number; succeededAfterCatch: number } {
  const lost = result.outcomes.filter((o) => o.out === undefined && o.errors.length === 0);
  assert.equal(lost.length, 0, `lost messages: ${lost.map((o) => o.job).join(', ')}`);
  assert.equal(result.extra, 0, 'a message came out (output or Catch) more than once for one send');
  const all = result.outcomes.flatMap((o) => o.errors);
  const causes = tally(all.map((m) => causeOf(m, service)));
  const unclear = all.filter((m) => causeOf(m, service) === 'unclear');
  assert.deepEqual(unclear, [], 'every caught error names its cause');
  for (const o of result.outcomes) {
    if (!o.lastCaught) continue;
    const text = JSON.stringify(o.lastCaught);
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret reached the caught msg of job ${o.job}`);
  }
  return {
    causes,
    failedForGood: result.outcomes.filter((o) => o.out === undefined).length,
    succeededAfterCatch: result.outcomes.filter((o) => o.out !== undefined && o.errors.length > 0).length,
  };
}
