// A seeded fault plan shared by the three emulators: each API request may be hit by one fault,
// chosen by a seeded PRNG at the given rates, in the order the requests arrive.
//
//   reset_after_commit  the request is processed (state changed, money moved), then the socket is
//                       destroyed without a response byte;
//   reset_before        the socket is destroyed before anything is processed;
//   timeout             processed, but the answer is held back until the client gives up (closes
//                       the socket) or `holdMs` passes, then the socket is destroyed;
//   slow                processed after a delay of `slowMs` (min..max), answered normally;
//   status_503          answered 503 at once, unprocessed; opens a burst of `burst503` requests;
//   status_429          answered 429 with Retry-After (and the provider's rate headers), unprocessed;
//                       opens a storm of `burst429` requests;
//   malformed_json      processed, answered 200 with a body that is not JSON;
//   truncated_json      processed, answered with the handler's status and the first half of its
//                       JSON body (framed correctly: the client reads a complete, cut answer).
//
// The plan works on the raw http request and response, below each emulator's own routing, so the
// per-request faults of the emulators (injectFault: drop_after_commit, drop_before, status) keep
// working unchanged; a request the plan leaves alone reaches them as before.
import type http from 'node:http';

export const FAULT_KINDS = ['reset_after_commit', 'reset_before', 'timeout', 'slow', 'status_503', 'status_429', 'malformed_json', 'truncated_json'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultPlanOptions {
  /** PRNG seed (any integer); the same seed and request order give the same faults. */
  seed: number;
  /** Probability (0..1) per eligible request that a fault of this kind starts; their sum must be <= 1. */
  rates: Partial<Record<FaultKind, number>>;
  /** Requests answered 503 once a burst starts (the first included); default 3. */
  burst503?: number;
  /** Requests answered 429 once a storm starts (the first included); default 8. */
  burst429?: number;
  /** Delay range of `slow`, real ms; default [20, 200]. */
  slowMs?: readonly [number, number];
  /** Longest a `timeout` holds a socket, real ms; default 30 000. */
  holdMs?: number;
  /** Retry-After of a 429 (and a 503), seconds; default 1. */
  retryAfterSeconds?: number;
  /** Only requests with this method (any when omitted). */
  method?: string;
  /** Only API paths matching this too (RegExp source or RegExp); default: every API path. */
  path?: string | RegExp;
}

export interface FaultPlanStats {
  seed: number;
  /** API requests seen while the plan was on. */
  requests: number;
  /** Of those, the ones the plan could fault (method and path matched). */
  eligible: number;
  /** Faults injected, by kind (every kind present, 0 when none). */
  injected: Record<FaultKind, number>;
  /** Sum of `injected`. */
  faulted: number;
}

export interface FaultDecision {
  kind: FaultKind;
  /** For `slow`: the delay; for `timeout`: the longest hold. */
  delayMs: number;
  retryAfterSeconds: number;
}

/** mulberry32: small, fast, good enough for test schedules; returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(kind: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new RangeError(`fault plan: rate of ${kind} must be a number from 0 to 1`);
  return v;
}

function checkCount(name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new RangeError(`fault plan: ${name} must be a number >= ${min}`);
  return v;
}

export class FaultPlan {
  readonly seed: number;
  private readonly random: () => number;
  private readonly rates: Array<[FaultKind, number]>;
  private readonly burst503: number;
  private readonly burst429: number;
  private readonly slowMs: readonly [number, number];
  private readonly holdMs: number;
  private readonly retryAfterSeconds: number;
  private readonly method: string | null;
  private readonly path: RegExp | null;
  private burst: { kind: 'status_503' | 'status_429'; left: number } | null = null;
  private requests = 0;
  private eligible = 0;
  private readonly injected = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

  /** Validates the options (RangeError on bad ones). */
  constructor(options: FaultPlanOptions) {
    if (typeof options !== 'object' || options === null) throw new RangeError('fault plan: options must be an object');
    if (typeof options.seed !== 'number' || !Number.isInteger(options.seed)) throw new RangeError('fault plan: seed must be an integer');
    this.seed = options.seed;
    this.random = seededRandom(options.seed);
    const rates = options.rates ?? {};
    if (typeof rates !== 'object' || rates === null) throw new RangeError('fault plan: rates must be an object');
    this.rates = [];
    let sum = 0;
    for (const [kind, rate] of Object.entries(rates)) {
      if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new RangeError(`fault plan: unknown fault kind "${kind}" (one of ${FAULT_KINDS.join(', ')})`);
      const r = checkRate(kind, rate);
      sum += r;
      if (r > 0) this.rates.push([kind as FaultKind, r]);
    }
    if (sum > 1 + 1e-9) throw new RangeError('fault plan: the rates add up to more than 1');
    this.burst503 = Math.floor(checkCount('burst503', options.burst503, 3, 1));
    this.burst429 = Math.floor(checkCount('burst429', options.burst429, 8, 1));
    const slow = options.slowMs ?? [20, 200];
    if (!Array.isArray(slow) || slow.length !== 2 || !slow.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0) || slow[0] > slow[1]) {
      throw new RangeError('fault plan: slowMs must be [min, max] with 0 <= min <= max');
    }
    this.slowMs = [slow[0], slow[1]];
    this.holdMs = checkCount('holdMs', options.holdMs, 30_000, 0);
    this.retryAfterSeconds = Math.floor(checkCount('retryAfterSeconds', options.retryAfterSeconds, 1, 0));
    if (options.method !== undefined && typeof options.method !== 'string') throw new RangeError('fault plan: method must be a string');
    this.method = options.method ? options.method.toUpperCase() : null;
    if (options.path === undefined) this.path = null;
    else if (options.path instanceof RegExp) this.path = new RegExp(options.path.source, options.path.flags.replace(/[gy]/g, ''));
    else if (typeof options.path === 'string') {
      try {
        this.path = new RegExp(options.path);
      } catch {
        throw new RangeError('fault plan: path must be a valid regular expression');
      }
    } else throw new RangeError('fault plan: path must be a regular expression');
  }

  /** The fault for this request (null: none), counting it; `apiPath` is the emulator's API prefix. */
  decide(method: string, path: string, apiPath: RegExp): FaultDecision | null {
    // only the API, whatever `path` says (controls and hosted pages are never faulted)
    if (!apiPath.test(path)) return null;
    this.requests += 1;
    if (this.method !== null && this.method !== method.toUpperCase()) return null;
    if (this.path && !this.path.test(path)) return null;
    this.eligible += 1;
    let kind: FaultKind | null = null;
    if (this.burst) {
      kind = this.burst.kind;
      this.burst.left -= 1;
      if (this.burst.left <= 0) this.burst = null;
    } else {
      // one draw per eligible request, whatever happens, so the schedule depends on the order only
      const x = this.random();
      let acc = 0;
      for (const [k, rate] of this.rates) {
        acc += rate;
        if (x < acc) {
          kind = k;
          break;
        }
      }
      if (kind === 'status_503' && this.burst503 > 1) this.burst = { kind, left: this.burst503 - 1 };
      if (kind === 'status_429' && this.burst429 > 1) this.burst = { kind, left: this.burst429 - 1 };
    }
    if (kind === null) return null;
    this.injected[kind] += 1;
    const [lo, hi] = this.slowMs;
    const delayMs = kind === 'slow' ? Math.round(lo + (hi - lo) * this.random()) : kind === 'timeout' ? this.holdMs : 0;
    return { kind, delayMs, retryAfterSeconds: this.retryAfterSeconds };
  }

  stats(): FaultPlanStats {
    const injected = { ...this.injected };
    return { seed: this.seed, requests: this.requests, eligible: this.eligible, injected, faulted: Object.values(injected).reduce((a, b) => a + b, 0) };
  }
}

