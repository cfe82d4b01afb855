// The account's on-chain transactions (reference §5.7): deposits, sweeps, gas top-ups and
// withdrawals, listed newest first in cursor pages.
import type { Decimal } from '../shared/decimal';
import { findCurrency, findNetwork, fixed, newTxHash } from './catalog';
import { restTime } from './envelope';

export const DIRECTIONS = ['deposit', 'withdrawal', 'sweep', 'gas_topup'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export type TxStatus = 'pending' | 'broadcasted' | 'confirmed' | 'failed';
export const TX_STATUSES: readonly TxStatus[] = ['pending', 'broadcasted', 'confirmed', 'failed'];

export interface ChainTx {
  id: number;
  txHash: string;
  direction: Direction;
  status: TxStatus;
  currency: string;
  network: string;
  fromAddress: string;
  toAddress: string;
  amount: Decimal;
  confirmations: number;
  blockNumber: number | null;
  createdAt: number;
  confirmedAt: number | null;
}

export interface TxFilters {
  direction?: Direction | undefined;
  currency?: string | undefined;
  network?: string | undefined;
  status?: string | undefined;
  cursor?: number | undefined;
  limit: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export function decimalsOf(currency: string, network: string): number {
  return findCurrency(currency, network)?.decimals ?? 18;
}

export function txJson(tx: ChainTx): Record<string, unknown> {
  return {
    id: tx.id,
    tx_hash: tx.txHash,
    direction: tx.direction,
    status: tx.status,
    currency: tx.currency,
    network: tx.network,
    from_address: tx.fromAddress,
    to_address: tx.toAddress,
    amount_decimal: fixed(tx.amount, decimalsOf(tx.currency, tx.network)),
    confirmations: tx.confirmations,
    block_number: tx.blockNumber,
    created_at: restTime(tx.createdAt),
    confirmed_at: tx.confirmedAt === null ? null : restTime(tx.confirmedAt),
  };
}

export class TransactionLog {
  /** Ascending by id, so the newest is last. */
  private readonly rows: ChainTx[] = [];
  private readonly byHash = new Map<string, ChainTx>();
  private nextId = 1;
  private readonly blocks = new Map<string, number>();

  add(fields: Omit<ChainTx, 'id' | 'txHash' | 'blockNumber' | 'confirmations' | 'confirmedAt'> & { txHash?: string | undefined; confirmations?: number }): ChainTx {
    const family = findNetwork(fields.network)?.family ?? 'evm';
    // Built field by field (not spread) so every row has the same shape.
    const tx: ChainTx = {
      id: this.nextId++,
      txHash: fields.txHash ?? newTxHash(family),
      direction: fields.direction,
      status: fields.status,
      currency: fields.currency,
      network: fields.network,
      fromAddress: fields.fromAddress,
      toAddress: fields.toAddress,
      amount: fields.amount,
      confirmations: fields.confirmations ?? 0,
      blockNumber: fields.status === 'broadcasted' ? null : this.nextBlock(fields.network),
      createdAt: fields.createdAt,
      confirmedAt: fields.status === 'confirmed' ? fields.createdAt : null,
    };
    this.rows.push(tx);
    this.byHash.set(tx.txHash, tx);
    return tx;
  }

  /** The row reaches the network's confirmations (or fails). */
  settle(tx: ChainTx, status: 'confirmed' | 'failed', nowMs: number): void {
    tx.status = status;
    if (status === 'confirmed') {
      tx.confirmations = Math.max(tx.confirmations, findNetwork(tx.network)?.minConfirmations ?? 1);
      tx.blockNumber ??= this.nextBlock(tx.network);
      tx.confirmedAt = nowMs;
    }
  }

  hashInUse(txHash: string): boolean {
    return this.byHash.has(txHash);
  }

  byTxHash(txHash: string): ChainTx | undefined {
    return this.byHash.get(txHash);
  }

  /**
   * Newest first; rows with id < cursor. A full page (data_count == limit) always reports
   * has_more with the last row's id as next_cursor, even when nothing older is left: the
   * documented rule, without look-ahead (README assumption).
   */
  page(filters: TxFilters): { rows: ChainTx[]; nextCursor: number | null; hasMore: boolean } {
    const rows: ChainTx[] = [];
    for (let i = this.lastBefore(filters.cursor); i >= 0 && rows.length < filters.limit; i -= 1) {
      const tx = this.rows[i]!;
      if (filters.direction !== undefined && tx.direction !== filters.direction) continue;
      if (filters.currency !== undefined && tx.currency !== filters.currency) continue;
      if (filters.network !== undefined && tx.network !== filters.network) continue;
      if (filters.status !== undefined && tx.status !== filters.status) continue;
      rows.push(tx);
    }
    const full = rows.length === filters.limit;
    return { rows, nextCursor: full ? rows[rows.length - 1]!.id : null, hasMore: full };
  }

  get size(): number {
    return this.rows.length;
  }

  /** Index of the newest row with id < cursor (binary search: rows ascend by id). */
  private lastBefore(cursor: number | undefined): number {
    if (cursor === undefined) return this.rows.length - 1;
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]!.id < cursor) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  clear(): void {
    this.rows.length = 0;
    this.byHash.clear();
    this.nextId = 1;
    this.blocks.clear();
  }

  private nextBlock(network: string): number {
    const base = { ETH: 19_800_000, BSC: 38_500_000, TRX: 62_000_000 }[network] ?? 850_000;
    const next = (this.blocks.get(network) ?? base) + 1;
    this.blocks.set(network, next);
    return next;
  }
}
