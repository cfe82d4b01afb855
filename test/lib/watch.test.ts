import assert from 'node:assert/strict';
import { GatewayError, RateLimitQueueFullError } from '../../lib/errors';
import { MemoryDedupeStore } from '../../lib/dedupe';
import { toMeta } from '../../lib/operations';
import { mapStatus } from '../../lib/status';
import { invoiceStatusTable } from '../../lib/providers/cryptopay/status';
import {
  ListSaver,
  WatchSchedule,
  Watcher,
  claimForCallback,
  claimForWatch,
  emittedStatesIn,
  fromSaved,
  markWatched,
  spacingUnder,
  targetFromMessage,
  toSaved,
} from '../../lib/watch';
import type { PollAnswer, ScheduleSettings, StateChange, WatchEntry, WatchTarget } from '../../lib/watch';
import type { KeyValueStore } from '../../lib/dedupe';
import { FakeClock } from '../support/clock';

const SETTINGS: ScheduleSettings = { intervalMs: 30_000, timeoutMs: 48 * 3600_000, minSpacingMs: 600, maxBackoffMs: 15 * 60_000 };

function invoice(id: string): WatchTarget {
  return { provider: 'cryptopay', resource: 'invoice', id };
}

function answer(id: string, status: string, extra: Record<string, unknown> = {}): PollAnswer {
  const payload = { id, status, ...extra };
  return { payload, meta: toMeta('cryptopay', 'invoice', id, mapStatus(invoiceStatusTable, { status, object: payload })) };
}

describe('watch: reading what to watch from a message', () => {
  it('takes msg.paywire as every Paywire node writes it, with its state as the start', () => {
    const read = targetFromMessage('cryptopay', { payload: { id: 'x' }, paywire: { provider: 'cryptopay', resource: 'withdrawal', id: 'w-1', state: 'pending', reason: 'awaiting_commit', final: false } });
    assert.deepEqual(read, { ok: true, target: { provider: 'cryptopay', resource: 'withdrawal', id: 'w-1' }, observed: { state: 'pending', reason: 'awaiting_commit' }, final: false });
  });

  it('falls back to the payload id under the provider default resource (CPG: the deposit request)', () => {
    const read = targetFromMessage('cpg', { payload: { request_id: 42, address: '0xabc' } });
    assert.deepEqual(read, { ok: true, target: { provider: 'cpg', resource: 'deposit', id: '42' }, observed: undefined, final: false });
  });

  it('needs the channel of a channel payment', () => {
    const bad = targetFromMessage('cryptopay', { paywire: { provider: 'cryptopay', resource: 'channel_payment', id: 'p-1' }, payload: {} });
    assert.equal(bad.ok, false);
    const good = targetFromMessage('cryptopay', { paywire: { provider: 'cryptopay', resource: 'channel_payment', id: 'p-1' }, payload: { channel_id: 'c-1' } });
    assert.ok(good.ok && good.target.channelId === 'c-1');
  });

  it('refuses another provider, a resource without get, and a message without id, saying why', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['cryptopay', { paywire: { provider: 'cpg', resource: 'deposit', id: '1' } }, /cpg object, but this watch's gateway is cryptopay/],
      ['cryptopay', { paywire: { provider: 'cryptopay', resource: 'customer', id: '1' } }, /customers can not be watched \(watchable: invoice, withdrawal, channel_payment\)/],
      ['payment-orders', { payload: { amount: '5' } }, /no object id/],
      ['cryptopay', { payload: 'text' }, /no object id/],
      ['cryptopay', { paywire: { provider: 'cryptopay', resource: '__proto__', id: '1' } }, /can not be watched/],
    ];
    for (const [provider, msg, problem] of cases) {
      const read = targetFromMessage(provider, msg);
      assert.ok(!read.ok, JSON.stringify(msg));
      assert.match(read.problem, problem);
    }
  });

  it('knows when a message is already final', () => {
    const read = targetFromMessage('cryptopay', { paywire: { provider: 'cryptopay', resource: 'invoice', id: 'i', state: 'completed', reason: null, final: true } });
    assert.ok(read.ok && read.final);
  });
});

