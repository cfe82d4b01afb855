/**
 * Coin withdrawal (payout) operations. Never pays twice: custom_id is always sent (the node
 * generates one when the message has none), and a retry that meets duplicate_custom_id
 * returns the withdrawal the first attempt created.
 */
import { z } from 'zod';
import { GatewayError } from '../../../errors';
import { defineOperation, fields } from '../../../operations';
import type { OperationDefinition, ResultItem } from '../../../operations';
import type { CryptopayClient } from '../client';
import { CRYPTOPAY_AMOUNT, NETWORK_FEE_LEVELS } from '../schemas';
import type { CoinWithdrawal } from '../schemas';
import type { ReplayFields } from '../../../replay';
import { coinWithdrawalStatusTable } from '../status';
import { arrayResult, createOrReplay, idField, idOrCustomId, mappedItem, object, pagedResult, plainItem, replayedItem } from './common';

export function withdrawalItem(withdrawal: CoinWithdrawal): ResultItem {
  return mappedItem('withdrawal', coinWithdrawalStatusTable, withdrawal);
}

const AMOUNT_MODES = ['charged_amount', 'charged_amount_to_send', 'received_amount', 'amount'] as const;

interface WithdrawalRequest {
  address: string;
  charged_currency: string;
  received_currency: string;
  network?: string | undefined;
  charged_amount?: string | undefined;
  charged_amount_to_send?: string | undefined;
  received_amount?: string | undefined;
  amount?: string | undefined;
  amount_currency?: string | undefined;
  amount_includes_processing_fee?: boolean | undefined;
  amount_includes_network_fee?: boolean | undefined;
  customer_id?: string | undefined;
}

const sameCode = (a: unknown, b: unknown): boolean => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * The field of a withdrawal that holds the request's amount, in the amount mode it used; undefined
 * when the withdrawal does not show that amount (fees on top of a charged amount, or fees
 * included in a received one), so a replay cannot be checked.
 */
function amountShownBy(request: WithdrawalRequest): 'charged_amount' | 'received_amount' | undefined {
  if (request.charged_amount !== undefined) return 'charged_amount';
  if (request.received_amount !== undefined) return 'received_amount';
  if (request.amount === undefined) return undefined;
  const processing = request.amount_includes_processing_fee === true;
  const network = request.amount_includes_network_fee === true;
  // `amount` in the charged currency with both fees taken out of it is the charged amount; in
  // the received currency with both on top, it is what the recipient receives.
  if (sameCode(request.amount_currency, request.charged_currency) && processing && network) return 'charged_amount';
  if (sameCode(request.amount_currency, request.received_currency) && !processing && !network) return 'received_amount';
  return undefined;
}

const requestedAmount = (r: WithdrawalRequest): string | undefined => r.charged_amount ?? r.charged_amount_to_send ?? r.received_amount ?? r.amount;
const amountModeName = (r: WithdrawalRequest): string => AMOUNT_MODES.find((m) => r[m] !== undefined) ?? 'amount';