/** How an emulator answers an unprocessed 503 or 429 in its own envelope, with its own rate headers. */
export type FaultAnswer = (status: 503 | 429, retryAfterSeconds: number) => { headers: Record<string, string>; body: string };

/**
 * Sits in front of an emulator's request handler. Holds the current plan (none: every request
 * goes straight through) and applies its decision to the raw request and response.
 */
export class FaultGate {
  private current: FaultPlan | null = null;
  private readonly held = new Set<NodeJS.Timeout>();

  constructor(
    private readonly apiPath: RegExp,
    private readonly answer: FaultAnswer,
  ) {}

  /** Turns the plan on (validated; RangeError on bad options) or off (null); returns it. */
  set(options: FaultPlanOptions | FaultPlan | null): FaultPlan | null {
    this.current = options === null ? null : options instanceof FaultPlan ? options : new FaultPlan(options);
    return this.current;
  }

  get plan(): FaultPlan | null {
    return this.current;
  }

  /** Cancels the timers of held (`timeout`) answers; their sockets go with the server. */
  clearTimers(): void {
    for (const t of this.held) clearTimeout(t);
    this.held.clear();
  }

  serve(req: http.IncomingMessage, res: http.ServerResponse, next: () => void): void {
    const plan = this.current;
    if (!plan) return next();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const decision = plan.decide(req.method ?? 'GET', q < 0 ? target : target.slice(0, q), this.apiPath);
    if (!decision) return next();
    switch (decision.kind) {
      case 'reset_before':
        req.socket.destroy();
        return;
      case 'slow': {
        const t = setTimeout(() => {
          this.held.delete(t);
          if (!req.socket.destroyed) next();
        }, decision.delayMs);
        this.held.add(t);
        return;
      }
      case 'status_503':
      case 'status_429': {
        const status = decision.kind === 'status_503' ? 503 : 429;
        const { headers, body } = this.answer(status, decision.retryAfterSeconds);
        const payload = Buffer.from(body, 'utf8');
        // drain the request body first, so keep-alive stays usable
        req.resume();
        req.on('end', () => {
          if (res.headersSent || res.destroyed) return;
          res.writeHead(status, { 'Cache-Control': 'no-store', ...headers, 'Content-Length': String(payload.length) });
          res.end(payload);
        });
        return;
      }
      default:
        this.afterProcessing(decision, req, res);
        next();
    }
  }

