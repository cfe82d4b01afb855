/**
 * The shared rate limit (lib/http/shared-gate.ts) over Redis. Per account, a sorted set holds one
 * member per request: its score is when the request's slot starts to count down one window —
 * "far ahead" while the request is in flight, its answer time once it answered — as the local
 * limiter does, so a gateway counting arrivals in any window of its own sees at most `limit`.
 * Time is Redis's (TIME in the script), one clock for every instance. Keys hold a hash of the
 * account, never an API key.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LEARNED_LIMIT_WINDOWS, QueueDeadlineError } from '../http/rate-limiter';
import type { SharedGateOutcome, SharedGateRequest, SharedRateGate, SharedSlot } from '../http/shared-gate';
import type { LuaScript, RedisScripting } from './connection';

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

export const RATE_GATE_SCRIPTS = {
  // KEYS: slots, pause, learned. ARGV: token, limit, configured limit, window ms, in-flight hold ms.
  enter: {
    name: 'paywireRateEnter',
    keys: 3,
    lua: `${NOW}
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return {pause - now, ARGV[1]} end
local window = tonumber(ARGV[4])
local limit = tonumber(ARGV[2])
if limit < tonumber(ARGV[3]) then
  redis.call('SET', KEYS[3], limit, 'PX', window * ${LEARNED_LIMIT_WINDOWS})
else
  local learned = tonumber(redis.call('GET', KEYS[3]) or '0')
  if learned > 0 and learned < limit then limit = learned end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  local hold = tonumber(ARGV[5])
  redis.call('ZADD', KEYS[1], now + hold, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], hold + window)
  return {0, ARGV[1]}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {math.max(1, tonumber(first[2]) + window - now), ARGV[1]}`,
  },
  // KEYS: slots, pause. ARGV: token, window ms, pause ms.
  leave: {
    name: 'paywireRateLeave',
    keys: 2,
    lua: `${NOW}
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
local p = tonumber(ARGV[3])
if p > 0 then
  local untilAt = now + p
  if untilAt > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], untilAt, 'PX', p) end
end
return {ARGV[1]}`,
  },
} as const satisfies Record<string, LuaScript>;

/** A request that never answers holds its slot this long at most (beyond any HTTP timeout). */
const IN_FLIGHT_HOLD_MS = 120_000;
/** Waiting instances look again at least this often: a slot may free early (an answer came). */
const MAX_POLL_MS = 250;

export class RedisRateGate implements SharedRateGate {
  constructor(
    private readonly redis: RedisScripting,
    private readonly prefix = 'paywire:',
  ) {}

  async enter(request: SharedGateRequest): Promise<SharedSlot> {
    const base = `${this.prefix}ratelimit:${createHash('sha256').update(request.account).digest('hex').slice(0, 32)}`;
    const keys = [`${base}:slots`, `${base}:pause`, `${base}:learned`];
    const token = randomUUID();
    const giveUpAt = request.maxWaitMs === undefined ? Infinity : Date.now() + request.maxWaitMs;
    for (;;) {
      request.signal?.throwIfAborted();
      const args = [String(request.limit), String(request.configuredLimit), String(request.windowMs), String(IN_FLIGHT_HOLD_MS)];
      const [waitMs] = await this.redis.run(RATE_GATE_SCRIPTS.enter, keys, token, args);
      if (waitMs === 0) break;
      if (Date.now() + Number(waitMs) > giveUpAt) throw new QueueDeadlineError(`the shared rate limit has no room before the request's deadline`);
      await sleep(Math.min(Number(waitMs), MAX_POLL_MS), undefined, request.signal ? { signal: request.signal } : undefined);
    }
    return {
      leave: (outcome: SharedGateOutcome) => {
        const pauseMs = String(Math.ceil(outcome.pauseMs ?? 0));
        // Failing to record the answer only holds the slot longer (IN_FLIGHT_HOLD_MS): safe side.
        this.redis.run(RATE_GATE_SCRIPTS.leave, keys.slice(0, 2), token, [String(request.windowMs), pauseMs]).catch(() => undefined);
      },
    };
  }
}
