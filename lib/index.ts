/** Paywire's framework-free core: usable and testable without Node-RED. */
export * from './errors';
export * from './status';
export * from './operations';
export * from './results';
export * from './pagination';
export * from './decimal';
export { HttpClient } from './http/client';
export { buildQuery, withQuery } from './http/query';
export { ReliableClient, carriesKey, DEFAULT_DEADLINE_MS, DEFAULT_MAX_QUEUE } from './http/reliable';
export type { CallContext, ReliabilitySettings, ReliableRequest, ReliableResponse, PreparedAttempt } from './http/reliable';
export { defineHttpPolicy, isTransientStatus, backoffDelay } from './http/policy';
export type { HttpPolicy, RateLimitPolicy, BackoffOptions } from './http/policy';
export { nextEpochMinute, readRateLimitHeaders, retryAfterAt, statedResetAt } from './http/rate-headers';
export { PROVIDERS, getProvider, findOperation, connect, catalog } from './providers';
export type { ProviderDefinition, ProviderConnection, ConnectionOptions, VerifiedCallback, Credentials, HeaderMap } from './providers/types';
// Every shipped provider, side by side: its definition, client, callback verifier and signing.
export * from './providers/cryptopay';
export * from './providers/cpg';
export * from './providers/payment-orders';
