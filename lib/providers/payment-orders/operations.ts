/**
 * The CryptoPay payment-orders operations nodes can run, by shared resource name: a payment
 * order is an `invoice`; `transaction`, `wallet` (merchant wallets) and `webhook_endpoint`
 * complete it. Lists fetch their first page before returning, so a refused login or a bad
 * filter fails the operation before any row is sent.
 */
import { z } from 'zod';
import { defineOperation, fields, toMeta } from '../../operations';
import type { OperationDefinition, ResultItem } from '../../operations';
import { mapStatus, mapStatusOrNull } from '../../status';
import { objectResult, prefetchedResult } from '../../results';
import type { PaymentOrdersClient } from './client';
import { generateNonce } from './nonce';
import { BLOCKCHAINS, PAYMENT_ORDER_AMOUNT, WEBHOOK_EVENTS } from './schemas';
import type { MerchantWallet, PaymentOrder, PoTransaction, WebhookEndpoint } from './schemas';
import { PROVIDER_ID, paymentOrderStatusTable, transactionStatusTable } from './status';

type Ops = readonly OperationDefinition<PaymentOrdersClient>[];


export const orderItem = (order: PaymentOrder, replayed = false): ResultItem => {
  const meta = toMeta(PROVIDER_ID, 'invoice', order.order_id, mapStatus(paymentOrderStatusTable, { status: order.status, object: order }));
  return { payload: order, meta: replayed ? { ...meta, replayed: true } : meta };
};
const orderRow = (order: PaymentOrder): ResultItem => ({
  payload: order,
  meta: toMeta(PROVIDER_ID, 'invoice', order.order_id, mapStatusOrNull(paymentOrderStatusTable, { status: order.status, object: order })),
});
export const transactionItem = (tx: PoTransaction): ResultItem => ({
  payload: tx,
  meta: toMeta(PROVIDER_ID, 'transaction', tx.transaction_hash, mapStatusOrNull(transactionStatusTable, { status: tx.status })),
});
const walletItem = (w: MerchantWallet): ResultItem => ({ payload: w, meta: toMeta(PROVIDER_ID, 'wallet', String(w.id), null) });
const endpointItem = (e: WebhookEndpoint): ResultItem => ({ payload: e, meta: toMeta(PROVIDER_ID, 'webhook_endpoint', String(e.id), null) });


/** A numeric id or a text one (`ORD-…`), from the first payload key that is set. */
function anyId(meta: { label: string; help: string; payloadKeys: string[] }) {
  return z
    .union([z.string().trim().min(1, 'must not be empty'), z.number().int().nonnegative()])
    .transform(String)
    .meta({ ...meta, kind: 'string' });
}

const pageSize = fields.integer({ label: 'Page size', help: 'Rows per request, 1–100 (default 20); every page is fetched.', min: 1, max: 100 });
const blockchain = fields.string({ label: 'Blockchain', help: 'Chain slug, e.g. base, ethereum or polygon.', options: [...BLOCKCHAINS] });
const isActive = fields.boolean({ label: 'Active', help: 'true or false.' });

