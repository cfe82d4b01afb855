/** The Cryptopay (cryptopay.me) provider. */
import type { ProviderDefinition } from '../types';
import { germanTexts } from './texts.de';
import { CRYPTOPAY_ENVIRONMENTS, CryptopayClient } from './client';
import { verifyCryptopayCallback } from './callbacks';
import { cryptopayOperations } from './operations';
import { cryptopayStatusTables } from './status';
import { cryptopayHttpPolicy } from './policy';

export { CryptopayClient, CRYPTOPAY_ENVIRONMENTS } from './client';
export { verifyCryptopayCallback, callbackSignature } from './callbacks';
export * as cryptopaySigning from './signing';

export const cryptopayProvider: ProviderDefinition<CryptopayClient> = {
  id: 'cryptopay',
  label: 'Cryptopay (cryptopay.me)',
  environments: CRYPTOPAY_ENVIRONMENTS,
  credentials: [
    { name: 'apiKey', label: 'API key', requiredForApi: true, requiredForCallbacks: false },
    { name: 'apiSecret', label: 'API secret', requiredForApi: true, requiredForCallbacks: false },
    { name: 'callbackSecret', label: 'Callback secret', requiredForApi: false, requiredForCallbacks: true },
  ],
  operations: cryptopayOperations,
  statusTables: cryptopayStatusTables,
  httpPolicy: cryptopayHttpPolicy,
  probe: { resource: 'account', operation: 'list' },
  createClient: ({ baseUrl, credentials, timeoutMs, reliability }) =>
    new CryptopayClient({ baseUrl, timeoutMs, reliability, apiKey: credentials.apiKey ?? '', apiSecret: credentials.apiSecret ?? '' }),
  verifyCallback: verifyCryptopayCallback,
  // 20 retries, the last 30 + 19^4 + 19 s (about 36.2 h) after the first failure (reference §7).
  callbackRetryWindowMs: (30 + 19 ** 4 + 19) * 1000,
  texts: { de: germanTexts },
};
