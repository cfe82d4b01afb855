/** The CPG ("Crypto Payment Gateway", /v1) provider. */
import type { ProviderDefinition } from '../types';
import { germanTexts } from './texts.de';
import { verifyCpgWebhook } from './callbacks';
import { CpgClient } from './client';
import { cpgOperations } from './operations';
import { cpgStatusTables } from './status';
import { cpgHttpPolicy } from './policy';

export { CpgClient, toCpgError, splitValidationMessage } from './client';
export { verifyCpgWebhook, webhookDeliveryKey, WEBHOOK_WINDOW_SECONDS } from './callbacks';
export { withdrawalIdOf } from './schemas';
export * as cpgSigning from './signing';

export const cpgProvider: ProviderDefinition<CpgClient> = {
  id: 'cpg',
  label: 'CPG (Crypto Payment Gateway)',
  // The public documentation names no host; the base URL comes from your CPG dashboard.
  environments: {},
  credentials: [
    { name: 'apiKey', label: 'Key id', requiredForApi: true, requiredForCallbacks: false },
    { name: 'apiSecret', label: 'Secret', requiredForApi: true, requiredForCallbacks: false },
    { name: 'callbackSecret', label: 'Webhook signing secret', requiredForApi: false, requiredForCallbacks: true },
  ],
  operations: cpgOperations,
  statusTables: cpgStatusTables,
  httpPolicy: cpgHttpPolicy,
  probe: { resource: 'connection', operation: 'ping' },
  createClient: ({ baseUrl, credentials, timeoutMs, reliability }) =>
    new CpgClient({ baseUrl, timeoutMs, reliability, keyId: credentials.apiKey ?? '', secret: credentials.apiSecret ?? '' }),
  verifyCallback: verifyCpgWebhook,
  // Retries after 1 min, 5 min, 30 min, 2 h, 12 h and 24 h: the last about 38.6 h after the first.
  callbackRetryWindowMs: (60 + 300 + 1800 + 7200 + 43_200 + 86_400) * 1000,
  texts: { de: germanTexts },
};
