// Deposit addresses and deposit requests (reference §5.3–5.4), and the chain events that move
// them: a transfer detected (deposit.detected), confirmed (deposit.confirmed, balance credited)
// and swept to the receiving wallet (deposit.swept).
import { Decimal } from '../shared/decimal';
import type { Balances } from './balances';
import { findCurrency, findNetwork, fixed, nativeCurrency, newAddress } from './catalog';
import { cpgErrors, restTime } from './envelope';
import { IdempotencyStore } from './idempotency';
import type { ChainTx, TransactionLog } from './transactions';
import { Checker } from './validation';
import type { WebhookEvent } from './webhooks';

export type DepositRequestStatus = 'active' | 'detected' | 'confirmed' | 'expired';

/** Documented default: show the address for 3 hours (reference §5.3). */
export const DEFAULT_DISPLAY_TTL_SECONDS = 3 * 3600;
/** idempotency_key replays are honoured for a day (our assumption). */
export const DEPOSIT_IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

interface DepositRequest {
  id: number;
  address: string;
  currency: string;
  network: string;
  contractAddress: string | null;
  userIdentifier: string | null;
  createdAt: number;
  displayExpiresAt: number;
  txs: ChainTx[];
}

export interface SimulatedDeposit {
  request_id?: unknown;
  address?: unknown;
  currency?: unknown;
  amount?: unknown;
  tx_hash?: unknown;
  confirmations?: unknown;
}

export interface DepositDeps {
  now(): number;
  log: TransactionLog;
  balances: Balances;
  hotWallet(network: string): string;
  emit(event: WebhookEvent, data: Record<string, unknown>): void;
  displayTtlSeconds: number;
  /** Default true: the same idempotency_key with another body is a 409. */
  replayChecksBody?: boolean;
}

/** Native gas sent to a deposit address before a token sweep (our values). */
const GAS_TOPUP: Readonly<Record<string, string>> = { evm: '0.0005', tron: '15', bitcoin: '0' };

export class DepositService {
  private readonly requests = new Map<number, DepositRequest>();
  private readonly sticky = new Map<string, string>();
  private readonly requestOfTx = new Map<number, DepositRequest>();
  private readonly swept = new Map<number, ChainTx>();
  private readonly idempotency: IdempotencyStore<Record<string, unknown>>;
  private nextId = 101;

  constructor(private readonly deps: DepositDeps) {
    this.idempotency = new IdempotencyStore<Record<string, unknown>>('idempotency_key', DEPOSIT_IDEMPOTENCY_TTL_MS, deps.replayChecksBody ?? true);
  }

  /** POST /v1/deposit-addresses. */
  create(body: Record<string, unknown>): Record<string, unknown> {
    const check = new Checker(body);
    const currency = check.string('currency', { required: true, min: 1, max: 32 });
    const network = check.string('network', { required: true, min: 1, max: 32 });
    const userIdentifier = check.string('user_identifier', { required: false, max: 256 }) ?? null;
    const idempotencyKey = check.string('idempotency_key', { required: false, max: 128 });
    check.done();
    const nowMs = this.deps.now();
    return this.idempotency.once(idempotencyKey, JSON.stringify([currency, network, userIdentifier]), nowMs, () => this.allocate(currency!, network!, userIdentifier, nowMs));
  }

  private allocate(currency: string, network: string, userIdentifier: string | null, nowMs: number): Record<string, unknown> {
    const info = findCurrency(currency, network);
    const chain = findNetwork(network);
    if (!info || !info.depositEnabled || !chain) throw cpgErrors.rejected(`${currency} on ${network} is not enabled for deposits on this account`);

    let address: string;
    if (userIdentifier === null) address = newAddress(chain.family);
    else {
      const key = `${userIdentifier}\u0000${chain.code}`;
      address = this.sticky.get(key) ?? newAddress(chain.family);
      this.sticky.set(key, address);
    }
    const request: DepositRequest = {
      id: this.nextId++,
      address,
      currency: info.currency,
      network: chain.code,
      contractAddress: info.contractAddress,
      userIdentifier,
      createdAt: nowMs,
      displayExpiresAt: nowMs + this.deps.displayTtlSeconds * 1000,
      txs: [],
    };
    this.requests.set(request.id, request);
    return {
      request_id: request.id,
      address: request.address,
      network: request.network,
      currency: request.currency,
      contract_address: request.contractAddress,
      user_identifier: request.userIdentifier,
      display_expires_at: restTime(request.displayExpiresAt),
      created_at: restTime(request.createdAt),
    };
  }

