import assert from 'node:assert/strict';
import { TransportError } from '../../lib/errors';
import type { HttpRequest, HttpResponse, HttpSender } from '../../lib/http/client';
import { defineHttpPolicy } from '../../lib/http/policy';
import type { HttpPolicy } from '../../lib/http/policy';
import { MIN_ATTEMPT_MS, ReliableClient, carriesKey } from '../../lib/http/reliable';
import type { ReliabilitySettings, ReliableRequest, WaitProgress } from '../../lib/http/reliable';
import { QueueDeadlineError } from '../../lib/http/rate-limiter';
import type { SharedRateGate } from '../../lib/http/shared-gate';
import { FakeClock, settle } from '../support/clock';

type Answer = HttpResponse | TransportError;

/** A transport that answers from a script and records what it was sent, and when. */
class ScriptedSender implements HttpSender {
  readonly origin = 'http://gateway.test';
  readonly pathPrefix = '';
  readonly sent: Array<HttpRequest & { at: number }> = [];
  constructor(
    private readonly clock: FakeClock,
    private readonly script: Answer[],
  ) {}
  async send(request: HttpRequest): Promise<HttpResponse> {
    this.sent.push({ ...request, at: this.clock.now() });
    await settle();
    const next = this.script.shift() ?? status(200);
    if (next instanceof TransportError) throw next;
    return next;
  }
}

function status(code: number, headers: Record<string, string> = {}): HttpResponse {
  return { status: code, headers, body: Buffer.from(code < 400 ? '{"data":{}}' : '{"error":{"code":"x"}}') };
}
const dropped = (): TransportError => new TransportError('network_error', 'Could not reach Test at http://gateway.test: ECONNRESET');
const refused = (): TransportError => new TransportError('network_error', 'Could not reach Test at http://gateway.test: ECONNREFUSED', { sent: false });

const POLICY = defineHttpPolicy({ service: 'Test', rateLimit: { limit: 100, windowMs: 60_000, mode: 'sliding' } });