  /** Lets the handler process the request, then changes what goes back (reset, hold, malform, cut). */
  private afterProcessing(decision: FaultDecision, req: http.IncomingMessage, res: http.ServerResponse): void {
    const writeHead = res.writeHead.bind(res) as (status: number, headers: http.OutgoingHttpHeaders) => http.ServerResponse;
    const end = res.end.bind(res) as (chunk?: Buffer) => http.ServerResponse;
    let status = 200;
    let headers: http.OutgoingHttpHeaders = {};
    const destroy = (): void => {
      req.socket.destroy();
      res.destroy();
    };
    res.writeHead = ((s: number, h?: http.OutgoingHttpHeaders) => {
      status = s;
      headers = { ...(h ?? {}) };
      return res;
    }) as typeof res.writeHead;
    res.end = ((chunk?: unknown) => {
      const body = chunk === undefined || chunk === null || typeof chunk === 'function' ? Buffer.alloc(0) : Buffer.from(chunk as Buffer);
      if (decision.kind === 'reset_after_commit') destroy();
      else if (decision.kind === 'timeout') {
        const t = setTimeout(() => {
          this.held.delete(t);
          destroy();
        }, decision.delayMs);
        t.unref();
        this.held.add(t);
        res.once('close', () => {
          clearTimeout(t);
          this.held.delete(t);
        });
      } else {
        const out = decision.kind === 'malformed_json' ? malformJson(body) : body.subarray(0, Math.floor(body.length / 2));
        writeHead(decision.kind === 'malformed_json' ? 200 : status, { ...headers, 'Content-Length': String(out.length) });
        end(out);
      }
      return res;
    }) as typeof res.end;
  }
}

/** JSON turned into something that is not: every double quote a single one ("{'data': …}"). */
export function malformJson(body: Buffer): Buffer {
  const text = body.length > 0 ? body.toString('utf8') : '{"data":null}';
  return Buffer.from(text.replace(/"/g, "'"), 'utf8');
}
