/** The Cryptopay operations nodes can run, by shared resource name. */
import type { OperationDefinition } from '../../../operations';
import type { CryptopayClient } from '../client';
import { accountOperations } from './account';
import { invoiceOperations } from './invoice';
import { transactionOperations } from './ledger';
import { withdrawalOperations } from './withdrawal';

export { invoiceItem } from './invoice';
export { channelPaymentItem, subscriptionItem } from './account';
export { withdrawalItem } from './withdrawal';
export { transactionItem, transactionStatus } from './ledger';

export const cryptopayOperations: Readonly<Record<string, readonly OperationDefinition<CryptopayClient>[]>> = {
  invoice: invoiceOperations,
  withdrawal: withdrawalOperations,
  transaction: transactionOperations,
  ...accountOperations,
};
