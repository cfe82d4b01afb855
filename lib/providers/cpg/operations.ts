/**
 * The CPG operations nodes can run, by shared resource name. A CPG "invoice" is a deposit
 * address: there is no amount or expiry to pay against, only an address to show the payer
 * and a deposit request to follow (see the paywire-invoice help).
 */
import { z } from 'zod';
import { defineOperation, fields, toMeta } from '../../operations';
import type { OperationDefinition, OperationResult, ResultItem } from '../../operations';
import { mapStatus, mapStatusOrNull } from '../../status';
import type { CpgClient } from './client';
import { CPG_AMOUNT, TRANSACTION_DIRECTIONS, isWithdrawalGetShape, withdrawalIdOf } from './schemas';
import { assertSameRequest } from '../../replay';
import { arrayResult, objectResult, pagedResult, replayedItem } from '../../results';
import type { ReplayFields } from '../../replay';
import type { CpgTransaction, DepositAddress, DepositRequest, Withdrawal, WithdrawalCreated } from './schemas';
import { depositRequestStatusTable, transactionStatusTable, withdrawalStatusTable } from './status';

const PROVIDER = 'cpg';
type Ops = readonly OperationDefinition<CpgClient>[];



export const depositAddressItem = (d: DepositAddress): ResultItem => ({
  payload: d,
  // A fresh address is waiting for its payer.
  meta: toMeta(PROVIDER, 'deposit', String(d.request_id), mapStatus(depositRequestStatusTable, { status: 'active' })),
});
export const depositRequestItem = (d: DepositRequest): ResultItem => ({
  payload: d,
  meta: toMeta(PROVIDER, 'deposit', String(d.request_id), mapStatus(depositRequestStatusTable, { status: d.status })),
});
export const withdrawalCreatedItem = (w: WithdrawalCreated): ResultItem => ({
  payload: w,
  meta: toMeta(PROVIDER, 'withdrawal', String(w.withdrawal_id), mapStatus(withdrawalStatusTable, { status: w.status })),
});
export const withdrawalItem = (w: Withdrawal): ResultItem => ({
  payload: w,
  meta: toMeta(PROVIDER, 'withdrawal', String(w.id), mapStatus(withdrawalStatusTable, { status: w.status })),
});
export const transactionItem = (t: CpgTransaction): ResultItem => ({
  payload: t,
  meta: toMeta(PROVIDER, 'transaction', String(t.id), mapStatusOrNull(transactionStatusTable, { status: t.status })),
});
const plainItem = (resource: string, payload: unknown): ResultItem => ({ payload, meta: toMeta(PROVIDER, resource, null, null) });

const replayContext = (keyField: string, key: string): { provider: string; keyField: string; key: string } => ({ provider: 'CPG', keyField, key });

/** What a deposit address answered for an idempotency_key must match. */
const DEPOSIT_ADDRESS_REPLAY: ReplayFields<{ currency: string; network: string; user_identifier?: string | undefined }, DepositAddress> = [
  { name: 'currency', as: 'code', requested: (r) => r.currency, existing: (d) => d.currency },
  { name: 'network', as: 'code', requested: (r) => r.network, existing: (d) => d.network },
  { name: 'user_identifier', as: 'text', requested: (r) => r.user_identifier, existing: (d) => d.user_identifier, optionalInAnswer: true },
];

/**
 * What a withdrawal answered for a client_reference must match, in either shape. The echo of
 * currency, network and address is documented for the POST answer (reference §5.5) but checked
 * only where present, so a payout that went out is never reported as failed for a missing echo.
 */