  /** GET /v1/deposit-requests/{id}. */
  get(id: number): Record<string, unknown> {
    const request = this.requests.get(id);
    if (!request) throw cpgErrors.notFound('Deposit request not found');
    return this.requestJson(request);
  }

  /** A payer's transfer is seen on-chain, below the confirmations needed: deposit.detected. */
  simulate(input: SimulatedDeposit): Record<string, unknown> {
    const check = new Checker(input as Record<string, unknown>);
    const requestId = check.integer('request_id', { min: 1 });
    const address = check.string('address', { required: false, min: 1 });
    const currencyCode = check.string('currency', { required: false, min: 1 });
    const amount = check.positiveDecimal('amount');
    const txHash = check.string('tx_hash', { required: false, min: 1 });
    const confirmations = check.integer('confirmations', { min: 0 });
    if (requestId === undefined && address === undefined) check.add('request_id', 'give request_id, or address and currency');
    check.done();
    const request = requestId !== undefined ? this.requests.get(requestId) : this.latestFor(address!, currencyCode);
    if (!request) throw cpgErrors.notFound('Deposit request not found');
    const chain = findNetwork(request.network)!;
    const decimals = findCurrency(request.currency, request.network)?.decimals ?? 18;
    if (amount!.precision > decimals) throw cpgErrors.invalid(`amount: Decimal input should have no more than ${decimals} decimal places`);
    if (txHash !== undefined && this.deps.log.hashInUse(txHash)) throw cpgErrors.conflict('tx_hash');
    if (confirmations !== undefined && confirmations >= chain.minConfirmations) {
      throw cpgErrors.invalid(`confirmations: Input should be less than ${chain.minConfirmations}; confirm the deposit with the confirm control`);
    }
    const tx = this.deps.log.add({
      direction: 'deposit',
      status: 'pending',
      currency: request.currency,
      network: request.network,
      fromAddress: newAddress(chain.family),
      toAddress: request.address,
      amount: amount!,
      createdAt: this.deps.now(),
      txHash,
      confirmations: confirmations ?? 1,
    });
    request.txs.push(tx);
    this.requestOfTx.set(tx.id, request);
    const data = this.eventData(request, tx);
    this.deps.emit('deposit.detected', data);
    return data;
  }

  /** The transfer reaches the network's confirmations: balance credited, deposit.confirmed. */
  confirm(txHash: string): Record<string, unknown> {
    const { request, tx } = this.find(txHash);
    if (tx.status !== 'pending') throw cpgErrors.stateConflict(`Deposit ${txHash} is already ${tx.status}`);
    this.deps.log.settle(tx, 'confirmed', this.deps.now());
    this.deps.balances.credit(tx.currency, tx.network, tx.amount);
    const data = this.eventData(request, tx);
    this.deps.emit('deposit.confirmed', data);
    return data;
  }

