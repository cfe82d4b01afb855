export type { ClaimResult, DedupeStore, DedupeTtl } from './types';
export { DEFAULT_DEDUPE_TTL } from './types';
export { MemoryDedupeStore } from './memory';
export { ContextDedupeStore } from './context';
export type { KeyValueStore, ContextDedupeOptions } from './context';
export { RedisDedupeStore, DEDUPE_SCRIPTS } from './redis';
