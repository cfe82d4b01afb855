/** Invoice operations: create (safe to retry), get, list, refunds and recalculations. */
import { z } from 'zod';
import { defineOperation, fields, toMeta } from '../../../operations';
import type { OperationDefinition, ResultItem } from '../../../operations';
import { mapStatus } from '../../../status';
import type { ReplayFields } from '../../../replay';
import type { CryptopayClient } from '../client';
import { CRYPTOPAY_AMOUNT } from '../schemas';
import type { Invoice, InvoiceRefund } from '../schemas';
import { invoiceRefundStatusTable, invoiceStatusTable } from '../status';
import { PROVIDER, arrayResult, committedItem, createOrReplay, idField, idOrCustomId, object, pagedResult, replayedItem } from './common';

export function invoiceItem(invoice: Invoice, event?: string): ResultItem {
  const status = mapStatus(invoiceStatusTable, { status: invoice.status, context: invoice.status_context, event, object: invoice });
  return { payload: invoice, meta: toMeta(PROVIDER, 'invoice', invoice.id, status) };
}

function refundItem(refund: InvoiceRefund): ResultItem {
  const status = mapStatus(invoiceRefundStatusTable, { status: null, object: refund });
  return { payload: refund, meta: toMeta(PROVIDER, 'refund', refund.id, status) };
}

const invoiceId = idField('invoice', 'Invoice id');

/** What a replayed invoice must match (the network only when the request names one: Cryptopay picks a default). */
const INVOICE_REPLAY: ReplayFields<{ price_amount: string; price_currency: string; pay_currency: string; network?: string | undefined; customer_id?: string | undefined }, Invoice> = [
  { name: 'price_amount', as: 'decimal', requested: (r) => r.price_amount, existing: (i) => i.price_amount },
  { name: 'price_currency', as: 'code', requested: (r) => r.price_currency, existing: (i) => i.price_currency },
  { name: 'pay_currency', as: 'code', requested: (r) => r.pay_currency, existing: (i) => i.pay_currency },
  { name: 'network', as: 'code', requested: (r) => r.network, existing: (i) => i.network, defaulted: true },
  { name: 'customer_id', as: 'text', requested: (r) => r.customer_id, existing: (i) => i.customer_id },
];

const create = defineOperation({
  name: 'create',
  label: 'Create invoice',
  description:
    'Creates an invoice the customer pays in crypto. With a custom_id, a retried message that meets "duplicate custom id" returns the invoice already created (msg.paywire.replayed = true) instead of failing.',
  input: z.object({
    price_amount: fields.amount({ label: 'Price amount', help: 'Amount in the price currency, e.g. "100.00".' }, CRYPTOPAY_AMOUNT),
    price_currency: fields.string({ label: 'Price currency', help: 'Currency credited to you, fiat or crypto, e.g. EUR.' }),
    pay_currency: fields.string({ label: 'Pay currency', help: 'Cryptocurrency the customer pays in, e.g. BTC.' }),
    network: fields.string({ label: 'Network', help: 'Blockchain network, e.g. ethereum or tron (see Coins).' }).optional(),
    custom_id: fields.string({ label: 'Custom id', help: 'Your order reference; unique per invoice.' }).optional(),
    customer_id: fields.string({ label: 'Customer id' }).optional(),
    name: fields.string({ label: 'Name' }).optional(),
    description: fields.string({ label: 'Description' }).optional(),
    metadata: fields.stringMap({ label: 'Metadata', help: 'Object of string values kept with the invoice.' }).optional(),
    success_redirect_url: fields.string({ label: 'Success redirect URL' }).optional(),
    unsuccess_redirect_url: fields.string({ label: 'Unsuccess redirect URL' }).optional(),
    payer_email: fields.string({ label: 'Payer email' }).optional(),
  }),
  async run(client: CryptopayClient, input, ctx) {
    const { value, replayed } = await createOrReplay({
      what: 'invoice',
      customId: input.custom_id,
      request: input,
      fields: INVOICE_REPLAY,
      create: () => client.invoices.create(input, ctx),
      findExisting: (customId) => client.invoices.retrieveByCustomId(customId, ctx),
    });
    return object(replayedItem(invoiceItem(value), replayed));
  },
});