  /**
   * The confirmed deposit moves to the receiving wallet (the hot wallet here); a token deposit
   * first gets native gas (a gas_topup row): deposit.swept. The balance does not change.
   */
  sweep(txHash: string): Record<string, unknown> {
    const { request, tx } = this.find(txHash);
    if (tx.status !== 'confirmed') throw cpgErrors.stateConflict(`Deposit ${txHash} is ${tx.status}; only a confirmed deposit can be swept`);
    if (this.swept.has(tx.id)) throw cpgErrors.stateConflict(`Deposit ${txHash} is already swept`);
    const chain = findNetwork(tx.network)!;
    const wallet = this.deps.hotWallet(tx.network);
    const now = this.deps.now();
    const native = nativeCurrency(tx.network);
    if (request.contractAddress !== null && native) {
      this.deps.log.add({ direction: 'gas_topup', status: 'confirmed', currency: native.currency, network: tx.network, fromAddress: wallet, toAddress: tx.toAddress, amount: Decimal.from(GAS_TOPUP[chain.family] ?? '0'), createdAt: now, confirmations: chain.minConfirmations });
    }
    const sweep = this.deps.log.add({ direction: 'sweep', status: 'confirmed', currency: tx.currency, network: tx.network, fromAddress: tx.toAddress, toAddress: wallet, amount: tx.amount, createdAt: now, confirmations: chain.minConfirmations });
    this.swept.set(tx.id, sweep);
    const data = this.eventData(request, tx);
    this.deps.emit('deposit.swept', data);
    return data;
  }

  clear(): void {
    this.requests.clear();
    this.sticky.clear();
    this.requestOfTx.clear();
    this.swept.clear();
    this.idempotency.clear();
    this.nextId = 101;
  }

  private latestFor(address: string, currency: string | undefined): DepositRequest | undefined {
    let found: DepositRequest | undefined;
    for (const r of this.requests.values()) if (r.address === address && (currency === undefined || r.currency === currency)) found = r;
    return found;
  }

  private find(txHash: string): { request: DepositRequest; tx: ChainTx } {
    const tx = this.deps.log.byTxHash(txHash);
    const request = tx && tx.direction === 'deposit' ? this.requestOfTx.get(tx.id) : undefined;
    if (!tx || !request) throw cpgErrors.notFound('Deposit not found');
    return { request, tx };
  }

  private status(request: DepositRequest): DepositRequestStatus {
    if (request.txs.some((t) => t.status === 'pending')) return 'detected';
    if (request.txs.some((t) => t.status === 'confirmed')) return 'confirmed';
    return this.deps.now() > request.displayExpiresAt ? 'expired' : 'active';
  }

  private decimals(request: DepositRequest): number {
    return findCurrency(request.currency, request.network)?.decimals ?? 18;
  }

  private requestJson(request: DepositRequest): Record<string, unknown> {
    return {
      request_id: request.id,
      address: request.address,
      network: request.network,
      currency: request.currency,
      user_identifier: request.userIdentifier,
      status: this.status(request),
      display_expires_at: restTime(request.displayExpiresAt),
      created_at: restTime(request.createdAt),
      transactions: request.txs.map((tx) => ({
        tx_hash: tx.txHash,
        amount_decimal: fixed(tx.amount, this.decimals(request)),
        confirmations: tx.confirmations,
        status: tx.status,
        block_number: tx.blockNumber,
        detected_at: restTime(tx.createdAt),
        confirmed_at: tx.confirmedAt === null ? null : restTime(tx.confirmedAt),
      })),
    };
  }

  /** Webhook data of the three deposit events (only the first fields are documented, reference §8). */
  private eventData(request: DepositRequest, tx: ChainTx): Record<string, unknown> {
    const sweep = this.swept.get(tx.id);
    return {
      deposit_request_id: request.id,
      user_identifier: request.userIdentifier,
      address: request.address,
      currency: request.currency,
      network: request.network,
      amount: fixed(tx.amount, this.decimals(request)),
      tx_hash: tx.txHash,
      confirmations: tx.confirmations,
      block_number: tx.blockNumber,
      status: tx.status,
      detected_at: restTime(tx.createdAt),
      confirmed_at: tx.confirmedAt === null ? null : restTime(tx.confirmedAt),
      ...(sweep ? { sweep_tx_hash: sweep.txHash, swept_at: restTime(sweep.createdAt) } : {}),
    };
  }
}