describe('watch: the poll schedule', () => {
  it('spreads 1,000 objects over time, never faster than the rate-limit share', () => {
    const schedule = new WatchSchedule({ ...SETTINGS, minSpacingMs: spacingUnder({ limit: 200, windowMs: 60_000 }) });
    for (let i = 0; i < 1000; i++) schedule.add(invoice(`i-${i}`), undefined, 0);
    const starts: number[] = [];
    let now = 0;
    while (now < 60_000) {
      const next = schedule.next(now);
      if (next.kind === 'poll') {
        starts.push(now);
        schedule.started(next.entry, now);
        schedule.finished(next.entry, { kind: 'answered' }, now + 50);
      } else if (next.kind === 'wait') now = next.at;
      else break;
    }
    // Half of 200 a minute: 100 polls in the first minute, each 600 ms after the one before.
    assert.equal(starts.length, 100);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= 600, `poll ${i} ${starts[i]! - starts[i - 1]!} ms after the one before`);
  });

  it('polls few objects once per interval each, evenly spaced', () => {
    const schedule = new WatchSchedule({ ...SETTINGS, minSpacingMs: 0 });
    schedule.add(invoice('a'), { state: 'pending', reason: null }, 0);
    schedule.add(invoice('b'), { state: 'pending', reason: null }, 0);
    assert.deepEqual(schedule.next(0), { kind: 'wait', at: 30_000 });
    const first = schedule.next(30_000);
    assert.equal(first.kind, 'poll');
    if (first.kind !== 'poll') return;
    schedule.started(first.entry, 30_000);
    schedule.finished(first.entry, { kind: 'answered' }, 30_100);
    // The other one waits half the interval: two objects share it.
    assert.deepEqual(schedule.next(30_100), { kind: 'wait', at: 45_000 });
  });

  it('backs off an object that fails, and pauses everyone after a 429', () => {
    const schedule = new WatchSchedule({ ...SETTINGS, minSpacingMs: 0 });
    const { entry } = schedule.add(invoice('a'), undefined, 0);
    schedule.add(invoice('b'), { state: 'pending', reason: null }, 0);
    schedule.started(entry, 0);
    schedule.finished(entry, { kind: 'failed' }, 0);
    assert.equal(entry.nextPollAt, 60_000);
    schedule.started(entry, 60_000);
    schedule.finished(entry, { kind: 'failed' }, 60_000);
    assert.equal(entry.nextPollAt, 60_000 + 120_000);
    for (let i = 0; i < 10; i++) schedule.finished(entry, { kind: 'failed' }, 0);
    assert.equal(entry.nextPollAt, 15 * 60_000, 'capped');
    schedule.finished(entry, { kind: 'rate_limited', retryAt: 500_000 }, 0);
    assert.equal(schedule.next(400_000).kind, 'wait', 'b is due but everyone waits for the reset');
    assert.equal(schedule.next(500_000).kind, 'poll');
    schedule.finished(entry, { kind: 'answered' }, 600_000);
    assert.equal(entry.failures, 0);
  });

  it('ends an object at its deadline before polling anything', () => {
    const schedule = new WatchSchedule({ ...SETTINGS, timeoutMs: 1000 });
    schedule.add(invoice('a'), undefined, 0);
    const next = schedule.next(1000);
    assert.equal(next.kind, 'timeout');
  });
});

