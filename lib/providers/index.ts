/** The provider registry, and the generic connection the gateway node owns. */
import { InputError } from '../errors';
import { ownValue } from '../lookup';
import { describeFields, parseInput } from '../operations';
import type { FieldDescription, OperationDefinition } from '../operations';
import { cpgProvider } from './cpg';
import { cryptopayProvider } from './cryptopay';
import { paymentOrdersProvider } from './payment-orders';
import type { ConnectionOptions, Credentials, ProviderConnection, ProviderDefinition } from './types';

export const PROVIDERS: Readonly<Record<string, ProviderDefinition>> = {
  cryptopay: cryptopayProvider,
  cpg: cpgProvider,
  'payment-orders': paymentOrdersProvider,
};

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
  providers: Array<{
    id: string;
    label: string;
    environments: ProviderDefinition['environments'];
    credentials: ProviderDefinition['credentials'];
    /** The documented rate limit the gateway form shows as its default. */
    rateLimit: { limit: number; windowSeconds: number; mode: 'sliding' | 'headers' };
    resources: Record<string, Array<{ name: string; label: string; description: string; list: boolean; fields: FieldDescription[] }>>;
  }>;
}

export function catalog(): Catalog {
  return {
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
