// Bulk transaction rows for pagination tests and demos: confirmed, ledger-only rows (no deposit
// request, no webhook, no balance change), amounts 1.000000, 2.000000, … so pages are easy to check.
import { Decimal } from '../shared/decimal';
import { findCurrency, findNetwork, isListed, newAddress } from './catalog';
import type { Direction, TransactionLog } from './transactions';
import { DIRECTIONS } from './transactions';

export interface SeedSpec {
  count: number;
  direction?: string | undefined;
  currency?: string | undefined;
  network?: string | undefined;
}

export const MAX_SEED = 100_000;

export function seedTransactions(log: TransactionLog, spec: SeedSpec, nowMs: number, hotWallet: (network: string) => string): { count: number; first_id: number; last_id: number } {
  if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > MAX_SEED) throw new RangeError(`count: must be an integer from 1 to ${MAX_SEED}`);
  const direction = (spec.direction ?? 'deposit') as Direction;
  if (!DIRECTIONS.includes(direction)) throw new RangeError(`direction: one of ${DIRECTIONS.join(', ')}`);
  const currency = spec.currency ?? 'USDT';
  const network = spec.network ?? 'ETH';
  const info = findCurrency(currency, network);
  const chain = findNetwork(network);
  if (!info || !isListed(info) || !chain) throw new RangeError(`currency/network: ${currency} on ${network} is not enabled`);
  const wallet = hotWallet(network);
  const outgoing = direction === 'withdrawal' || direction === 'gas_topup';
  let first = 0;
  let last = 0;
  for (let i = 1; i <= spec.count; i += 1) {
    const other = newAddress(chain.family);
    const tx = log.add({
      direction,
      status: 'confirmed',
      currency,
      network,
      fromAddress: outgoing ? wallet : other,
      toAddress: outgoing ? other : wallet,
      amount: Decimal.of(BigInt(i)),
      // One second apart, the last one now.
      createdAt: nowMs - (spec.count - i) * 1000,
      confirmations: chain.minConfirmations,
    });
    if (i === 1) first = tx.id;
    last = tx.id;
  }
  return { count: spec.count, first_id: first, last_id: last };
}