describe('ReliableClient: retries', () => {
  let clock: FakeClock;
  let n = 0;
  beforeEach(() => {
    clock = new FakeClock();
  });

  function client(script: Answer[], settings: ReliabilitySettings = {}, policy: HttpPolicy = POLICY): { reliable: ReliableClient; sender: ScriptedSender } {
    const sender = new ScriptedSender(clock, script);
    // A fresh identity per client: no shared rate-limit state between tests.
    const reliable = new ReliableClient({ http: sender, policy, identity: `key-${++n}-${Math.random()}`, settings: { rateLimit: 0, ...settings }, clock, random: () => 0.5 });
    return { reliable, sender };
  }

  function request(extra: Partial<ReliableRequest> = {}): ReliableRequest & { waits: WaitProgress[]; prepared: number[] } {
    const waits: WaitProgress[] = [];
    const prepared: number[] = [];
    return {
      method: 'GET',
      target: '/api/things',
      replaySafe: true,
      prepare: (attempt) => {
        prepared.push(attempt);
        return { headers: { date: new Date(clock.now()).toUTCString(), authorization: `sig-${attempt}-${clock.now()}` } };
      },
      onWait: (p) => waits.push(p),
      waits,
      prepared,
      ...extra,
    };
  }

  it('retries a garbled 2xx (cut-off JSON) of a replay-safe request and hands back the parsed answer; a request that is not replay-safe gets it once', async () => {
    const cut = (): HttpResponse => ({ status: 201, headers: {}, body: Buffer.from('{"data":{"id":"w-1","amou') });
    const good: HttpResponse = { status: 201, headers: {}, body: Buffer.from('{"data":{"id":"w-1"}}') };
    const safe = client([cut(), cut(), good]);
    const res = await clock.run(safe.reliable.send(request({ method: 'POST', expectJson: true })));
    assert.equal(res.attempts, 3);
    assert.deepEqual(res.json, { data: { id: 'w-1' } });
    assert.equal(safe.sender.sent.length, 3);

    const unsafe = client([cut(), good]);
    const once = await clock.run(unsafe.reliable.send(request({ method: 'POST', replaySafe: false, expectJson: true })));
    assert.equal(once.attempts, 1, 'a payout without its key is never sent twice');
    assert.equal(once.json, undefined);
    assert.equal(unsafe.sender.sent.length, 1);

    // Without expectJson the body is not looked at; when retries run out the last answer is handed back.
    const plain = client([cut()]);
    assert.equal((await clock.run(plain.reliable.send(request({ method: 'POST' })))).attempts, 1);
    const exhausted = client([cut(), cut(), cut()], { deadlineMs: 500 });
    const last = await clock.run(exhausted.reliable.send(request({ method: 'POST', expectJson: true })));
    assert.equal(last.status, 201);
    assert.equal(last.json, undefined);
    assert.ok(last.attempts > 1 && last.attempts <= 3, String(last.attempts));
  });

  it('retries 503 with growing, jittered delays and signs each attempt afresh', async () => {
    const { reliable, sender } = client([status(503), status(503), status(200)]);
    const req = request();
    const res = await clock.run(reliable.send(req));
    assert.equal(res.status, 200);
    assert.equal(res.attempts, 3);
    const start = sender.sent[0]!.at;
    // random 0.5: retry 1 waits 125 + 62.5, retry 2 250 + 125 (equal jitter over 250 · 2^(n-1)).
    assert.deepEqual(sender.sent.map((s) => s.at - start), [0, 188, 563]);
    assert.deepEqual(req.prepared, [1, 2, 3]);
    assert.equal(new Set(sender.sent.map((s) => s.headers.authorization)).size, 3, 'every attempt has its own signature');
    assert.deepEqual(req.waits, [
      { reason: 'retry', attempt: 1, delayMs: 188, queued: 0 },
      { reason: 'retry', attempt: 2, delayMs: 375, queued: 0 },
    ]);
  });

  it('honours Retry-After when it is longer than the backoff', async () => {
    const { reliable, sender } = client([status(429, { 'retry-after': '7' }), status(200)]);
    const res = await clock.run(reliable.send(request()));
    assert.equal(res.attempts, 2);
    assert.equal(sender.sent[1]!.at - sender.sent[0]!.at, 7000);
  });

  it('does not retry what the gateway refused for good (4xx)', async () => {
    const { reliable, sender } = client([status(422), status(200)]);
    const res = await clock.run(reliable.send(request()));
    assert.deepEqual([res.status, res.attempts, sender.sent.length], [422, 1, 1]);
  });

  it('retries dropped connections and timeouts of replay-safe requests', async () => {
    const { reliable, sender } = client([dropped(), new TransportError('timeout', 'Test did not answer within 100 ms'), status(201)]);
    const res = await clock.run(reliable.send(request({ method: 'POST', replaySafe: true })));
    assert.deepEqual([res.status, res.attempts, sender.sent.length], [201, 3, 3]);
  });

  it('never sends a request without its idempotency key twice once it may have reached the gateway', async () => {
    const answered = client([status(503), status(201)]);
    const res = await clock.run(answered.reliable.send(request({ method: 'POST', replaySafe: false })));
    assert.deepEqual([res.status, res.attempts, answered.sender.sent.length], [503, 1, 1], 'an answer proves it arrived');
    const lost = client([dropped(), status(201)]);
    await assert.rejects(clock.run(lost.reliable.send(request({ method: 'POST', replaySafe: false }))), /ECONNRESET$/);
    assert.equal(lost.sender.sent.length, 1, 'a dropped connection may have delivered it');
  });

  it('resends a request without key that the gateway refused with 429 (refused before acting), never one answered 5xx', async () => {
    const limited = client([status(429, { 'retry-after': '2' }), status(201)]);
    const res = await clock.run(limited.reliable.send(request({ method: 'POST', replaySafe: false })));
    assert.deepEqual([res.status, res.attempts, limited.sender.sent.length], [201, 2, 2]);
    const failed = client([status(502), status(201)]);
    const once = await clock.run(failed.reliable.send(request({ method: 'POST', replaySafe: false })));
    assert.deepEqual([once.status, once.attempts, failed.sender.sent.length], [502, 1, 1]);
  });

  it('does resend a request without key when the connection was refused before any byte left', async () => {
    const { reliable, sender } = client([refused(), refused(), status(201)]);
    const res = await clock.run(reliable.send(request({ method: 'POST', replaySafe: false })));
    assert.deepEqual([res.status, res.attempts, sender.sent.length], [201, 3, 3]);
  });

  it('stops at the deadline: no retry that would start after it, and says how many attempts were made', async () => {
    const { reliable, sender } = client(Array.from({ length: 20 }, () => status(503)), { deadlineMs: 2000 });
    const res = await clock.run(reliable.send(request()));
    assert.equal(res.status, 503);
    const start = sender.sent[0]!.at;
    assert.ok(sender.sent.every((s) => s.at - start < 2000), sender.sent.map((s) => s.at - start).join(','));
    // 0, 188, 563, 1313: the next (+750) would start at 2063, past the deadline.
    assert.equal(res.attempts, 4);
    assert.equal(sender.sent.length, 4);
    const failing = client(Array.from({ length: 20 }, () => dropped()), { deadlineMs: 2000 });
    await assert.rejects(clock.run(failing.reliable.send(request())), (err: unknown) => err instanceof TransportError && /ECONNRESET after 4 attempts$/.test(err.message));
  });

  it('starts no retry with less than MIN_ATTEMPT_MS left, and reports the failure that made it retry', async () => {
    // 0, 188, 563, then 1313 would leave 37 ms of a 1350 ms deadline: it would only time out.
    const { reliable, sender } = client(Array.from({ length: 20 }, () => status(503)), { deadlineMs: 1313 + MIN_ATTEMPT_MS - 1 });
    const res = await clock.run(reliable.send(request()));
    assert.deepEqual([res.status, res.attempts, sender.sent.length], [503, 3, 3]);
    const enough = client(Array.from({ length: 20 }, () => status(503)), { deadlineMs: 1313 + MIN_ATTEMPT_MS });
    assert.equal((await clock.run(enough.reliable.send(request()))).attempts, 4);
  });

  it('a retry the shared rate limit cannot admit before the deadline is not made; the gate is told the time left', async () => {
    const asked: Array<number | undefined> = [];
    const gate: SharedRateGate = {
      enter: (req) => {
        asked.push(req.maxWaitMs);
        // The other instances have used the window for the next 5 s.
        return req.maxWaitMs !== undefined && req.maxWaitMs < 5000 ? Promise.reject(new QueueDeadlineError('no room')) : Promise.resolve({ leave: () => undefined });
      },
    };
    const { reliable, sender } = client([status(503), status(200)], { deadlineMs: 2000, rateLimit: 100, sharedGate: gate });
    try {
      const res = await clock.run(reliable.send(request()));
      assert.deepEqual([res.status, res.attempts, sender.sent.length], [503, 1, 1]);
      assert.deepEqual(asked, [undefined, 2000 - 188 - MIN_ATTEMPT_MS], 'the first attempt waits as long as it takes, the retry only as long as leaves it MIN_ATTEMPT_MS');
    } finally {
      // Its rate limiter is process-wide while a client uses it (a later test counts those in use).
      await reliable.close();
    }
  });

  it('a retry that waited at the shared gate gets only what is left of the deadline as its timeout', async () => {
    // The gate admits the retry 700 ms after it asked.
    const gate: SharedRateGate = { enter: () => new Promise((resolve) => clock.setTimer(() => resolve({ leave: () => undefined }), 700)) };
    const { reliable, sender } = client([status(503), status(200)], { deadlineMs: 2000, rateLimit: 100, sharedGate: gate });
    try {
      const t0 = clock.now();
      await clock.run(reliable.send(request()));
      // The deadline counts from the first attempt's start (0); that attempt waits 700 ms at the
      // gate, the retry asks at 888 and goes at 1588: 412 ms are left, not 1112.
      assert.deepEqual(sender.sent.map((s) => [s.at - t0, s.timeoutMs]), [[700, undefined], [1588, 412]]);
    } finally {
      await reliable.close();
    }
  });

  it('caps the last attempt\'s timeout at what is left of the deadline', async () => {
    const { reliable, sender } = client([status(503), status(200)], { deadlineMs: 1000 });
    await clock.run(reliable.send(request()));
    assert.equal(sender.sent[0]!.timeoutMs, undefined, 'the first attempt has the full timeout');
    assert.equal(sender.sent[1]!.timeoutMs, 1000 - 188);
  });

  it('gives up at once when the gateway asks to wait past the deadline', async () => {
    const { reliable, sender } = client([status(429, { 'retry-after': '120' }), status(200)], { deadlineMs: 60_000 });
    const res = await clock.run(reliable.send(request()));
    assert.deepEqual([res.status, res.attempts, sender.sent.length], [429, 1, 1]);
  });

  it('deadline 0 means exactly one attempt', async () => {
    const { reliable, sender } = client([status(503), status(200)], { deadlineMs: 0 });
    const res = await clock.run(reliable.send(request()));
    assert.deepEqual([res.status, res.attempts, sender.sent.length], [503, 1, 1]);
  });

  it('stops after the policy\'s attempts and waits at least its minimum delay (CPG: a new second)', async () => {
    const policy = defineHttpPolicy({ service: 'Test', rateLimit: POLICY.rateLimit, maxAttempts: 3, minRetryDelayMs: 1000 });
    const { reliable, sender } = client(Array.from({ length: 10 }, () => status(500)), {}, policy);
    const res = await clock.run(reliable.send(request()));
    assert.equal(res.attempts, 3);
    assert.deepEqual(sender.sent.map((s) => s.at - sender.sent[0]!.at), [0, 1000, 2000]);
  });

  it('a closed node cancels a request waiting for its retry', async () => {
    const { reliable, sender } = client([status(503), status(200)]);
    const controller = new AbortController();
    const pending = reliable.send(request({ signal: controller.signal }));
    await settle();
    await settle();
    controller.abort();
    await assert.rejects(pending, /cancelled/);
    assert.equal(sender.sent.length, 1);
  });

  it('carriesKey: a non-empty key or a number (nonce)', () => {
    assert.deepEqual(['pw-1', ' ', '', undefined, null, 1640995200123456, Number.NaN].map(carriesKey), [true, false, false, false, false, true, false]);
  });
});

