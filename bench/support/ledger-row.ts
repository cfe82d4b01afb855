/** One ledger row shaped like Cryptopay's GET /api/transactions rows (the emulator's seeded ones). */
import { randomUUID } from 'node:crypto';

export function ledgerRow(n: number, id: string = randomUUID()): Record<string, unknown> & { id: string } {
  return {
    id,
    custom_id: null,
    customer_id: null,
    amount: `${1 + (n % 9)}.${String(n % 100).padStart(2, '0')}`,
    currency: 'EUR',
    balance: '100.00',
    fee: '0.00',
    fee_currency: 'EUR',
    reference_id: randomUUID(),
    reference_type: 'ManualBalanceTransaction',
    description: 'seeded',
    status: null,
    status_context: null,
    risk: null,
    created_at: '2026-01-01T00:00:00+00:00',
  };
}