const get = defineOperation({
  name: 'get',
  label: 'Get invoice',
  description: 'Reads one invoice by its id, or by your custom_id.',
  input: idOrCustomId('invoice', 'Invoice id'),
  async run(client: CryptopayClient, input, ctx) {
    const id = input.invoice_id;
    const invoice = id ? await client.invoices.retrieve(id, ctx) : await client.invoices.retrieveByCustomId(input.custom_id!, ctx);
    return object(invoiceItem(invoice));
  },
});

const list = defineOperation({
  name: 'list',
  label: 'List invoices',
  description: 'Lists invoices newest first, fetching page after page (50 per page) as the flow consumes them.',
  list: true,
  input: z.object({
    customer_id: fields.string({ label: 'Customer id', help: 'Only this customer’s invoices.' }).optional(),
    subscription_id: fields.string({ label: 'Subscription id', help: 'Only invoices of this subscription.' }).optional(),
  }),
  run(client: CryptopayClient, input, ctx) {
    return Promise.resolve(pagedResult('invoice', client.invoices.list(input, ctx), (i) => invoiceItem(i)));
  },
});

const refund = defineOperation({
  name: 'refund',
  label: 'Refund invoice',
  description:
    'Refunds an unresolved invoice (underpaid, overpaid or paid late). Without an address the refund goes to your own Cryptopay account.',
  input: z.object({
    invoice_id: invoiceId,
    address: fields
      .string({
        label: 'Refund address',
        help: 'External wallet to refund to. Read from msg.payload.refund_address, never from an invoice’s own address.',
        payloadKeys: ['refund_address'],
      })
      .optional(),
  }),
  async run(client: CryptopayClient, input, ctx) {
    const params = input.address ? { address: input.address } : {};
    return object(refundItem(await client.invoices.createRefund(input.invoice_id, params, ctx)));
  },
});

const listRefunds = defineOperation({
  name: 'list-refunds',
  label: 'List refunds',
  description: 'Lists the refunds of one invoice.',
  list: true,
  input: z.object({ invoice_id: invoiceId }),
  async run(client: CryptopayClient, input, ctx) {
    return arrayResult('refund', await client.invoices.listRefunds(input.invoice_id, ctx), refundItem);
  },
});

const recalculate = defineOperation({
  name: 'recalculate',
  label: 'Recalculate invoice',
  description:
    'Recalculates an unresolved invoice at the current rate. Without force commit, follow with "commit recalculation" within 30 seconds.',
  input: z.object({
    invoice_id: invoiceId,
    force_commit: fields.boolean({ label: 'Force commit', help: 'Commit at once instead of in two steps.' }).optional(),
  }),
  async run(client: CryptopayClient, input, ctx) {
    const params = input.force_commit === undefined ? {} : { force_commit: input.force_commit };
    const recalculation = await client.invoices.createRecalculation(input.invoice_id, params, ctx);
    return object(committedItem('recalculation', recalculation, input.force_commit === true));
  },
});

const commitRecalculation = defineOperation({
  name: 'commit-recalculation',
  label: 'Commit recalculation',
  description: 'Commits a two-step recalculation; the invoice then completes at the new amount.',
  input: z.object({
    invoice_id: invoiceId,
    recalculation_id: idField('recalculation', 'Recalculation id'),
  }),
  async run(client: CryptopayClient, input, ctx) {
    const recalculation = await client.invoices.commitRecalculation(input.invoice_id, input.recalculation_id, ctx);
    return object(committedItem('recalculation', recalculation, true));
  },
});

export const invoiceOperations: readonly OperationDefinition<CryptopayClient>[] = [
  create,
  get,
  list,
  refund,
  listRefunds,
  recalculate,
  commitRecalculation,
];
