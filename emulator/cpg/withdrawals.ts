// Withdrawals (reference §5.5–5.6): amount + fee held from the balance, broadcast from the hot
// wallet and answered synchronously as `broadcasted`; the outcome follows as withdrawal.confirmed
// (balance debited) or withdrawal.failed (hold released). client_reference is the idempotency key.
import type { Decimal } from '../shared/decimal';
import type { Balances } from './balances';
import { findCurrency, findNetwork, fixed, isValidAddress, withdrawalFee } from './catalog';
import { cpgErrors, restTime } from './envelope';
import { IdempotencyStore } from './idempotency';
import type { ChainTx, TransactionLog } from './transactions';
import { Checker } from './validation';
import type { WebhookEvent } from './webhooks';

export type WithdrawalStatus = 'pending' | 'broadcasted' | 'confirmed' | 'failed';

interface Withdrawal {
  id: number;
  currency: string;
  network: string;
  decimals: number;
  toAddress: string;
  amount: Decimal;
  fee: Decimal;
  clientReference: string | null;
  status: WithdrawalStatus;
  tx: ChainTx;
  errorMessage: string | null;
  requestedAt: number;
  broadcastAt: number | null;
  confirmedAt: number | null;
}

/** How a replayed client_reference is answered: the first answer as it was, or the withdrawal as GET shows it now. */
export type WithdrawalReplayShape = 'first-answer' | 'stored-withdrawal';

export interface WithdrawalDeps {
  /** Default 'first-answer'. */
  replayShape?: WithdrawalReplayShape;
  /** Default true: the same client_reference with another body is a 409. */
  replayChecksBody?: boolean;
  now(): number;
  log: TransactionLog;
  balances: Balances;
  hotWallet(network: string): string;
  emit(event: WebhookEvent, data: Record<string, unknown>): void;
}

export const DEFAULT_FAILURE_MESSAGE = 'transaction dropped from the mempool';

export class WithdrawalService {
  private readonly withdrawals = new Map<number, Withdrawal>();
  // A payout reference stays taken for good (our assumption), unlike a deposit idempotency_key.
  private readonly references: IdempotencyStore<Record<string, unknown>>;
  private nextId = 501;

  constructor(private readonly deps: WithdrawalDeps) {
    this.references = new IdempotencyStore<Record<string, unknown>>('client_reference', Number.POSITIVE_INFINITY, deps.replayChecksBody ?? true);
  }

  /** POST /v1/withdrawals. Checks run in this order; a refused request holds nothing. */
  create(body: Record<string, unknown>): Record<string, unknown> {
    const check = new Checker(body);
    const currency = check.string('currency', { required: true, min: 1, max: 32 });
    const network = check.string('network', { required: true, min: 1, max: 32 });
    const toAddress = check.string('to_address', { required: true, min: 10, max: 256 });
    const amount = check.positiveDecimal('amount');
    const clientReference = check.string('client_reference', { required: false, max: 128 });
    check.done();
    const nowMs = this.deps.now();
    const fingerprint = JSON.stringify([currency, network, toAddress, amount!.toString()]);
    const replay = (first: Record<string, unknown>): Record<string, unknown> =>
      this.deps.replayShape === 'stored-withdrawal' ? this.get(first.withdrawal_id as number) : first;
    return this.references.once(clientReference, fingerprint, nowMs, () => this.broadcast(currency!, network!, toAddress!, amount!, clientReference ?? null, nowMs), replay);
  }

