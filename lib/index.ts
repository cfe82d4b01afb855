/** Paywire's framework-free core: usable and testable without Node-RED. */
export * from './errors';
export * from './status';
export * from './operations';
export * from './pagination';
export * from './decimal';
export { HttpClient } from './http/client';
export { buildQuery, withQuery } from './http/query';
export { PROVIDERS, getProvider, findOperation, connect, catalog } from './providers';
export type { ProviderDefinition, ProviderConnection, ConnectionOptions, VerifiedCallback, Credentials, HeaderMap } from './providers/types';
export * from './providers/cryptopay';
