/**
 * The provider registry, and the generic connection the gateway node owns. Everything the
 * nodes and the editor know about a gateway comes from a registered ProviderDefinition: the
 * editor's catalog, the gateway's connection, callback verification, status tables.
 */
import { InputError } from '../errors';
import { ownValue } from '../lookup';
import { describeFields, parseInput } from '../operations';
import type { FieldDescription, OperationDefinition } from '../operations';
import { cpgProvider } from './cpg';
import { cryptopayProvider } from './cryptopay';
import { paymentOrdersProvider } from './payment-orders';
import type { ConnectionOptions, Credentials, ProviderConnection, ProviderDefinition } from './types';

const registered: Record<string, ProviderDefinition> = {};
let revision = 0;

/** The registered providers by id, in the order they were registered (the editor's order). */
export const PROVIDERS: Readonly<Record<string, ProviderDefinition>> = registered;

/**
 * Adds a provider: from then on the editor's catalog lists it and gateways can use it. Its id
 * must be new. Returns the way to take it out again (for tests that register their own).
 */
export function registerProvider<Client>(provider: ProviderDefinition<Client>): () => void {
  if (ownValue(registered, provider.id)) throw new Error(`a provider with id "${provider.id}" is registered already`);
  const entry = provider as ProviderDefinition;
  registered[provider.id] = entry;
  revision += 1;
  return () => {
    if (registered[provider.id] !== entry) return;
    delete registered[provider.id];
    revision += 1;
  };
}

/** Changes whenever the set of providers does, so a cache of the catalog knows it is stale. */
export function registryRevision(): number {
  return revision;
}

// The shipped providers. A new provider adds its folder and one line here.
registerProvider(cryptopayProvider);
registerProvider(cpgProvider);
registerProvider(paymentOrdersProvider);

/** The provider a new gateway starts with: the first registered. */
export function defaultProviderId(): string | undefined {
  return Object.keys(registered)[0];
}

/** Why these credentials cannot call the API ("missing credentials: API key"), or undefined. */
export function credentialProblem(provider: ProviderDefinition, credentials: Credentials): string | undefined {
  const missing = provider.credentials.filter((c) => c.requiredForApi && !credentials[c.name]).map((c) => c.label);
  if (missing.length > 0) return `missing credentials: ${missing.join(', ')}`;
  return provider.checkCredentials?.(credentials);
}

export function getProvider(id: string): ProviderDefinition | undefined {
  return ownValue(PROVIDERS, id);
}

export function findOperation(provider: ProviderDefinition, resource: string, operation: string): OperationDefinition<unknown> | undefined {
  return ownValue(provider.operations, resource)?.find((op) => op.name === operation);
}

export function connect(provider: ProviderDefinition, options: ConnectionOptions): ProviderConnection {
  const client = provider.createClient(options);
  return {
    async run(resource, operation, raw, ctx) {
      const op = findOperation(provider, resource, operation);
      if (!op) {
        throw new InputError(`${provider.label} has no "${operation}" operation for ${resource}s`);
      }
      const input = parseInput(op.label, op.input, raw) as Record<string, unknown>;
      return op.run(client, input, ctx);
    },
    close: () => client.close(),
  };
}

/** What the editor needs to draw provider-aware forms; contains no secrets. */
export interface Catalog {
  /** The provider a new gateway starts with. */
  defaultProvider?: string;
  providers: Array<{
    id: string;
    label: string;
    environments: ProviderDefinition['environments'];
    credentials: ProviderDefinition['credentials'];
    /** The documented rate limit the gateway form shows as its default. */
    rateLimit: { limit: number; windowSeconds: number; mode: 'sliding' | 'headers' };
    resources: Record<string, Array<{ name: string; label: string; nodeLabel?: string; description: string; list: boolean; fields: FieldDescription[] }>>;
  }>;
}

export function catalog(): Catalog {
  return {
    ...(defaultProviderId() !== undefined ? { defaultProvider: defaultProviderId() } : {}),
    providers: Object.values(PROVIDERS).map((p) => ({
      id: p.id,
      label: p.label,
      environments: p.environments,
      credentials: p.credentials,
      rateLimit: { limit: p.httpPolicy.rateLimit.limit, windowSeconds: p.httpPolicy.rateLimit.windowMs / 1000, mode: p.httpPolicy.rateLimit.mode },
      resources: Object.fromEntries(
        Object.entries(p.operations).map(([resource, ops]) => [
          resource,
          ops.map((op) => ({
            name: op.name,
            label: op.label,
            ...(op.nodeLabel !== undefined ? { nodeLabel: op.nodeLabel } : {}),
            description: op.description,
            list: op.list === true,
            fields: describeFields(op.input).map((f) =>
              f.name === op.idempotencyField ? { ...f, required: false, generated: true } : f,
            ),
          })),
        ]),
      ),
    })),
  };
}

export type { ProviderDefinition, ProviderConnection, ConnectionOptions } from './types';
