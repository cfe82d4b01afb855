/**
 * The hand-over rules of nodes/shared/callback-delivery.ts on the edges a real store rarely
 * shows on demand: a claim that answers after the timeout (released at once), a done mark that
 * fails after the message went out (200, one report), a hand-over that throws (released, 500).
 */
import assert from 'node:assert/strict';
import { MemoryDedupeStore } from '../../lib/dedupe';
import type { ClaimResult, DedupeStore } from '../../lib/dedupe';
import { deliverOnce } from '../../nodes/shared/callback-delivery';
import type { DeliveryHooks } from '../../nodes/shared/callback-delivery';
import { delay } from '../support/node-red';

/** A memory store whose steps can be delayed or made to fail, recording what was asked. */
class ScriptedStore implements DedupeStore {
  readonly inner = new MemoryDedupeStore();
  readonly released: string[] = [];
  claimDelayMs = 0;
  markDoneDelayMs = 0;
  failMarkDone = false;

  async claim(key: string): Promise<ClaimResult> {
    await delay(this.claimDelayMs);
    return this.inner.claim(key);
  }
  async markDone(key: string, token: string): Promise<boolean> {
    await delay(this.markDoneDelayMs);
    if (this.failMarkDone) throw new Error('connection lost');
    return this.inner.markDone(key, token);
  }
  release(key: string, token: string): Promise<void> {
    this.released.push(key);
    return this.inner.release(key, token);
  }
}

function hooks(handOn: () => void = () => undefined): DeliveryHooks & { markDoneFailures: Error[]; releaseFailures: Error[]; handed: number } {
  const h = {
    handed: 0,
    markDoneFailures: [] as Error[],
    releaseFailures: [] as Error[],
    handOn: () => {
      h.handed++;
      handOn();
    },
    onMarkDoneFailed: (err: Error) => h.markDoneFailures.push(err),
    onReleaseFailed: (err: Error) => h.releaseFailures.push(err),
  };
  return h;
}

describe('callback delivery (claim, hand on, mark done)', () => {
  it('delivers once: in flight elsewhere is 503 with Retry-After, done is 200, neither hands on', async () => {
    const store = new ScriptedStore();
    store.markDoneDelayMs = 30; // as Redis takes a round trip to mark it done
    const first = hooks();
    const racing = hooks();
    const [a, b] = await Promise.all([deliverOnce(store, 'k', first), deliverOnce(store, 'k', racing)]);
    assert.deepEqual([a.kind, b.kind], ['delivered', 'inflight']);
    assert.equal(b.status, 503);
    assert.equal((b as { retryAfterS: number }).retryAfterS, 5);
    await delay(50);
    const later = hooks();
    assert.equal((await deliverOnce(store, 'k', later)).kind, 'duplicate');
    assert.deepEqual([first.handed, racing.handed, later.handed], [1, 0, 0]);
  });

  it('a claim not confirmed in time is 503 without a message, and released when it comes', async () => {
    const store = new ScriptedStore();
    store.claimDelayMs = 100;
    const h = hooks();
    const outcome = await deliverOnce(store, 'slow', h, 20);
    assert.deepEqual([outcome.kind, outcome.status, h.handed], ['unavailable', 503, 0]);
    await delay(150);
    assert.deepEqual(store.released, ['slow'], 'the late claim was freed');
    store.claimDelayMs = 0;
    assert.equal((await deliverOnce(store, 'slow', hooks())).kind, 'delivered', "the gateway's retry is delivered at once");
  });

  it('a done mark that fails after the hand-over still answers 200 and reports once', async () => {
    const store = new ScriptedStore();
    store.failMarkDone = true;
    const h = hooks();
    const outcome = await deliverOnce(store, 'k', h);
    assert.deepEqual([outcome.kind, outcome.status, h.handed], ['delivered', 200, 1]);
    await delay(10);
    assert.deepEqual(h.markDoneFailures.map((e) => e.message), ['connection lost']);
    // Still in flight: a repeat now waits (503) instead of being taken for delivered or emitted again.
    assert.equal((await deliverOnce(store, 'k', hooks())).kind, 'inflight');
  });

  it('a hand-over that throws frees the claim and answers 500; the retry is delivered', async () => {
    const store = new ScriptedStore();
    const outcome = await deliverOnce(
      store,
      'k',
      hooks(() => {
        throw new Error('flow stopped');
      }),
    );
    assert.deepEqual([outcome.kind, outcome.status], ['not_handed_on', 500]);
    await delay(10);
    const retry = hooks();
    assert.equal((await deliverOnce(store, 'k', retry)).kind, 'delivered');
    assert.equal(retry.handed, 1);
  });
});
