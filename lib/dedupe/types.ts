/**
 * Duplicate suppression for callbacks: the first claim of a key wins, later ones within
 * the TTL are duplicates. A claim can be released (the message could not be handed on),
 * and only by its holder: a release never frees a claim someone else made since.
 * Async so shared stores (a Node-RED context store, Redis) can implement it.
 */
export interface DedupeClaim {
  release(): Promise<void>;
}

export interface DedupeStore {
  /** The claim when this is the first claim of `key` within `ttlMs`; undefined for a duplicate. */
  claim(key: string, ttlMs: number): Promise<DedupeClaim | undefined>;
}
