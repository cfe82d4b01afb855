/** The ledger: account transactions with every filter, streamed page by page. */
import { z } from 'zod';
import { defineOperation, fields, toMeta } from '../../../operations';
import type { OperationDefinition, ResultItem } from '../../../operations';
import { ownValue } from '../../../lookup';
import { mapStatusOrNull } from '../../../status';
import type { MappedStatus } from '../../../status';
import type { CryptopayClient } from '../client';
import { RISK_LEVELS, TRANSACTION_REFERENCE_TYPES } from '../schemas';
import type { Transaction } from '../schemas';
import { balanceMovementStatusTable, transactionStatusTables } from '../status';
import { PROVIDER, idField, pagedResult } from './common';

/**
 * A row's status is the status of the object it refers to, read with that object's table.
 * A row without status is a movement that happened. A status Paywire does not know gives
 * state null rather than failing a whole export.
 */
export function transactionStatus(row: Pick<Transaction, 'reference_type' | 'status' | 'status_context'>): MappedStatus | null {
  const table = row.status ? ownValue(transactionStatusTables, row.reference_type) : balanceMovementStatusTable;
  return table ? mapStatusOrNull(table, { status: row.status ?? null, context: row.status_context, object: row }) : null;
}

export function transactionItem(row: Transaction): ResultItem {
  return { payload: row, meta: toMeta(PROVIDER, 'transaction', row.id, transactionStatus(row)) };
}

const timestamp = (label: string) =>
  fields.string({ label, help: 'ISO 8601, e.g. 2026-01-31T00:00:00Z or 2026-01-31T00:00:00+00:00.' });

const list = defineOperation({
  name: 'list',
  label: 'List transactions',
  description: 'Every balance movement of your account (the ledger), newest first, filtered and fetched page by page.',
  list: true,
  input: z
    .object({
      created_at_from: timestamp('Created from').optional(),
      created_at_to: timestamp('Created to').optional(),
      reference_type: fields.string({ label: 'Reference type', help: 'Invoice, CoinWithdrawal, ChannelPayment …', options: [...TRANSACTION_REFERENCE_TYPES] }).optional(),
      currency: fields.string({ label: 'Currency', help: 'Account currency, e.g. EUR.' }).optional(),
      status: fields.string({ label: 'Status', help: 'Status of the referenced object, e.g. completed.' }).optional(),
      risk_level: fields.string({ label: 'Risk level', help: 'low, medium or high.', options: [...RISK_LEVELS] }).optional(),
      customer_id: fields.string({ label: 'Customer id' }).optional(),
    })
    .superRefine((v, ctx) => {
      for (const key of ['created_at_from', 'created_at_to'] as const) {
        if (v[key] !== undefined && Number.isNaN(Date.parse(v[key]))) ctx.addIssue({ code: 'custom', path: [key], message: 'must be an ISO 8601 date-time' });
      }
      if (v.risk_level !== undefined && !(RISK_LEVELS as readonly string[]).includes(v.risk_level)) {
        ctx.addIssue({ code: 'custom', path: ['risk_level'], message: 'must be low, medium or high' });
      }
    }),
  run(client: CryptopayClient, input, ctx) {
    return Promise.resolve(pagedResult('transaction', client.transactions.list(input, ctx), transactionItem));
  },
});

const accountList = defineOperation({
  name: 'account',
  label: 'List account transactions',
  description: 'The ledger of one account (one currency), newest first, page by page.',
  list: true,
  input: z.object({ account_id: idField('account', 'Account id') }),
  run(client: CryptopayClient, input, ctx) {
    return Promise.resolve(pagedResult('transaction', client.accounts.transactions(input.account_id, ctx), transactionItem));
  },
});

export const transactionOperations: readonly OperationDefinition<CryptopayClient>[] = [list, accountList];