/** What a replayed payout must match: the amount in its mode, both currencies, address, network (when named) and customer. */
const WITHDRAWAL_REPLAY: ReplayFields<WithdrawalRequest, CoinWithdrawal> = [
  {
    name: amountModeName,
    as: 'decimal',
    requested: requestedAmount,
    existing: (w, r) => {
      const field = amountShownBy(r);
      return field === undefined ? undefined : w[field];
    },
  },
  { name: 'charged_currency', as: 'code', requested: (r) => r.charged_currency, existing: (w) => w.charged_currency },
  { name: 'received_currency', as: 'code', requested: (r) => r.received_currency, existing: (w) => w.received_currency },
  { name: 'address', as: 'address', requested: (r) => r.address, existing: (w) => w.address },
  // An uncommitted withdrawal shows no network (recorded): such a replay cannot be checked.
  { name: 'network', as: 'code', requested: (r) => r.network, existing: (w) => w.network, defaulted: true },
  { name: 'customer_id', as: 'text', requested: (r) => r.customer_id, existing: (w) => w.customer_id },
];
const create = defineOperation({
  name: 'create',
  label: 'Withdraw',
  description:
    'Sends crypto from your Cryptopay balance. Give exactly one amount: charged_amount (fees taken out of it), charged_amount_to_send or received_amount (fees on top), or amount + amount_currency with the two "includes fee" switches. Without force commit the withdrawal waits for "commit" (within 30 s).',
  idempotencyField: 'custom_id',
  input: z
    .object({
      address: fields.string({
        label: 'Address',
        help: 'Recipient address; XRP tag as address?dt=TAG, XLM memo as address?memoId=ID.',
      }),
      charged_currency: fields.string({ label: 'Charged currency', help: 'Your account to debit, e.g. EUR or USDT.' }),
      received_currency: fields.string({ label: 'Received currency', help: 'Cryptocurrency to send, e.g. BTC.' }),
      network: fields.string({ label: 'Network', help: 'e.g. tron or ethereum for USDT.' }).optional(),
      charged_amount: fields.amount({ label: 'Charged amount', help: 'Total debited; fees come out of it.' }, CRYPTOPAY_AMOUNT).optional(),
      charged_amount_to_send: fields.amount({ label: 'Charged amount to send', help: 'Amount to send in the charged currency; fees on top.' }, CRYPTOPAY_AMOUNT).optional(),
      received_amount: fields.amount({ label: 'Received amount', help: 'Amount the recipient gets, in the received currency; fees on top.' }, CRYPTOPAY_AMOUNT).optional(),
      amount: fields.amount({ label: 'Amount', help: 'Newer mode: amount in amount_currency.' }, CRYPTOPAY_AMOUNT).optional(),
      amount_currency: fields.string({ label: 'Amount currency', help: 'The charged or the received currency.' }).optional(),
      amount_includes_processing_fee: fields.boolean({ label: 'Amount includes processing fee' }).optional(),
      amount_includes_network_fee: fields.boolean({ label: 'Amount includes network fee' }).optional(),
      network_fee_level: fields.string({ label: 'Network fee level', help: 'fast, average (default) or slow.', options: [...NETWORK_FEE_LEVELS] }).optional(),
      custom_id: fields.string({
        label: 'Custom id',
        help: 'Your payout reference. Generated when empty and written back to msg.payload.custom_id (or msg.idempotencyKey), so a retried message never pays twice.',
        payloadKeys: ['custom_id', 'idempotencyKey'],
      }),
      customer_id: fields.string({ label: 'Customer id' }).optional(),
      force_commit: fields.boolean({ label: 'Force commit', help: 'Send at once instead of waiting for "commit".' }).optional(),
      travel_rule_compliant: fields.boolean({ label: 'Travel rule compliant' }).optional(),
      beneficiary: z
        .looseObject({})
        .meta({ label: 'Beneficiary', kind: 'object', help: 'Travel rule: {type, name, address: {country, city, line_1, line_2, post_code}}.' })
        .optional(),
    })
    .superRefine((v, ctx) => {
      const given = AMOUNT_MODES.filter((m) => v[m] !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['charged_amount'],
          message: given.length === 0 ? 'needs one amount: charged_amount, charged_amount_to_send, received_amount or amount' : `give only one amount, not ${given.join(' and ')}`,
        });
      }
      if (v.amount !== undefined && v.amount_currency === undefined) {
        ctx.addIssue({ code: 'custom', path: ['amount_currency'], message: 'is required with amount' });
      }
      if (v.network_fee_level !== undefined && !(NETWORK_FEE_LEVELS as readonly string[]).includes(v.network_fee_level)) {
        ctx.addIssue({ code: 'custom', path: ['network_fee_level'], message: 'must be fast, average or slow' });
      }
      if (v.travel_rule_compliant === true && v.beneficiary === undefined) {
        ctx.addIssue({ code: 'custom', path: ['beneficiary'], message: 'is required when travel_rule_compliant is true' });
      }
    }),
  async run(client: CryptopayClient, input, ctx) {
    const { value, replayed } = await createOrReplay({
      what: 'withdrawal',
      customId: input.custom_id,
      request: input,
      fields: WITHDRAWAL_REPLAY,
      create: () => client.coinWithdrawals.create(input, ctx),
      findExisting: (customId) => client.coinWithdrawals.retrieveByCustomId(customId, ctx),
    });
    return object(replayedItem(withdrawalItem(value), replayed));
  },
});

const commit = defineOperation({
  name: 'commit',
  label: 'Commit withdrawal',
  description: 'Sends a two-step withdrawal created without force commit. Must follow the create within 30 seconds. Committing twice returns the withdrawal, it does not pay twice.',
  input: z.object({ withdrawal_id: idField('withdrawal', 'Withdrawal id') }),
  async run(client: CryptopayClient, input, ctx) {
    try {
      return object(withdrawalItem(await client.coinWithdrawals.commit(input.withdrawal_id, ctx)));
    } catch (err) {
      // A retried commit whose first attempt went through: report the withdrawal as it is.
      if (!(err instanceof GatewayError && err.httpStatus === 409)) throw err;
      const current = await client.coinWithdrawals.retrieve(input.withdrawal_id, ctx);
      if (current.status === 'new') throw err;
      return object(replayedItem(withdrawalItem(current), true));
    }
  },
});

const get = defineOperation({
  name: 'get',
  label: 'Get withdrawal',
  description: 'Reads one withdrawal by its id, or by your custom_id.',
  input: idOrCustomId('withdrawal', 'Withdrawal id'),
  async run(client: CryptopayClient, input, ctx) {
    const id = input.withdrawal_id;
    const w = id ? await client.coinWithdrawals.retrieve(id, ctx) : await client.coinWithdrawals.retrieveByCustomId(input.custom_id!, ctx);
    return object(withdrawalItem(w));
  },
});

const list = defineOperation({
  name: 'list',
  label: 'List withdrawals',
  description: 'Lists withdrawals newest first, page by page.',
  list: true,
  input: z.object({ customer_id: fields.string({ label: 'Customer id' }).optional() }),
  run(client: CryptopayClient, input, ctx) {
    return Promise.resolve(pagedResult('withdrawal', client.coinWithdrawals.list(input, ctx), withdrawalItem));
  },
});

const networkFees = defineOperation({
  name: 'network-fees',
  label: 'Network fees',
  description: 'Current network fees per level (BTC: fast, average, slow; other coins: average).',
  list: true,
  input: z.object({ all_networks: fields.boolean({ label: 'All networks', help: 'Fees for every network of every coin.' }).optional() }),
  async run(client: CryptopayClient, input, ctx) {
    const fees = await client.coinWithdrawals.networkFees(input, ctx);
    return arrayResult('network_fee', fees, (fee) => plainItem('network_fee', fee));
  },
});

export const withdrawalOperations: readonly OperationDefinition<CryptopayClient>[] = [create, commit, get, list, networkFees];
