/** Every Cryptopay resource other than invoices (reference §4), as thin typed calls. */
import type { AutoPager } from '../../pagination';
import { segment } from '../../http/query';
import { carriesKey } from '../../http/reliable';
import type { CallOptions, CryptopayClient } from './client';
import {
  accountSchema,
  channelPaymentSchema,
  channelSchema,
  coinSchema,
  coinWithdrawalSchema,
  customerSchema,
  exchangeTransferSchema,
  networkFeeSchema,
  rateSchema,
  ratesSchema,
  riskSchema,
  subscriptionSchema,
  transactionSchema,
} from './schemas';
import type { z } from 'zod';

type Params = Record<string, unknown>;
type Obj<S extends z.ZodType> = Promise<z.infer<S>>;

export interface TransactionFilters {
  created_at_from?: string;
  created_at_to?: string;
  reference_type?: string;
  currency?: string;
  status?: string;
  risk_level?: string;
  customer_id?: string;
}

export class CoinWithdrawalsResource {
  constructor(private readonly client: CryptopayClient) {}

  /** Without force_commit the withdrawal stays `new` until committed (within 30 s). */
  create(params: Params, options: CallOptions = {}): Obj<typeof coinWithdrawalSchema> {
    return this.client.request('POST', '/api/coin_withdrawals', coinWithdrawalSchema, { ...options, body: params, replaySafe: carriesKey(params.custom_id) });
  }
  /** Safe to repeat: a second commit is refused with 409 already_committed, never paid twice (the commit operation then reports the withdrawal). */
  commit(id: string, options: CallOptions = {}): Obj<typeof coinWithdrawalSchema> {
    return this.client.request('POST', `/api/coin_withdrawals/${segment(id)}/commit`, coinWithdrawalSchema, { ...options, replaySafe: true });
  }
  retrieve(id: string, options: CallOptions = {}): Obj<typeof coinWithdrawalSchema> {
    return this.client.request('GET', `/api/coin_withdrawals/${segment(id)}`, coinWithdrawalSchema, options);
  }
  retrieveByCustomId(customId: string, options: CallOptions = {}): Obj<typeof coinWithdrawalSchema> {
    return this.client.request('GET', `/api/coin_withdrawals/custom_id/${segment(customId)}`, coinWithdrawalSchema, options);
  }
  list(filters: { customer_id?: string } = {}, options: CallOptions = {}): AutoPager<z.infer<typeof coinWithdrawalSchema>> {
    return this.client.paginate('/api/coin_withdrawals', coinWithdrawalSchema, { ...filters }, options);
  }
  async networkFees(params: { all_networks?: boolean } = {}, options: CallOptions = {}): Promise<Array<z.infer<typeof networkFeeSchema>>> {
    const res = await this.client.requestList('GET', '/api/coin_withdrawals/network_fees', networkFeeSchema, { ...options, query: { all_networks: params.all_networks } });
    return res.data;
  }
}

export class TransactionsResource {
  constructor(private readonly client: CryptopayClient) {}

  list(filters: TransactionFilters = {}, options: CallOptions = {}): AutoPager<z.infer<typeof transactionSchema>> {
    return this.client.paginate('/api/transactions', transactionSchema, { ...filters }, options);
  }
}

export class AccountsResource {
  constructor(private readonly client: CryptopayClient) {}

  async list(options: CallOptions = {}): Promise<Array<z.infer<typeof accountSchema>>> {
    return (await this.client.requestList('GET', '/api/accounts', accountSchema, options)).data;
  }
  transactions(accountId: string, options: CallOptions = {}): AutoPager<z.infer<typeof transactionSchema>> {
    return this.client.paginate(`/api/accounts/${segment(accountId)}/transactions`, transactionSchema, {}, options);
  }
}

export class ChannelsResource {
  constructor(private readonly client: CryptopayClient) {}

  create(params: Params, options: CallOptions = {}): Obj<typeof channelSchema> {
    return this.client.request('POST', '/api/channels', channelSchema, { ...options, body: params, replaySafe: carriesKey(params.custom_id) });
  }
  retrieve(id: string, options: CallOptions = {}): Obj<typeof channelSchema> {
    return this.client.request('GET', `/api/channels/${segment(id)}`, channelSchema, options);
  }
  retrieveByCustomId(customId: string, options: CallOptions = {}): Obj<typeof channelSchema> {
    return this.client.request('GET', `/api/channels/custom_id/${segment(customId)}`, channelSchema, options);
  }
  /** Sets the given fields, so sending it twice changes nothing more. */
  update(id: string, params: Params, options: CallOptions = {}): Obj<typeof channelSchema> {
    return this.client.request('PATCH', `/api/channels/${segment(id)}`, channelSchema, { ...options, body: params, replaySafe: true });
  }
  list(filters: { customer_id?: string } = {}, options: CallOptions = {}): AutoPager<z.infer<typeof channelSchema>> {
    return this.client.paginate('/api/channels', channelSchema, { ...filters }, options);
  }
  payments(channelId: string, options: CallOptions = {}): AutoPager<z.infer<typeof channelPaymentSchema>> {
    return this.client.paginate(`/api/channels/${segment(channelId)}/payments`, channelPaymentSchema, {}, options);
  }
  retrievePayment(channelId: string, paymentId: string, options: CallOptions = {}): Obj<typeof channelPaymentSchema> {
    return this.client.request('GET', `/api/channels/${segment(channelId)}/payments/${segment(paymentId)}`, channelPaymentSchema, options);
  }
}