const WITHDRAWAL_REPLAY: ReplayFields<{ currency: string; network: string; to_address: string; amount: string; client_reference: string }, WithdrawalCreated | Withdrawal> = [
  { name: 'amount', as: 'decimal', requested: (r) => r.amount, existing: (w) => (isWithdrawalGetShape(w) ? w.amount : w.amount_decimal) },
  { name: 'currency', as: 'code', requested: (r) => r.currency, existing: (w) => w.currency, optionalInAnswer: true },
  { name: 'network', as: 'code', requested: (r) => r.network, existing: (w) => w.network, optionalInAnswer: true },
  { name: 'to_address', as: 'address', requested: (r) => r.to_address, existing: (w) => w.to_address, optionalInAnswer: true },
  { name: 'client_reference', as: 'text', requested: (r) => r.client_reference, existing: (w) => w.client_reference, optionalInAnswer: true },
];

const currency = fields.string({ label: 'Currency', help: 'e.g. USDT or ETH, as listed by "list currencies".' });
const network = fields.string({ label: 'Network', help: 'e.g. ETH, BSC or TRX.' });

const invoice: Ops = [
  defineOperation({
    name: 'create',
    label: 'Create deposit address',
    nodeLabel: 'create deposit address',
    description:
      'Allocates an address for the payer to send crypto to. With user_identifier the same user always gets the same address. There is no amount: whatever arrives is reported by the deposit webhooks.',
    idempotencyField: 'idempotency_key',
    input: z.object({
      currency,
      network,
      user_identifier: fields.string({ label: 'User identifier', help: 'Your id for the payer; makes the address sticky (the same address on this network every time).' }).optional(),
      idempotency_key: fields.string({
        label: 'Idempotency key',
        help: 'Generated when empty and written back to msg.payload.idempotency_key (or msg.idempotencyKey), so a retry gets the same address.',
        payloadKeys: ['idempotency_key', 'idempotencyKey'],
      }),
    }),
    async run(client: CpgClient, input, ctx) {
      const answer = await client.createDepositAddress(input, ctx);
      // CPG leaves replays of idempotency_key undocumented: an answer for other details is not this address.
      assertSameRequest({ ...replayContext('idempotency_key', input.idempotency_key), fields: DEPOSIT_ADDRESS_REPLAY, request: input, describe: (d) => `deposit request ${d.request_id}` }, answer);
      return objectResult(depositAddressItem(answer));
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get deposit request',
    nodeLabel: 'get deposit request',
    description: 'Reads a deposit request: its status and every on-chain transaction seen for its address.',
    input: z.object({
      request_id: fields.integer({ label: 'Request id', help: 'From msg.payload.request_id or msg.payload.deposit_request_id.', payloadKeys: ['request_id', 'deposit_request_id'], min: 1 }),
    }),
    async run(client: CpgClient, input, ctx) {
      return objectResult(depositRequestItem(await client.depositRequest(input.request_id, ctx)));
    },
  }),
];

const withdrawal: Ops = [
  defineOperation({
    name: 'create',
    label: 'Withdraw',
    description:
      'Sends crypto from your CPG balance; the fee is held on top of the amount. The answer comes once the transaction is broadcast; withdrawal.confirmed or withdrawal.failed follow as webhooks.',
    idempotencyField: 'client_reference',
    input: z.object({
      currency,
      network,
      to_address: fields.string({ label: 'To address', help: 'Checked against the network before any balance is held.' }),
      amount: fields.amount({ label: 'Amount', help: 'At least the currency’s min_withdrawal_amount.' }, CPG_AMOUNT),
      client_reference: fields.string({
        label: 'Client reference',
        help: 'Your payout reference and CPG’s idempotency key. Generated when empty and written back to msg.payload.client_reference (or msg.idempotencyKey), so a retried message never pays twice.',
        payloadKeys: ['client_reference', 'idempotencyKey'],
      }),
    }),
    async run(client: CpgClient, input, ctx) {
      const answer = await client.createWithdrawal(input, ctx);
      // A replay of client_reference may be the first answer or the stored withdrawal (GET shape);
      // either way it must be this payout.
      const getShape = isWithdrawalGetShape(answer);
      const describe = (w: WithdrawalCreated | Withdrawal): string => `withdrawal ${withdrawalIdOf(w)}`;
      assertSameRequest({ ...replayContext('client_reference', input.client_reference), fields: WITHDRAWAL_REPLAY, request: input, describe }, answer);
      if (!getShape) return objectResult(withdrawalCreatedItem(answer));
      const item = withdrawalItem(answer);
      return objectResult(replayedItem(item, true));
    },
  }),
  defineOperation({
    name: 'get',
    label: 'Get withdrawal',
    description: 'Reads one withdrawal: status, fee, transaction hash and the error of a failed one.',
    input: z.object({
      withdrawal_id: fields.integer({ label: 'Withdrawal id', help: 'From msg.payload.withdrawal_id or msg.payload.id.', payloadKeys: ['withdrawal_id', 'id'], min: 1 }),
    }),
    async run(client: CpgClient, input, ctx) {
      return objectResult(withdrawalItem(await client.withdrawal(input.withdrawal_id, ctx)));
    },
  }),
];

const transaction: Ops = [
  defineOperation({
    name: 'list',
    label: 'List transactions',
    description: 'Every on-chain transaction of the account (deposits, withdrawals, sweeps, gas top-ups), newest first, page after page.',
    list: true,
    input: z.object({
      direction: fields.string({ label: 'Direction', help: 'deposit, withdrawal, sweep or gas_topup.', options: [...TRANSACTION_DIRECTIONS] }).optional(),
      currency: currency.optional(),
      network: network.optional(),
      status: fields.string({ label: 'Status', help: 'e.g. pending or confirmed.' }).optional(),
      limit: fields.integer({ label: 'Page size', help: 'Rows per request, 1–200 (default 50).', min: 1, max: 200 }).optional(),
    }),
    run(client: CpgClient, input, ctx) {
      return Promise.resolve(pagedResult('transaction', client.transactions(input, ctx), transactionItem));
    },
  }),
];

const plainList = (resource: string, items: unknown[]): OperationResult => arrayResult(resource, items, (i) => plainItem(resource, i));

const balance: Ops = [
  defineOperation({
    name: 'list',
    label: 'List balances',
    description: 'Your balance per currency and network.',
    list: true,
    input: z.object({}),
    async run(client: CpgClient, _input, ctx) {
      return plainList('balance', await client.balances(ctx));
    },
  }),
];

const currencyOps: Ops = [
  defineOperation({
    name: 'list',
    label: 'List currencies',
    description: 'Currencies enabled on the account, with minimums and withdrawal fees.',
    list: true,
    input: z.object({}),
    async run(client: CpgClient, _input, ctx) {
      return plainList('currency', await client.currencies(ctx));
    },
  }),
];

const hotWallet: Ops = [
  defineOperation({
    name: 'get',
    label: 'Get hot wallet address',
    description: 'The address withdrawals on a network are sent from; keep it funded with the asset and native gas.',
    input: z.object({ network }),
    async run(client: CpgClient, input, ctx) {
      return objectResult(plainItem('hot_wallet', await client.hotWalletAddress(input.network, ctx)));
    },
  }),
];

/**
 * The ping echoes the API key id, a gateway credential: only its last four characters reach
 * the message (enough to tell keys apart, never the credential).
 */
export function maskKeyId(answer: unknown): unknown {
  if (typeof answer !== 'object' || answer === null || typeof (answer as { key_id?: unknown }).key_id !== 'string') return answer;
  const id = (answer as { key_id: string }).key_id;
  return { ...answer, key_id: id.length > 8 ? `****${id.slice(-4)}` : '****' };
}

const connection: Ops = [
  defineOperation({
    name: 'ping',
    label: 'Ping',
    description: 'A signed no-op: proves the base URL, key, secret and clock work (it needs no permission).',
    input: z.object({}),
    async run(client: CpgClient, _input, ctx) {
      return objectResult(plainItem('connection', maskKeyId(await client.ping(ctx))));
    },
  }),
];

export const cpgOperations: Readonly<Record<string, Ops>> = {
  invoice,
  withdrawal,
  transaction,
  balance,
  currency: currencyOps,
  hot_wallet: hotWallet,
  connection,
};
