export { RedisConnection, RedisReplyMismatchError, ioRedisOptions, openRedis } from './connection';
export type { LuaScript, RedisConnectionOptions, RedisScripting, RedisState } from './connection';
export { RedisUrlError, describeEndpoint, parseRedisUrl } from './url';
export type { RedisEndpoint } from './url';
export { RedisRateGate, RATE_GATE_SCRIPTS } from './rate-gate';