  private broadcast(currency: string, network: string, toAddress: string, amount: Decimal, clientReference: string | null, nowMs: number): Record<string, unknown> {
    const info = findCurrency(currency, network);
    const chain = findNetwork(network);
    if (!info || !info.withdrawalEnabled || !chain) throw cpgErrors.rejected(`${currency} on ${network} is not enabled for withdrawals on this account`);
    // The address is checked before any balance is held (reference §5.5).
    if (!isValidAddress(chain.family, toAddress)) throw cpgErrors.rejected(`Invalid destination address for network ${chain.code}`);
    if (amount.cmp(info.minWithdrawal) < 0) {
      throw cpgErrors.rejected(`Amount is below the minimum withdrawal amount of ${fixed(info.minWithdrawal, info.decimals)} ${info.currency}`);
    }
    if (amount.precision > info.decimals) throw cpgErrors.rejected(`Amount has more decimal places than ${info.currency} allows (${info.decimals})`);
    const fee = withdrawalFee(info, amount);
    const needed = amount.add(fee);
    const available = this.deps.balances.available(info.currency, chain.code);
    if (needed.cmp(available) > 0) {
      throw cpgErrors.rejected(
        `Insufficient balance: ${fixed(needed, info.decimals)} ${info.currency} needed (amount plus fee ${fixed(fee, info.decimals)}), ${fixed(available, info.decimals)} available`,
      );
    }

    this.deps.balances.hold(info.currency, chain.code, needed);
    const tx = this.deps.log.add({
      direction: 'withdrawal',
      status: 'broadcasted',
      currency: info.currency,
      network: chain.code,
      fromAddress: this.deps.hotWallet(chain.code),
      toAddress,
      amount,
      createdAt: nowMs,
    });
    const w: Withdrawal = {
      id: this.nextId++,
      currency: info.currency,
      network: chain.code,
      decimals: info.decimals,
      toAddress,
      amount,
      fee,
      clientReference,
      status: 'broadcasted',
      tx,
      errorMessage: null,
      requestedAt: nowMs,
      broadcastAt: nowMs,
      confirmedAt: null,
    };
    this.withdrawals.set(w.id, w);
    this.deps.emit('withdrawal.broadcasted', this.json(w));
    return {
      withdrawal_id: w.id,
      status: w.status,
      tx_hash: tx.txHash,
      network: w.network,
      currency: w.currency,
      to_address: w.toAddress,
      amount_decimal: fixed(w.amount, w.decimals),
      fee_decimal: fixed(w.fee, w.decimals),
      client_reference: w.clientReference,
    };
  }

  /** GET /v1/withdrawals/{id}. */
  get(id: number): Record<string, unknown> {
    return this.json(this.find(id));
  }

  /** The broadcast transaction reaches its confirmations: held amount + fee debited, withdrawal.confirmed. */
  confirm(id: number): Record<string, unknown> {
    const w = this.find(id);
    if (w.status !== 'broadcasted') throw cpgErrors.stateConflict(`Withdrawal ${id} is ${w.status}; only a broadcasted withdrawal can be confirmed`);
    const now = this.deps.now();
    this.deps.log.settle(w.tx, 'confirmed', now);
    this.deps.balances.debitHeld(w.currency, w.network, w.amount.add(w.fee));
    w.status = 'confirmed';
    w.confirmedAt = now;
    const data = this.json(w);
    this.deps.emit('withdrawal.confirmed', data);
    return data;
  }

  /** The transaction never made it or was rejected: hold released, withdrawal.failed. */
  fail(id: number, errorMessage: string = DEFAULT_FAILURE_MESSAGE): Record<string, unknown> {
    const w = this.find(id);
    if (w.status !== 'broadcasted' && w.status !== 'pending') throw cpgErrors.stateConflict(`Withdrawal ${id} is ${w.status}; it can no longer fail`);
    this.deps.log.settle(w.tx, 'failed', this.deps.now());
    this.deps.balances.release(w.currency, w.network, w.amount.add(w.fee));
    w.status = 'failed';
    w.errorMessage = errorMessage;
    const data = this.json(w);
    this.deps.emit('withdrawal.failed', data);
    return data;
  }

  clear(): void {
    this.withdrawals.clear();
    this.references.clear();
    this.nextId = 501;
  }

  private find(id: number): Withdrawal {
    const w = this.withdrawals.get(id);
    if (!w) throw cpgErrors.notFound('Withdrawal not found');
    return w;
  }

  /** The GET shape (other field names than the POST answer, reference §5.6), plus client_reference. */
  private json(w: Withdrawal): Record<string, unknown> {
    return {
      id: w.id,
      currency: w.currency,
      network: w.network,
      to_address: w.toAddress,
      amount: fixed(w.amount, w.decimals),
      fee: fixed(w.fee, w.decimals),
      status: w.status,
      tx_hash: w.status === 'pending' ? null : w.tx.txHash,
      error_message: w.errorMessage,
      client_reference: w.clientReference,
      requested_at: restTime(w.requestedAt),
      broadcast_at: w.broadcastAt === null ? null : restTime(w.broadcastAt),
      confirmed_at: w.confirmedAt === null ? null : restTime(w.confirmedAt),
    };
  }
}