export class CustomersResource {
  constructor(private readonly client: CryptopayClient) {}

  create(params: Params, options: CallOptions = {}): Obj<typeof customerSchema> {
    return this.client.request('POST', '/api/customers', customerSchema, { ...options, body: params });
  }
  retrieve(id: string, options: CallOptions = {}): Obj<typeof customerSchema> {
    return this.client.request('GET', `/api/customers/${segment(id)}`, customerSchema, options);
  }
  /** Sets the given fields, so sending it twice changes nothing more. */
  update(id: string, params: Params, options: CallOptions = {}): Obj<typeof customerSchema> {
    return this.client.request('PATCH', `/api/customers/${segment(id)}`, customerSchema, { ...options, body: params, replaySafe: true });
  }
  list(options: CallOptions = {}): AutoPager<z.infer<typeof customerSchema>> {
    return this.client.paginate('/api/customers', customerSchema, {}, options);
  }
}

export class SubscriptionsResource {
  constructor(private readonly client: CryptopayClient) {}

  create(params: Params, options: CallOptions = {}): Obj<typeof subscriptionSchema> {
    return this.client.request('POST', '/api/subscriptions', subscriptionSchema, { ...options, body: params, replaySafe: carriesKey(params.custom_id) });
  }
  retrieve(id: string, options: CallOptions = {}): Obj<typeof subscriptionSchema> {
    return this.client.request('GET', `/api/subscriptions/${segment(id)}`, subscriptionSchema, options);
  }
  retrieveByCustomId(customId: string, options: CallOptions = {}): Obj<typeof subscriptionSchema> {
    return this.client.request('GET', `/api/subscriptions/custom_id/${segment(customId)}`, subscriptionSchema, options);
  }
  list(options: CallOptions = {}): AutoPager<z.infer<typeof subscriptionSchema>> {
    return this.client.paginate('/api/subscriptions', subscriptionSchema, {}, options);
  }
  cancel(id: string, options: CallOptions = {}): Obj<typeof subscriptionSchema> {
    return this.client.request('POST', `/api/subscriptions/${segment(id)}/cancel`, subscriptionSchema, options);
  }
}

export class ExchangeTransfersResource {
  constructor(private readonly client: CryptopayClient) {}

  create(params: Params, options: CallOptions = {}): Obj<typeof exchangeTransferSchema> {
    return this.client.request('POST', '/api/exchange_transfers', exchangeTransferSchema, { ...options, body: params, replaySafe: carriesKey(params.custom_id) });
  }
  /** Safe to repeat: a second commit is refused with 409 already_committed. */
  commit(id: string, options: CallOptions = {}): Obj<typeof exchangeTransferSchema> {
    return this.client.request('POST', `/api/exchange_transfers/${segment(id)}/commit`, exchangeTransferSchema, { ...options, replaySafe: true });
  }
  retrieve(id: string, options: CallOptions = {}): Obj<typeof exchangeTransferSchema> {
    return this.client.request('GET', `/api/exchange_transfers/${segment(id)}`, exchangeTransferSchema, options);
  }
}

export class RatesResource {
  constructor(private readonly client: CryptopayClient) {}

  all(options: CallOptions = {}): Obj<typeof ratesSchema> {
    return this.client.request('GET', '/api/rates', ratesSchema, options);
  }
  pair(base: string, quote: string, options: CallOptions = {}): Obj<typeof rateSchema> {
    return this.client.request('GET', `/api/rates/${segment(base)}/${segment(quote)}`, rateSchema, options);
  }
}

export class CoinsResource {
  constructor(private readonly client: CryptopayClient) {}

  async list(options: CallOptions = {}): Promise<Array<z.infer<typeof coinSchema>>> {
    return (await this.client.requestList('GET', '/api/coins', coinSchema, options)).data;
  }
}

/** Removed from the SDKs in Dec 2024; kept because some accounts still have it (reference §4). */
export class RisksResource {
  constructor(private readonly client: CryptopayClient) {}

  /** A read that happens to be a POST: safe to repeat. */
  score(params: { address: string; currency: string; type: string }, options: CallOptions = {}): Obj<typeof riskSchema> {
    return this.client.request('POST', '/api/risks/score', riskSchema, { ...options, body: params, replaySafe: true });
  }
}