describe('ReliableClient: rate limit', () => {
  it('queues past the limit, reports the queue, and puts a retry ahead of requests still waiting for their first attempt', async () => {
    const clock = new FakeClock();
    const script: Answer[] = [status(200), status(503), status(200), status(200), status(200)];
    const sender = new ScriptedSender(clock, script);
    const reliable = new ReliableClient({ http: sender, policy: POLICY, identity: `rl-${Math.random()}`, settings: { rateLimit: 2, rateLimitWindowMs: 1000 }, clock, random: () => 0 });
    const waits: WaitProgress[][] = [[], [], [], []];
    const sends = waits.map((w, i) =>
      reliable.send({ method: 'GET', target: `/t/${i}`, replaySafe: true, prepare: () => ({ headers: {} }), onWait: (p) => w.push(p) }),
    );
    const results = await clock.run(Promise.all(sends));
    assert.deepEqual(results.map((r) => r.attempts), [1, 2, 1, 1]);
    assert.deepEqual(waits[2]!.filter((p) => p.reason === 'rate_limit').map((p) => p.queued), [1, 1], 'joined first; left after the retry, with /t/3 still waiting');
    assert.deepEqual(waits[3]!.filter((p) => p.reason === 'rate_limit').map((p) => p.queued), [2, 0]);
    assert.deepEqual(waits[1]!.map((p) => [p.reason, p.queued]), [['retry', 2], ['rate_limit', 3], ['rate_limit', 2]]);
    // /t/1's retry (after 125 ms) went before /t/2 and /t/3, which were waiting since the start.
    assert.deepEqual(sender.sent.map((s) => s.target), ['/t/0', '/t/1', '/t/1', '/t/2', '/t/3']);
    const start = sender.sent[0]!.at;
    assert.deepEqual(sender.sent.map((s) => s.at - start), [0, 0, 1000, 1000, 2000], 'two per second');
    await reliable.close();
  });

  it('a retry still waiting for the rate limit at the deadline gives up with the last answer', async () => {
    const clock = new FakeClock();
    const sender = new ScriptedSender(clock, [status(503), status(200)]);
    const reliable = new ReliableClient({ http: sender, policy: POLICY, identity: `dl-${Math.random()}`, settings: { rateLimit: 1, rateLimitWindowMs: 10_000, deadlineMs: 2000 }, clock, random: () => 0 });
    const started = clock.t;
    const res = await clock.run(reliable.send({ method: 'GET', target: '/t', replaySafe: true, prepare: () => ({ headers: {} }) }));
    assert.deepEqual([res.status, res.attempts, sender.sent.length], [503, 1, 1]);
    assert.equal(clock.t - started, 2000, 'waited in the queue until the deadline, not for the slot');
    await reliable.close();
  });
});
