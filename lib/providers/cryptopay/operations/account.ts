/** Everything else in the Cryptopay API: accounts, rates, coins, channels, customers, subscriptions, exchange transfers. */
import { z } from 'zod';
import { GatewayError } from '../../../errors';
import { defineOperation, fields } from '../../../operations';
import type { OperationDefinition, ResultItem } from '../../../operations';
import type { CryptopayClient } from '../client';
import { CRYPTOPAY_AMOUNT, RISK_SCORE_TYPES, SUBSCRIPTION_PERIODS } from '../schemas';
import type { Channel, ChannelPayment, ExchangeTransfer, Subscription } from '../schemas';
import type { ReplayFields } from '../../../replay';
import { channelPaymentStatusTable, subscriptionStatusTable } from '../status';
import {
  arrayResult,
  committedItem,
  createOrReplay,
  idField,
  idOrCustomId,
  mappedItem,
  notFindable,
  object,
  pagedResult,
  plainItem,
  replayedItem,
} from './common';
import type { Ctx } from './common';

type Ops = readonly OperationDefinition<CryptopayClient>[];

export const channelPaymentItem = (p: ChannelPayment): ResultItem => mappedItem('channel_payment', channelPaymentStatusTable, p, p.status_context);
export const subscriptionItem = (s: Subscription): ResultItem => mappedItem('subscription', subscriptionStatusTable, s);

// ---- accounts, rates, coins ----

const accounts: Ops = [
  defineOperation({
    name: 'list',
    label: 'List accounts',
    description: 'Your accounts, one per currency, with their balances.',
    list: true,
    input: z.object({}),
    async run(client: CryptopayClient, _input, ctx) {
      return arrayResult('account', await client.accounts.list(ctx), (a) => plainItem('account', a));
    },
  }),
];

const rates: Ops = [
  defineOperation({
    name: 'pair',
    label: 'Get rate',
    description: 'Buy and sell rate of one currency pair, e.g. BTC/EUR.',
    input: z.object({
      base_currency: fields.string({ label: 'Base currency', help: 'e.g. BTC' }),
      quote_currency: fields.string({ label: 'Quote currency', help: 'e.g. EUR' }),
    }),
    async run(client: CryptopayClient, input, ctx) {
      return object(plainItem('rate', await client.rates.pair(input.base_currency, input.quote_currency, ctx)));
    },
  }),
  defineOperation({
    name: 'all',
    label: 'Get all rates',
    description: 'Every rate, keyed by pair (both BTCEUR and BTC/EUR).',
    input: z.object({}),
    async run(client: CryptopayClient, _input, ctx) {
      return object(plainItem('rate', await client.rates.all(ctx)));
    },
  }),
];

const coins: Ops = [
  defineOperation({
    name: 'list',
    label: 'List coins',
    description: 'Supported coins and their networks, precision and destination tags.',
    list: true,
    input: z.object({}),
    async run(client: CryptopayClient, _input, ctx) {
      return arrayResult('coin', await client.coins.list(ctx), (c) => plainItem('coin', c));
    },
  }),
];

const risks: Ops = [
  defineOperation({
    name: 'score',
    label: 'Score address risk',
    description:
      'Risk score (0–10) and level of a crypto address, as a source or a destination of funds. Cryptopay removed this from its SDKs in Dec 2024; an account without it answers not_found.',
    input: z.object({
      address: fields.string({ label: 'Address' }),
      currency: fields.string({ label: 'Currency', help: 'BTC, ETH, XRP, LTC or BCH.' }),
      type: fields.string({ label: 'Type', help: 'source_of_funds or destination_of_funds.', options: [...RISK_SCORE_TYPES] }),
    }),
    async run(client: CryptopayClient, input, ctx) {
      return object(plainItem('risk', await client.risks.score(input, ctx)));
    },
  }),
];

// ---- channels ----

const channelId = idField('channel', 'Channel id');

