/** Everything else in the Cryptopay API: accounts, rates, coins, channels, customers, subscriptions, exchange transfers. */
import { z } from 'zod';
import { GatewayError } from '../../../errors';
import { defineOperation, fields } from '../../../operations';
import type { OperationDefinition, ResultItem } from '../../../operations';
import type { CryptopayClient } from '../client';
import { RISK_SCORE_TYPES, SUBSCRIPTION_PERIODS } from '../schemas';
import type { ChannelPayment, Subscription } from '../schemas';
import { channelPaymentStatusTable, subscriptionStatusTable } from '../status';
import {
  arrayResult,
  committedItem,
  createOrReplay,
  idField,
  idOrCustomId,
  mappedItem,
  object,
  pagedResult,
  plainItem,
  replayedItem,
} from './common';

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
      const { value, replayed } = await createOrReplay(
        input.custom_id,
        () => client.channels.create(input, ctx),
        (customId) => client.channels.retrieveByCustomId(customId, ctx),
        (existing) => existing.pay_currency === input.pay_currency && existing.receiver_currency === input.receiver_currency,
        'channel',
      );
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

const subscriptions: Ops = [
  defineOperation({
    name: 'create',
    label: 'Create subscription',
    description: 'Recurring invoices e-mailed to a payer. The first payment must be made before starts_at (at least 3 days ahead).',
    input: z.object({
      name: fields.string({ label: 'Name' }),
      amount: fields.decimal({ label: 'Amount' }),
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
      const { value, replayed } = await createOrReplay(
        input.custom_id,
        () => client.subscriptions.create(input, ctx),
        (customId) => client.subscriptions.retrieveByCustomId(customId, ctx),
        (existing) => existing.currency === input.currency && (existing as { payer_email?: unknown }).payer_email === input.payer_email,
        'subscription',
      );
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
        charged_amount: fields.decimal({ label: 'Charged amount' }).optional(),
        received_amount: fields.decimal({ label: 'Received amount' }).optional(),
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
      // Cryptopay has no lookup by custom_id for exchange transfers: a duplicate is reported, never redone.
      const { value } = await createOrReplay(input.custom_id, () => client.exchangeTransfers.create(body, ctx), undefined, () => false, 'exchange transfer');
      return object(committedItem('exchange_transfer', value, input.force_commit === true));
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
