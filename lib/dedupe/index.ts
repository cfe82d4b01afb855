export type { DedupeClaim, DedupeStore } from './types';
export { MemoryDedupeStore } from './memory';
export { ContextDedupeStore } from './context';
export type { KeyValueStore, ContextDedupeOptions } from './context';
export { RedisDedupeStore } from './redis';
export type { RedisCommander } from './redis';
