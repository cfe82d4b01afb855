/** Invoices (reference §4.4): create, retrieve, list with auto-pagination, recalculations, refunds. */
import type { AutoPager } from '../../pagination';
import { segment } from '../../http/query';
import { carriesKey } from '../../http/reliable';
import type { CallOptions, CryptopayClient, ListResult } from './client';
import { invoiceRecalculationSchema, invoiceRefundSchema, invoiceSchema } from './schemas';
import type { Invoice, InvoiceRecalculation, InvoiceRefund } from './schemas';

/** Amounts may be given as decimal strings; they are sent as given. */
export interface InvoiceParams {
  price_amount: string;
  price_currency: string;
  pay_currency: string;
  network?: string;
  custom_id?: string;
  customer_id?: string;
  name?: string;
  description?: string;
  metadata?: Record<string, string>;
  success_redirect_url?: string;
  unsuccess_redirect_url?: string;
  payer_email?: string;
}

export interface InvoiceListFilters {
  customer_id?: string;
  subscription_id?: string;
  /** Start after this invoice id (the API's cursor). */
  starting_after?: string;
}

export class InvoicesResource {
  constructor(private readonly client: CryptopayClient) {}

  /** Retried after a lost answer only with a custom_id: the retry then meets duplicate_custom_id instead of making a second invoice. */
  create(params: InvoiceParams, options: CallOptions = {}): Promise<Invoice> {
    return this.client.request('POST', '/api/invoices', invoiceSchema, { ...options, body: params, replaySafe: carriesKey(params.custom_id) });
  }

  retrieve(invoiceId: string, options: CallOptions = {}): Promise<Invoice> {
    return this.client.request('GET', `/api/invoices/${segment(invoiceId)}`, invoiceSchema, options);
  }

  retrieveByCustomId(customId: string, options: CallOptions = {}): Promise<Invoice> {
    return this.client.request('GET', `/api/invoices/custom_id/${segment(customId)}`, invoiceSchema, options);
  }

  /** One page (50 invoices, newest first). */
  listPage(filters: InvoiceListFilters = {}, options: CallOptions = {}): Promise<ListResult<Invoice>> {
    return this.client.requestList('GET', '/api/invoices', invoiceSchema, { ...options, query: { ...filters } });
  }

  /** Every invoice matching the filters, fetched page by page as you iterate. */
  list(filters: Omit<InvoiceListFilters, 'starting_after'> = {}, options: CallOptions = {}): AutoPager<Invoice> {
    return this.client.paginate('/api/invoices', invoiceSchema, { ...filters }, options);
  }

  /** Recalculates an unresolved invoice at the current rate. Without force_commit, commit within 30 s. */
  createRecalculation(invoiceId: string, params: { force_commit?: boolean } = {}, options: CallOptions = {}): Promise<InvoiceRecalculation> {
    const body = params.force_commit === undefined ? undefined : { force_commit: params.force_commit };
    return this.client.request('POST', `/api/invoices/${segment(invoiceId)}/recalculations`, invoiceRecalculationSchema, { ...options, body });
  }

  commitRecalculation(invoiceId: string, recalculationId: string, options: CallOptions = {}): Promise<InvoiceRecalculation> {
    return this.client.request(
      'POST',
      `/api/invoices/${segment(invoiceId)}/recalculations/${segment(recalculationId)}/commit`,
      invoiceRecalculationSchema,
      options,
    );
  }

  /** Refunds an unresolved invoice; without `address` the refund goes to the merchant's own account. */
  createRefund(invoiceId: string, params: { address?: string } = {}, options: CallOptions = {}): Promise<InvoiceRefund> {
    const body = params.address ? { address: params.address } : undefined;
    return this.client.request('POST', `/api/invoices/${segment(invoiceId)}/refunds`, invoiceRefundSchema, { ...options, body });
  }

  async listRefunds(invoiceId: string, options: CallOptions = {}): Promise<InvoiceRefund[]> {
    const res = await this.client.requestList('GET', `/api/invoices/${segment(invoiceId)}/refunds`, invoiceRefundSchema, options);
    return res.data;
  }
}
