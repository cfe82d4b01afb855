/**
 * Tollgate, a made-up gateway that exists only in the tests: the smallest provider folder, to
 * show that a provider is one folder plus one registerProvider() line. Nothing in nodes/ or
 * resources/ knows it.
 */
import { z } from 'zod';
import { defineOperation, fields, toMeta } from '../../../lib/operations';
import type { OperationDefinition, OperationResult } from '../../../lib/operations';
import { defineHttpPolicy } from '../../../lib/http/policy';
import { objectResult } from '../../../lib/results';
import { mapStatus } from '../../../lib/status';
import type { ProviderDefinition } from '../../../lib/providers/types';
import { verifyTollgateWebhook } from './callbacks';
import { TollgateClient } from './client';
import type { TollgateBill } from './client';
import { TOLLGATE_ID, invoiceStatusTable, tollgateStatusTables } from './status';
import { germanTexts } from './texts.de';

const billResult = (bill: TollgateBill): OperationResult =>
  objectResult({ payload: bill, meta: toMeta(TOLLGATE_ID, 'invoice', bill.id, mapStatus(invoiceStatusTable, { status: bill.status })) });

const invoiceOperations: readonly OperationDefinition<TollgateClient>[] = [
  defineOperation({
    name: 'create',
    label: 'Create bill',
    nodeLabel: 'create bill',
    description: 'Bills the customer an amount.',
    input: z.object({
      amount: fields.amount({ label: 'Amount', help: 'Decimal string.' }, { maxFractionDigits: 2, positive: true }),
      currency: fields.string({ label: 'Currency', help: 'ISO code, e.g. EUR.' }),
    }),
    run: async (client: TollgateClient, input) => billResult(await client.request('POST', '/bills', input)),
  }),
];

export const tollgateProvider: ProviderDefinition<TollgateClient> = {
  id: TOLLGATE_ID,
  label: 'Tollgate (test only)',
  environments: {},
  credentials: [
    { name: 'apiKey', label: 'Access token', requiredForApi: true, requiredForCallbacks: false },
    { name: 'callbackSecret', label: 'Webhook secret', requiredForApi: false, requiredForCallbacks: true },
  ],
  operations: { invoice: invoiceOperations },
  statusTables: tollgateStatusTables,
  httpPolicy: defineHttpPolicy({ service: 'Tollgate', rateLimit: { limit: 100, windowMs: 60_000, mode: 'sliding' } }),
  probe: { resource: 'invoice', operation: 'create' },
  createClient: ({ baseUrl, credentials, timeoutMs }) => new TollgateClient({ baseUrl, timeoutMs, token: credentials.apiKey ?? '' }),
  verifyCallback: verifyTollgateWebhook,
  callbackRetryWindowMs: 60 * 60 * 1000,
  texts: { de: germanTexts },
};