describe('watch: emitted states shared with callbacks', () => {
  const fact = { gateway: 'gw', target: invoice('i-1'), observed: { state: 'completed' as const, reason: null } };

  it('a state a callback emitted is not emitted by the watch, and the other way round', async () => {
    const store = emittedStatesIn(new MemoryDedupeStore());
    await markWatched(store, 'gw', fact.target);
    const first = await claimForCallback(store, fact);
    assert.ok(first, 'the callback is first');
    await first.keep();
    assert.equal(await claimForWatch(store, fact), undefined, 'the watch then skips it');
    assert.equal(await claimForCallback(store, fact), undefined, 'a callback repeating the state of a watched object is skipped');

    const other = { ...fact, target: invoice('i-2') };
    await markWatched(store, 'gw', other.target);
    const watched = await claimForWatch(store, other);
    assert.ok(watched, 'the watch is first');
    assert.equal(await claimForCallback(store, other), undefined, 'the callback skips it while the watch emits it');
    await watched.keep();
    assert.equal(await claimForCallback(store, other), undefined, 'and after it was emitted');
  });

  it('callbacks of an object no watch follows behave as without a watch', async () => {
    const store = emittedStatesIn(new MemoryDedupeStore());
    await (await claimForCallback(store, fact))?.keep();
    assert.ok(await claimForCallback(store, fact), 'a repeated state still goes');
    assert.ok(await claimForCallback(store, fact), 'the probe left nothing behind');
  });

  it('an undone record lets the state through again; state and reason and gateway are part of the key', async () => {
    const store = emittedStatesIn(new MemoryDedupeStore());
    await markWatched(store, 'gw', fact.target);
    const recorded = await claimForWatch(store, fact);
    await recorded!.undo();
    assert.ok(await claimForCallback(store, fact));
    assert.ok(await claimForWatch(store, { ...fact, observed: { state: 'action_required', reason: 'underpaid' } }));
    assert.ok(await claimForWatch(store, { ...fact, observed: { state: 'action_required', reason: 'overpaid' } }));
    assert.ok(await claimForWatch(store, { ...fact, gateway: 'gw-2' }));
  });
});

describe('watch: the saved list', () => {
  it('reads back what it wrote and drops entries it cannot use', () => {
    const entry: WatchEntry = { key: 'k', target: invoice('a'), observed: { state: 'confirming', reason: null }, startedAt: 1, deadline: 2, nextPollAt: 3, failures: 4 };
    const saved = JSON.parse(JSON.stringify(toSaved([entry]))) as { entries: unknown[] };
    saved.entries.push({ target: { provider: 'cryptopay', resource: 'customer', id: 'c' }, startedAt: 1, deadline: 2 }, { target: invoice('b'), observed: { state: 'paid' }, startedAt: 1, deadline: 2 }, 'junk');
    assert.deepEqual(fromSaved(saved), [{ target: invoice('a'), observed: { state: 'confirming', reason: null }, startedAt: 1, deadline: 2 }]);
    assert.deepEqual(fromSaved(undefined), []);
  });

  it('folds saves made while one is being written into one write', async () => {
    const writes: unknown[] = [];
    let release: () => void = () => undefined;
    const kv: KeyValueStore = {
      get: () => Promise.resolve(undefined),
      set: (_k, v) => {
        writes.push(v);
        return new Promise((resolve) => (release = resolve));
      },
      keys: () => Promise.resolve([]),
    };
    const saver = new ListSaver(kv, 'k', () => undefined);
    for (let i = 1; i <= 5; i++) saver.save(() => i);
    release();
    await new Promise((r) => setImmediate(r));
    release();
    await saver.flushed();
    assert.deepEqual(writes, [1, 5]);
  });
});

