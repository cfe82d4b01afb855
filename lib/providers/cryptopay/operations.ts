/** The Cryptopay operations nodes can run, grouped by shared resource name. */
import { z } from 'zod';
import { decimalsEqual } from '../../decimal';
import { GatewayError } from '../../errors';
import { defineOperation, fields, singlePage, toMeta } from '../../operations';
import type { OperationDefinition, OperationResult, ResultItem, ResultPage } from '../../operations';
import { mapStatus } from '../../status';
import type { CryptopayClient } from './client';
import type { Invoice, InvoiceRecalculation, InvoiceRefund } from './schemas';
import { invoiceRefundStatusTable, invoiceStatusTable } from './status';

const PROVIDER = 'cryptopay';

export function invoiceItem(invoice: Invoice, event?: string): ResultItem {
  const status = mapStatus(invoiceStatusTable, {
    status: invoice.status,
    context: invoice.status_context,
    event,
    object: invoice,
  });
  return { payload: invoice, meta: toMeta(PROVIDER, 'invoice', invoice.id, status) };
}

function refundItem(refund: InvoiceRefund): ResultItem {
  const status = mapStatus(invoiceRefundStatusTable, { status: null, object: refund });
  return { payload: refund, meta: toMeta(PROVIDER, 'refund', refund.id, status) };
}

/** A recalculation has no status field: it is pending until committed (or force-committed). */
function recalculationItem(recalculation: InvoiceRecalculation, committed: boolean): ResultItem {
  const status = committed
    ? { state: 'completed' as const, reason: null, final: true }
    : { state: 'pending' as const, reason: 'awaiting_commit' as const, final: false };
  return { payload: recalculation, meta: toMeta(PROVIDER, 'recalculation', recalculation.id, status) };
}

const object = (item: ResultItem): OperationResult => ({ kind: 'object', ...item });

const invoiceId = fields.string({
  label: 'Invoice id',
  help: 'The invoice to act on. From msg.payload.invoice_id, or msg.payload.id when the payload is the invoice itself.',
  payloadKeys: ['invoice_id', 'id'],
});

/** Same request parameters as an existing invoice? Then a retried create may return it. */
function sameInvoiceRequest(existing: Invoice, params: { price_amount: string; price_currency: string; pay_currency: string }): boolean {
  return (
    decimalsEqual(existing.price_amount, params.price_amount) &&
    existing.price_currency === params.price_currency &&
    existing.pay_currency === params.pay_currency
  );
}

const create = defineOperation({
  name: 'create',
  label: 'Create invoice',
  description:
    'Creates an invoice the customer pays in crypto. With a custom_id, a retried message that meets "duplicate custom id" returns the invoice already created (msg.paywire.replayed = true) instead of failing.',
  input: z.object({
    price_amount: fields.decimal({ label: 'Price amount', help: 'Amount in the price currency, e.g. "100.00".' }),
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
    try {
      return object(invoiceItem(await client.invoices.create(input, ctx)));
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'duplicate_custom_id' && input.custom_id)) throw err;
      const existing = await client.invoices.retrieveByCustomId(input.custom_id, ctx);
      if (!sameInvoiceRequest(existing, input)) {
        throw new GatewayError({
          provider: 'Cryptopay',
          httpStatus: err.httpStatus,
          code: 'duplicate_custom_id',
          message: `custom_id "${input.custom_id}" already belongs to invoice ${existing.id} with a different amount or currency`,
          requestId: err.requestId,
        });
      }
      const item = invoiceItem(existing);
      return object({ ...item, meta: { ...item.meta, replayed: true } });
    }
  },
});

const get = defineOperation({
  name: 'get',
  label: 'Get invoice',
  description: 'Reads one invoice by its id, or by your custom_id.',
  input: z
    .object({
      invoice_id: invoiceId.optional(),
      custom_id: fields.string({ label: 'Custom id', help: 'Look the invoice up by your reference instead of its id.' }).optional(),
    })
    .refine((v) => v.invoice_id !== undefined || v.custom_id !== undefined, {
      message: 'needs invoice_id (or msg.payload.id) or custom_id',
      path: ['invoice_id'],
    }),
  async run(client: CryptopayClient, input, ctx) {
    const invoice = input.invoice_id
      ? await client.invoices.retrieve(input.invoice_id, ctx)
      : await client.invoices.retrieveByCustomId(input.custom_id!, ctx);
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
    const pager = client.invoices.list(input, ctx);
    async function* pages(): AsyncGenerator<ResultPage> {
      for await (const page of pager.pages()) {
        yield { items: page.items.map((i) => invoiceItem(i)), hasMore: page.hasMore, total: page.total };
      }
    }
    return Promise.resolve({ kind: 'list', resource: 'invoice', pages: pages() });
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
    const refunds = await client.invoices.listRefunds(input.invoice_id, ctx);
    return { kind: 'list', resource: 'refund', pages: singlePage({ items: refunds.map(refundItem), hasMore: false, total: refunds.length }) };
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
    return object(recalculationItem(recalculation, input.force_commit === true));
  },
});

const commitRecalculation = defineOperation({
  name: 'commit-recalculation',
  label: 'Commit recalculation',
  description: 'Commits a two-step recalculation; the invoice then completes at the new amount.',
  input: z.object({
    invoice_id: invoiceId,
    recalculation_id: fields.string({
      label: 'Recalculation id',
      help: 'From msg.payload.recalculation_id, or msg.payload.id when the payload is the recalculation.',
      payloadKeys: ['recalculation_id', 'id'],
    }),
  }),
  async run(client: CryptopayClient, input, ctx) {
    const recalculation = await client.invoices.commitRecalculation(input.invoice_id, input.recalculation_id, ctx);
    return object(recalculationItem(recalculation, true));
  },
});

export const cryptopayOperations: Record<string, readonly OperationDefinition<CryptopayClient>[]> = {
  invoice: [create, get, list, refund, listRefunds, recalculate, commitRecalculation],
};
