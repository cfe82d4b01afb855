/** The CryptoPay payment-orders provider (docs.echogate.craftfolio.dev; not Cryptopay.me). */
import type { ProviderDefinition } from '../types';
import { germanTexts } from './texts.de';
import { verifyPaymentOrdersWebhook } from './callbacks';
import { PAYMENT_ORDERS_ENVIRONMENTS, PaymentOrdersClient } from './client';
import { paymentOrdersOperations } from './operations';
import { paymentOrdersHttpPolicy } from './policy';
import { PROVIDER_ID, paymentOrdersStatusTables } from './status';

export { PaymentOrdersClient, PAYMENT_ORDERS_ENVIRONMENTS, toPaymentOrdersError, fieldDetails } from './client';
export { verifyPaymentOrdersWebhook, webhookSignature } from './callbacks';
export { generateNonce } from './nonce';

export const paymentOrdersProvider: ProviderDefinition<PaymentOrdersClient> = {
  id: PROVIDER_ID,
  label: 'CryptoPay payment orders',
  environments: PAYMENT_ORDERS_ENVIRONMENTS,
  credentials: [
    { name: 'username', label: 'Username', requiredForApi: false, requiredForCallbacks: false },
    {
      name: 'password',
      label: 'Password',
      requiredForApi: false,
      requiredForCallbacks: false,
      hint: 'CryptoPay payment orders: log in with a username and password, or fill in only an API key (token). The login token is kept in memory and renewed when it expires.',
    },
    { name: 'apiKey', label: 'API key (token)', requiredForApi: false, requiredForCallbacks: false },
    { name: 'callbackSecret', label: 'Webhook secret', requiredForApi: false, requiredForCallbacks: true },
  ],
  checkCredentials(credentials) {
    if (credentials.apiKey) return undefined;
    if (credentials.username && credentials.password) return undefined;
    if (credentials.username) return 'missing credentials: Password (or give an API key instead)';
    if (credentials.password) return 'missing credentials: Username (or give an API key instead)';
    return 'missing credentials: Username and Password, or API key (token)';
  },
  operations: paymentOrdersOperations,
  statusTables: paymentOrdersStatusTables,
  // Lists one page of wallets: proves the URL and the login or key.
  probe: { resource: 'wallet', operation: 'list' },
  httpPolicy: paymentOrdersHttpPolicy,
  createClient: ({ baseUrl, credentials, timeoutMs, reliability }) =>
    new PaymentOrdersClient({
      baseUrl,
      timeoutMs,
      reliability,
      apiKey: credentials.apiKey,
      username: credentials.username,
      password: credentials.password,
      webhookSecret: credentials.callbackSecret,
    }),
  verifyCallback: verifyPaymentOrdersWebhook,
  // The reference leaves the webhook retry policy open (§8.4).
  callbackRetryWindowMs: null,
  texts: { de: germanTexts },
};
