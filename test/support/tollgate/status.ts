/** Tollgate's invoice statuses and webhook events in the shared vocabulary. */
import type { StatusTable } from '../../../lib/status';

export const TOLLGATE_ID = 'tollgate';

export const invoiceStatusTable: StatusTable = {
  provider: TOLLGATE_ID,
  resource: 'Bill',
  rules: [
    { status: 'open', state: 'pending' },
    { status: 'settling', state: 'confirming' },
    { status: 'settled', state: 'completed' },
    { status: 'void', state: 'cancelled' },
  ],
};

export const tollgateStatusTables: readonly StatusTable[] = [invoiceStatusTable];