const invoice: Ops = [
  defineOperation({
    name: 'create',
    label: 'Create payment order',
    nodeLabel: 'create payment order',
    description:
      'Creates a payment order the customer pays by sending crypto to your merchant wallet on the chosen chain. The nonce makes it safe to retry: a retried message with the same nonce returns the order already made (msg.paywire.replayed = true) instead of a second one.',
    idempotencyField: 'nonce',
    generateIdempotencyKey: () => generateNonce(),
    input: z.object({
      amount: fields.amount({ label: 'Amount', help: 'Decimal amount in the currency, e.g. "100.00".' }, PAYMENT_ORDER_AMOUNT),
      currency: fields.string({ label: 'Currency', help: 'Token symbol, e.g. USDC or ETH; it must be supported on the blockchain.' }),
      blockchain,
      order_info: fields.jsonText({
        label: 'Order info',
        help: 'What the order is for: an object (sent JSON-encoded) or JSON text, e.g. {"product":"Premium Plan","quantity":1}.',
      }),
      nonce: fields.integer({
        label: 'Nonce',
        help: 'Unique per order. Generated when empty (Unix microseconds) and written back to msg.payload.nonce (or msg.idempotencyKey), so a retried message never creates a second order.',
        payloadKeys: ['nonce', 'idempotencyKey'],
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
      }),
      webhook_url: fields.string({ label: 'Webhook URL', help: 'Where this order’s webhooks also go (signed with your account’s webhook secret).' }).optional(),
      redirect_url: fields.string({ label: 'Redirect URL', help: 'Where the payer is sent after paying.' }).optional(),
      expires_at: fields.string({ label: 'Expires at', help: 'ISO-8601 time, e.g. 2024-01-01T12:00:00Z (default: 2 hours).' }).optional(),
    }),
    async run(client: PaymentOrdersClient, input, ctx) {
      const { order, replayed } = await client.createOrderOnce(input, ctx);
      return objectResult(orderItem(order, replayed));
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get payment order',
    nodeLabel: 'get payment order',
    description: 'Reads one payment order: its status and, once a payment is detected, its transaction.',
    input: z.object({
      order_id: anyId({ label: 'Order id', help: 'ORD-… or the numeric id; from msg.payload.order_id, else msg.payload.id.', payloadKeys: ['order_id', 'id'] }),
    }),
    async run(client: PaymentOrdersClient, input, ctx) {
      return objectResult(orderItem(await client.order(input.order_id, ctx)));
    },
  }),
  defineOperation({
    name: 'list',
    label: 'List payment orders',
    nodeLabel: 'list payment orders',
    description: 'Your payment orders, newest first, page after page.',
    list: true,
    input: z.object({
      status: fields.string({ label: 'Status', help: 'pending, confirmed, failed or expired.', options: ['pending', 'confirmed', 'failed', 'expired'] }).optional(),
      blockchain: blockchain.optional(),
      currency: fields.string({ label: 'Currency', help: 'e.g. USDC.' }).optional(),
      nonce: fields
        .integer({ label: 'Nonce', help: 'Only the order made with this nonce: how to find an order whose create answer was lost.', min: 0, max: Number.MAX_SAFE_INTEGER })
        .optional(),
      page_size: pageSize.optional(),
    }),
    run(client: PaymentOrdersClient, input, ctx) {
      return prefetchedResult('invoice', client.orders(input, ctx), orderRow);
    },
  }),
];

const transaction: Ops = [
  defineOperation({
    name: 'list',
    label: 'List transactions',
    description: 'The on-chain payments of your orders, newest first, page after page.',
    list: true,
    input: z.object({
      status: fields.string({ label: 'Status', help: 'pending, confirmed or failed.', options: ['pending', 'confirmed', 'failed'] }).optional(),
      blockchain: blockchain.optional(),
      order_id: fields.string({ label: 'Order id', help: 'Only the payments of this order (ORD-…).' }).optional(),
      page_size: pageSize.optional(),
    }),
    run(client: PaymentOrdersClient, input, ctx) {
      return prefetchedResult('transaction', client.transactions(input, ctx), transactionItem);
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get transaction',
    description: 'Reads one payment transaction by its hash: confirmations, block, addresses.',
    input: z.object({
      transaction_hash: fields.string({ label: 'Transaction hash', help: '0x…; from msg.payload.transaction_hash, else msg.payload.hash.', payloadKeys: ['transaction_hash', 'hash'] }),
    }),
    async run(client: PaymentOrdersClient, input, ctx) {
      return objectResult(transactionItem(await client.transaction(input.transaction_hash, ctx)));
    },
  }),
];

const walletId = fields.integer({ label: 'Wallet id', help: 'From msg.payload.wallet_id, else msg.payload.id.', payloadKeys: ['wallet_id', 'id'], min: 1 });
const address = fields.string({ label: 'Address', help: 'Your wallet address on that chain (0x…).' });
const walletLabel = fields.string({ label: 'Label', help: 'Your name for the wallet.' });

const wallet: Ops = [
  defineOperation({
    name: 'list',
    label: 'List merchant wallets',
    description: 'The wallets payments land in, one active per blockchain.',
    list: true,
    input: z.object({ blockchain: blockchain.optional(), is_active: isActive.optional(), page_size: pageSize.optional() }),
    run(client: PaymentOrdersClient, input, ctx) {
      return prefetchedResult('wallet', client.wallets(input, ctx), walletItem);
    },
  }),
  defineOperation({
    name: 'add',
    label: 'Add merchant wallet',
    description: 'Adds a wallet address for a blockchain. Only one wallet per blockchain can be active: add a second one inactive, then switch with "update".',
    input: z.object({ blockchain, address, label: walletLabel.optional(), is_active: isActive.optional() }),
    async run(client: PaymentOrdersClient, input, ctx) {
      return objectResult(walletItem(await client.addWallet(input, ctx)));
    },
  }),
  defineOperation({
    name: 'update',
    label: 'Update merchant wallet',
    description: 'Changes a wallet: address, label or whether it is active. Fields left empty keep their value.',
    input: z.object({
      wallet_id: walletId,
      blockchain: blockchain.optional(),
      address: address.optional(),
      label: walletLabel.optional(),
      is_active: isActive.optional(),
    }),
    async run(client: PaymentOrdersClient, input, ctx) {
      const { wallet_id, ...changes } = input;
      // PUT replaces: the required fields come from the wallet as it is.
      const current = await client.wallet(wallet_id, ctx);
      const body = { ...changes, blockchain: changes.blockchain ?? current.blockchain, address: changes.address ?? current.address };
      return objectResult(walletItem(await client.replaceWallet(wallet_id, body, ctx)));
    },
  }),
];

const endpointId = fields.integer({ label: 'Endpoint id', help: 'From msg.payload.webhook_endpoint_id, else msg.payload.id.', payloadKeys: ['webhook_endpoint_id', 'id'], min: 1 });
const endpointUrl = fields.string({ label: 'URL', help: 'Where the webhooks are POSTed, e.g. the URL of a paywire-callback node.' });
const events = fields.stringList({ label: 'Events', help: 'A list, or names separated by commas.', options: [...WEBHOOK_EVENTS] });
const endpointSecret = fields.string({
  label: 'Secret',
  help: 'Signs the deliveries. Default on create: the gateway’s webhook secret, so a paywire-callback node on this gateway verifies them. Never put on the output message.',
});

const webhookEndpoint: Ops = [
  defineOperation({
    name: 'list',
    label: 'List webhook endpoints',
    description: 'The URLs webhooks are delivered to, with their events (secrets are not shown).',
    list: true,
    input: z.object({ page_size: pageSize.optional() }),
    run(client: PaymentOrdersClient, input, ctx) {
      return prefetchedResult('webhook_endpoint', client.webhookEndpoints(input, ctx), endpointItem);
    },
  }),
  defineOperation({
    name: 'create',
    label: 'Create webhook endpoint',
    description: 'Registers a URL for webhooks (all four events unless you choose), signed with the gateway’s webhook secret unless you give another.',
    input: z.object({ url: endpointUrl, events: events.optional(), secret: endpointSecret.optional(), is_active: isActive.optional() }),
    async run(client: PaymentOrdersClient, input, ctx) {
      const created = await client.createWebhookEndpoint({ ...input, events: input.events ?? [...WEBHOOK_EVENTS] }, ctx);
      return objectResult(endpointItem(created));
    },
  }),
  defineOperation({
    name: 'update',
    label: 'Update webhook endpoint',
    description: 'Changes an endpoint: URL, events, secret or whether it is active. Fields left empty keep their value.',
    input: z.object({ webhook_endpoint_id: endpointId, url: endpointUrl.optional(), events: events.optional(), secret: endpointSecret.optional(), is_active: isActive.optional() }),
    async run(client: PaymentOrdersClient, input, ctx) {
      const { webhook_endpoint_id, ...changes } = input;
      const current = await client.webhookEndpoint(webhook_endpoint_id, ctx);
      const body = { ...changes, url: changes.url ?? current.url, events: changes.events ?? current.events };
      return objectResult(endpointItem(await client.replaceWebhookEndpoint(webhook_endpoint_id, body, ctx)));
    },
  }),
];

export const paymentOrdersOperations: Readonly<Record<string, Ops>> = {
  invoice,
  transaction,
  wallet,
  webhook_endpoint: webhookEndpoint,
};