/** What a replayed channel must match: the currencies, the network (when named) and the customer. */
const CHANNEL_REPLAY: ReplayFields<{ pay_currency: string; receiver_currency: string; network?: string | undefined; customer_id?: string | undefined }, Channel> = [
  { name: 'pay_currency', as: 'code', requested: (r) => r.pay_currency, existing: (c) => c.pay_currency },
  { name: 'receiver_currency', as: 'code', requested: (r) => r.receiver_currency, existing: (c) => c.receiver_currency },
  { name: 'network', as: 'code', requested: (r) => r.network, existing: (c) => c.network, defaulted: true },
  { name: 'customer_id', as: 'text', requested: (r) => r.customer_id, existing: (c) => c.customer_id },
];

const channels: Ops = [
  defineOperation({
    name: 'create',
    label: 'Create channel',
    description: 'A static deposit address: every payment to it becomes a channel payment credited to you.',
    input: z.object({
      name: fields.string({ label: 'Name' }),
      pay_currency: fields.string({ label: 'Pay currency', help: 'Crypto accepted, e.g. BTC.' }),
      receiver_currency: fields.string({ label: 'Receiver currency', help: 'Currency credited, e.g. EUR.' }),
      network: fields.string({ label: 'Network' }).optional(),
      description: fields.string({ label: 'Description' }).optional(),
      custom_id: fields.string({ label: 'Custom id', help: 'Your reference; a retried create returns the channel already made.' }).optional(),
      customer_id: fields.string({ label: 'Customer id' }).optional(),
    }),
    async run(client: CryptopayClient, input, ctx) {
      const { value, replayed } = await createOrReplay({
        what: 'channel',
        customId: input.custom_id,
        request: input,
        fields: CHANNEL_REPLAY,
        create: () => client.channels.create(input, ctx),
        findExisting: (customId) => client.channels.retrieveByCustomId(customId, ctx),
      });
      return object(replayedItem(plainItem('channel', value), replayed));
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get channel',
    description: 'Reads a channel by id or custom_id.',
    input: idOrCustomId('channel', 'Channel id'),
    async run(client: CryptopayClient, input, ctx) {
      const id = input.channel_id;
      return object(plainItem('channel', id ? await client.channels.retrieve(id, ctx) : await client.channels.retrieveByCustomId(input.custom_id!, ctx)));
    },
  }),
  defineOperation({
    name: 'update',
    label: 'Update channel',
    description: 'Renames, re-describes, enables or disables a channel (payments to a disabled channel go on hold).',
    input: z.object({
      channel_id: channelId,
      name: fields.string({ label: 'Name' }).optional(),
      description: fields.string({ label: 'Description' }).optional(),
      status: fields.string({ label: 'Status', help: 'enabled or disabled', options: ['enabled', 'disabled'] }).optional(),
      customer_id: fields.string({ label: 'Customer id' }).optional(),
    }),
    async run(client: CryptopayClient, { channel_id, ...changes }, ctx) {
      return object(plainItem('channel', await client.channels.update(channel_id, changes, ctx)));
    },
  }),
  defineOperation({
    name: 'list',
    label: 'List channels',
    description: 'Lists channels newest first.',
    list: true,
    input: z.object({ customer_id: fields.string({ label: 'Customer id' }).optional() }),
    run(client: CryptopayClient, input, ctx) {
      return Promise.resolve(pagedResult('channel', client.channels.list(input, ctx), (c) => plainItem('channel', c)));
    },
  }),
  defineOperation({
    name: 'list-payments',
    label: 'List channel payments',
    description: 'Payments received on one channel, newest first, with their state.',
    list: true,
    input: z.object({ channel_id: channelId }),
    run(client: CryptopayClient, input, ctx) {
      return Promise.resolve(pagedResult('channel_payment', client.channels.payments(input.channel_id, ctx), channelPaymentItem));
    },
  }),
  defineOperation({
    name: 'get-payment',
    label: 'Get channel payment',
    description: 'One payment of a channel.',
    input: z.object({
      channel_id: channelId,
      channel_payment_id: idField('channel_payment', 'Channel payment id'),
    }),
    async run(client: CryptopayClient, input, ctx) {
      return object(channelPaymentItem(await client.channels.retrievePayment(input.channel_id, input.channel_payment_id, ctx)));
    },
  }),
];

// ---- customers ----

const addressList = z
  .array(z.looseObject({ address: z.string(), currency: z.string() }))
  .meta({ label: 'Addresses', kind: 'object', help: 'List of {address, currency, network}: refund addresses, one per coin.' });
const customerId = fields.string({ label: 'Customer id', help: 'Your reference for the customer.', payloadKeys: ['customer_id', 'id'] });

const customers: Ops = [
  defineOperation({
    name: 'create',
    label: 'Create customer',
    description: 'Registers a customer with refund addresses, used to refund high-risk payments automatically.',
    input: z.object({
      id: fields.string({ label: 'Customer id', help: 'Your reference for the customer.', payloadKeys: ['id', 'customer_id'] }),
      currency: fields.string({ label: 'Currency' }),
      addresses: addressList.optional(),
    }),
    async run(client: CryptopayClient, input, ctx) {
      return object(plainItem('customer', await client.customers.create(input, ctx)));
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get customer',
    description: 'Reads a customer by your id.',
    input: z.object({ customer_id: customerId }),
    async run(client: CryptopayClient, input, ctx) {
      return object(plainItem('customer', await client.customers.retrieve(input.customer_id, ctx)));
    },
  }),
  defineOperation({
    name: 'update',
    label: 'Update customer',
    description: 'Changes the currency or replaces the refund addresses.',
    input: z.object({ customer_id: customerId, currency: fields.string({ label: 'Currency' }).optional(), addresses: addressList.optional() }),
    async run(client: CryptopayClient, { customer_id, ...changes }, ctx) {
      return object(plainItem('customer', await client.customers.update(customer_id, changes, ctx)));
    },
  }),
  defineOperation({
    name: 'list',
    label: 'List customers',
    description: 'Lists customers.',
    list: true,
    input: z.object({}),
    run(client: CryptopayClient, _input, ctx) {
      return Promise.resolve(pagedResult('customer', client.customers.list(ctx), (c) => plainItem('customer', c)));
    },
  }),
];

// ---- subscriptions ----

/** What a replayed subscription must match: what is charged, how often, and to whom. */
const SUBSCRIPTION_REPLAY: ReplayFields<{ amount: string; currency: string; period: string; period_quantity: number; payer_email: string }, Subscription> = [
  { name: 'amount', as: 'decimal', requested: (r) => r.amount, existing: (s) => s.amount },
  { name: 'currency', as: 'code', requested: (r) => r.currency, existing: (s) => s.currency },
  { name: 'period', as: 'text', requested: (r) => r.period, existing: (s) => s.period },
  { name: 'period_quantity', as: 'text', requested: (r) => r.period_quantity, existing: (s) => s.period_quantity },
  { name: 'payer_email', as: 'code', requested: (r) => r.payer_email, existing: (s) => s.payer_email },
];

const subscriptions: Ops = [
  defineOperation({
    name: 'create',
    label: 'Create subscription',
    description: 'Recurring invoices e-mailed to a payer. The first payment must be made before starts_at (at least 3 days ahead).',
    input: z.object({
      name: fields.string({ label: 'Name' }),
      amount: fields.amount({ label: 'Amount' }, CRYPTOPAY_AMOUNT),
      currency: fields.string({ label: 'Currency' }),
      period: fields.string({ label: 'Period', help: 'day, week, month or year', options: [...SUBSCRIPTION_PERIODS] }),
      period_quantity: z.coerce.number().int().positive().meta({ label: 'Period quantity', kind: 'integer', help: 'e.g. 2 = every two periods' }),
      starts_at: fields.string({ label: 'Starts at', help: 'ISO 8601, at least 3 days from now.' }),
      payer_email: fields.string({ label: 'Payer email' }),
      payer_name: fields.string({ label: 'Payer name' }).optional(),
      custom_id: fields.string({ label: 'Custom id', help: 'Your reference; a retried create returns the subscription already made.' }).optional(),
      product_name: fields.string({ label: 'Product name' }).optional(),
      product_description: fields.string({ label: 'Product description' }).optional(),
      success_redirect_url: fields.string({ label: 'Success redirect URL' }).optional(),
      unsuccess_redirect_url: fields.string({ label: 'Unsuccess redirect URL' }).optional(),
    }),
    async run(client: CryptopayClient, input, ctx) {
      const { value, replayed } = await createOrReplay({
        what: 'subscription',
        customId: input.custom_id,
        request: input,
        fields: SUBSCRIPTION_REPLAY,
        create: () => client.subscriptions.create(input, ctx),
        findExisting: (customId) => client.subscriptions.retrieveByCustomId(customId, ctx),
      });
      return object(replayedItem(subscriptionItem(value), replayed));
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get subscription',
    description: 'Reads a subscription by id or custom_id.',
    input: idOrCustomId('subscription', 'Subscription id'),
    async run(client: CryptopayClient, input, ctx) {
      const id = input.subscription_id;
      return object(subscriptionItem(id ? await client.subscriptions.retrieve(id, ctx) : await client.subscriptions.retrieveByCustomId(input.custom_id!, ctx)));
    },
  }),
  defineOperation({
    name: 'list',
    label: 'List subscriptions',
    description: 'Lists subscriptions newest first.',
    list: true,
    input: z.object({}),
    run(client: CryptopayClient, _input, ctx) {
      return Promise.resolve(pagedResult('subscription', client.subscriptions.list(ctx), subscriptionItem));
    },
  }),
  defineOperation({
    name: 'cancel',
    label: 'Cancel subscription',
    description: 'Cancels a subscription; no further invoices are sent.',
    input: z.object({ subscription_id: idField('subscription', 'Subscription id') }),
    async run(client: CryptopayClient, input, ctx) {
      return object(subscriptionItem(await client.subscriptions.cancel(input.subscription_id, ctx)));
    },
  }),
];

// ---- exchange transfers ----

const exchangeTransferId = idField('exchange_transfer', 'Exchange transfer id');

interface ExchangeTransferRequest {
  charged_currency: string;
  received_currency: string;
  charged_amount?: string | undefined;
  received_amount?: string | undefined;
}

/** What a replayed exchange transfer must match: the amount on the side given, and both currencies. */
const EXCHANGE_TRANSFER_REPLAY: ReplayFields<ExchangeTransferRequest, ExchangeTransfer> = [
  {
    name: (r) => (r.charged_amount !== undefined ? 'charged_amount' : 'received_amount'),
    as: 'decimal',
    requested: (r) => r.charged_amount ?? r.received_amount,
    existing: (t, r) => (r.charged_amount !== undefined ? t.charged_amount : t.received_amount),
  },
  { name: 'charged_currency', as: 'code', requested: (r) => r.charged_currency, existing: (t) => t.charged_currency },
  { name: 'received_currency', as: 'code', requested: (r) => r.received_currency, existing: (t) => t.received_currency },
];

/** Ledger rows searched for an exchange transfer's custom_id (the newest two pages). */
const EXCHANGE_TRANSFER_SEARCH_PAGES = 2;

/**
 * Cryptopay has no lookup of exchange transfers by custom_id. A committed transfer shows in the
 * ledger as rows of reference_type ExchangeTransfer carrying its custom_id (our assumption: the
 * ledger's `custom_id` is the referenced object's, as with invoices), so a retry, which comes
 * soon after, finds it among the newest rows. An uncommitted transfer moves no money and has
 * no rows: that duplicate is reported, never redone.
 */
async function findExchangeTransfer(client: CryptopayClient, customId: string, refusal: GatewayError, ctx: Ctx): Promise<ExchangeTransfer> {
  let pages = 0;
  for await (const page of client.transactions.list({ reference_type: 'ExchangeTransfer' }, ctx).pages()) {
    const row = page.items.find((t) => t.custom_id === customId && typeof t.reference_id === 'string');
    if (row) {
      const transfer = await client.exchangeTransfers.retrieve(row.reference_id!, ctx);
      if ((transfer as { custom_id?: unknown }).custom_id === customId) return transfer;
    }
    if (++pages >= EXCHANGE_TRANSFER_SEARCH_PAGES) break;
  }
  throw notFindable(
    'exchange transfer',
    customId,
    refusal,
    'it is not among the newest ledger rows (Cryptopay has no lookup of exchange transfers by custom_id; an uncommitted transfer has no rows)',
  );
}

const exchangeTransfers: Ops = [
  defineOperation({
    name: 'create',
    label: 'Create exchange transfer',
    description:
      'Converts between your balances. Give charged_amount or received_amount. Without force commit, follow with "commit" within 30 s. custom_id is always sent (generated when empty) so a retry cannot convert twice.',
    idempotencyField: 'custom_id',
    input: z
      .object({
        charged_currency: fields.string({ label: 'Charged currency' }),
        received_currency: fields.string({ label: 'Received currency' }),
        charged_amount: fields.amount({ label: 'Charged amount' }, CRYPTOPAY_AMOUNT).optional(),
        received_amount: fields.amount({ label: 'Received amount' }, CRYPTOPAY_AMOUNT).optional(),
        custom_id: fields.string({
          label: 'Custom id',
          help: 'Generated when empty and written back to msg.payload.custom_id (or msg.idempotencyKey).',
          payloadKeys: ['custom_id', 'idempotencyKey'],
        }),
        force_commit: fields.boolean({ label: 'Force commit' }).optional(),
      })
      .refine((v) => (v.charged_amount === undefined) !== (v.received_amount === undefined), {
        message: 'give exactly one of charged_amount and received_amount',
        path: ['charged_amount'],
      }),
    async run(client: CryptopayClient, input, ctx) {
      // The API wants the other amount as an explicit null (as the SDK recordings do).
      const body = { ...input, charged_amount: input.charged_amount ?? null, received_amount: input.received_amount ?? null };
      const { value, replayed } = await createOrReplay({
        what: 'exchange transfer',
        customId: input.custom_id,
        request: input,
        fields: EXCHANGE_TRANSFER_REPLAY,
        create: () => client.exchangeTransfers.create(body, ctx),
        findExisting: (customId, refusal) => findExchangeTransfer(client, customId, refusal, ctx),
      });
      // A replay was found in the ledger, where only committed transfers appear.
      return object(replayedItem(committedItem('exchange_transfer', value, replayed || input.force_commit === true), replayed));
    },
  }),
  defineOperation({
    name: 'commit',
    label: 'Commit exchange transfer',
    description: 'Commits a two-step exchange transfer within 30 s of its creation.',
    input: z.object({ exchange_transfer_id: exchangeTransferId }),
    async run(client: CryptopayClient, input, ctx) {
      try {
        return object(committedItem('exchange_transfer', await client.exchangeTransfers.commit(input.exchange_transfer_id, ctx), true));
      } catch (err) {
        if (err instanceof GatewayError && err.httpStatus === 409 && err.code === 'already_committed') {
          const current = await client.exchangeTransfers.retrieve(input.exchange_transfer_id, ctx);
          return object(replayedItem(committedItem('exchange_transfer', current, true), true));
        }
        throw err;
      }
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get exchange transfer',
    description: 'Reads one exchange transfer.',
    input: z.object({ exchange_transfer_id: exchangeTransferId }),
    async run(client: CryptopayClient, input, ctx) {
      return object(committedItem('exchange_transfer', await client.exchangeTransfers.retrieve(input.exchange_transfer_id, ctx), undefined));
    },
  }),
];

export const accountOperations: Readonly<Record<string, Ops>> = {
  account: accounts,
  rate: rates,
  coin: coins,
  risk: risks,
  channel: channels,
  customer: customers,
  subscription: subscriptions,
  exchange_transfer: exchangeTransfers,
};