describe('watch: the loop', () => {
  function setup(poll: (target: WatchTarget) => Promise<PollAnswer>, settings: Partial<ScheduleSettings> = {}) {
    const clock = new FakeClock(0);
    const changes: StateChange[] = [];
    const timeouts: WatchEntry[] = [];
    const failures: Array<{ err: unknown; gaveUp: boolean }> = [];
    const polls: number[] = [];
    const dedupe = new MemoryDedupeStore({ maxEntries: 1000, now: () => clock.now() });
    const watcher = new Watcher({
      gateway: 'gw',
      clock,
      settings: { ...SETTINGS, minSpacingMs: 0, ...settings },
      emitted: emittedStatesIn(dedupe),
      poll: (target) => {
        polls.push(clock.now());
        return poll(target);
      },
      events: {
        changed: (c) => changes.push(c),
        timedOut: (e) => timeouts.push(e),
        failed: (_t, err, info) => failures.push({ err, gaveUp: info.gaveUp }),
        unrecorded: (_target, err) => {
          throw err;
        },
        listChanged: () => undefined,
        progress: () => undefined,
      },
    });
    return { clock, watcher, changes, timeouts, failures, polls, dedupe };
  }

  it('emits each new state once, with the one before, and stops at a final state', async () => {
    const states = ['new', 'new', 'new', 'completed'];
    const { clock, watcher, changes, polls } = setup(() => {
      const status = states.shift() ?? 'completed';
      return Promise.resolve(answer('i-1', status, status === 'new' && states.length < 2 ? { transactions: [{ txid: 't' }] } : {}));
    });
    await watcher.add(invoice('i-1'), { state: 'pending', reason: null });
    await clock.advance(10 * 30_000);
    assert.deepEqual(
      changes.map((c) => [c.previous?.state ?? null, c.meta.state]),
      [
        ['pending', 'confirming'],
        ['confirming', 'completed'],
      ],
    );
    assert.equal(polls.length, 4, 'no poll after the final state');
    assert.equal(watcher.size, 0);
  });

  it('emits the first answer when the message had no state', async () => {
    const { clock, watcher, changes } = setup(() => Promise.resolve(answer('i-1', 'new')));
    await watcher.add(invoice('i-1'), undefined);
    await clock.advance(0);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.previous, undefined);
    assert.equal(changes[0]!.meta.state, 'pending');
  });

  it('times out with the object as last seen', async () => {
    const { clock, watcher, timeouts, changes } = setup(() => Promise.resolve(answer('i-1', 'new')), { timeoutMs: 100_000 });
    await watcher.add(invoice('i-1'), { state: 'pending', reason: null });
    await clock.advance(100_000);
    assert.equal(timeouts.length, 1);
    assert.equal(changes.length, 0);
    assert.equal(watcher.size, 0);
  });

  it('backs off on errors and 429s, and gives up on an object the gateway does not know', async () => {
    const errors: Error[] = [
      new GatewayError({ provider: 'Cryptopay', httpStatus: 503, code: 'unavailable', message: 'down' }),
      new GatewayError({ provider: 'Cryptopay', httpStatus: 429, code: 'rate_limited', message: 'slow down' }),
      new RateLimitQueueFullError('Cryptopay', 10),
      new GatewayError({ provider: 'Cryptopay', httpStatus: 404, code: 'not_found', message: 'no such invoice' }),
    ];
    const { clock, watcher, failures, polls } = setup(() => Promise.reject(errors.shift() ?? new Error('no more errors planned')));
    await watcher.add(invoice('i-1'), { state: 'pending', reason: null });
    await clock.advance(30 * 60_000);
    assert.deepEqual(polls, [30_000, 90_000, 210_000, 450_000]);
    assert.deepEqual(failures.map((f) => f.gaveUp), [false, false, false, true]);
    assert.equal(watcher.size, 0);
  });

  it('does not emit a state a callback already emitted, but follows it', async () => {
    const { clock, watcher, changes, dedupe } = setup(() => Promise.resolve(answer('i-1', 'completed')));
    await (await claimForCallback(emittedStatesIn(dedupe), { gateway: 'gw', target: invoice('i-1'), observed: { state: 'completed', reason: null } }))?.keep();
    await watcher.add(invoice('i-1'), { state: 'pending', reason: null });
    await clock.advance(30_000);
    assert.equal(changes.length, 0);
    assert.equal(watcher.size, 0, 'final: no longer watched');
  });

  it('stops watching one object on remove, the others go on', async () => {
    const { clock, watcher, polls } = setup((t) => Promise.resolve(answer(t.id, 'new')));
    await watcher.add(invoice('a'), { state: 'pending', reason: null });
    await watcher.add(invoice('b'), { state: 'pending', reason: null });
    assert.equal(await watcher.add(invoice('b'), undefined), false, 'already watched');
    assert.ok(watcher.remove(invoice('a')));
    await clock.advance(30_000 * 3);
    assert.equal(polls.length, 3);
    watcher.stop();
    await clock.advance(30_000 * 3);
    assert.equal(polls.length, 3, 'nothing after stop');
  });
});
