/**
 * Gateways saved before they had a provider choice (config version 1) were Cryptopay's, the
 * only gateway then. A fact about old flows, kept apart from the registry so reading it loads
 * no provider.
 */
export const V1_GATEWAY_PROVIDER = 'cryptopay';
