// Merchant accounts (one per currency) and the transaction ledger (reference §4.2, §4.3, §5).
//
// Every balance movement appends one Transaction row whose `balance` is the account balance after
// it, so for every account: initial balance + Σ row amounts = current balance. Rows of one business
// object share a LedgerRef, so they always show that object's current status (as the real ledger
// does) without rewriting rows.
//
// Rows are kept oldest first in one array with an id → position map, and per account in a second
// array: unfiltered pages are O(page) even with 100,000+ rows; filtered lists scan.
import { PAY_CURRENCIES } from './currencies';
import { Decimal } from '../shared/decimal';
import { errors } from './errors';
import { uuid } from './ids';
import type { Page } from './pagination';
import { Collection, cursorParam, listBody, pageByPosition, pageByScan, requireUuidParam } from './pagination';
import type { ListBody } from './pagination';
import { RISK_LEVELS } from './risk';
import type { Risk } from './store';
import { apiTimestamp, floorToSecond, parseTimestamp } from './time';
import { oneOf } from './validate';

export const REFERENCE_TYPES = [
  'Invoice',
  'InvoiceRefund',
  'ChannelPayment',
  'CoinDeposit',
  'CoinWithdrawal',
  'ExchangeTransfer',
  'BankDeposit',
  'BankWithdrawal',
  // Listed by the transactions guide next to the SDKs' ManualBalanceTransaction.
  'Manual',
  'ManualBalanceTransaction',
] as const;

/** Movements without a business object of their own here: posted by postMovement() (bank transfers, manual corrections). */
export const MOVEMENT_TYPES = ['BankDeposit', 'BankWithdrawal', 'Manual', 'ManualBalanceTransaction'] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

export interface MovementInput {
  referenceType: MovementType;
  currency: string;
  /** Signed decimal string: negative for a debit. */
  amount: string;
  /** Any text, as the gateway might send one Paywire does not know; null = none. */
  status?: string | null;
  statusContext?: string | null;
}
export type ReferenceType = (typeof REFERENCE_TYPES)[number];

/** Fiat accounts every emulated project has; crypto accounts exist for every supported coin. */
export const FIAT_ACCOUNTS: readonly string[] = ['EUR', 'USD', 'GBP'];

export const DEFAULT_INITIAL_BALANCES: Readonly<Record<string, string>> = {
  EUR: '10000.0',
  USD: '10000.0',
  BTC: '1.0',
  ETH: '10.0',
  USDT: '10000.0',
  LTC: '10.0',
};

/** Status shown on every ledger row of one business object; mutated when the object changes. */
export interface LedgerRef {
  status: string | null;
  statusContext: string | null;
  risk: Risk | null;
}

export interface AccountRecord {
  id: string;
  currency: string;
  balance: Decimal;
  projectId: string;
}

export interface TransactionRecord {
  id: string;
  customId: string | null;
  customerId: string | null;
  amount: Decimal;
  currency: string;
  balance: Decimal;
  fee: Decimal;
  feeCurrency: string;
  referenceId: string;
  referenceType: ReferenceType;
  description: string | null;
  ref: LedgerRef;
  createdAtMs: number;
  /** Position in the account's own row list. */
  accountPos: number;
}

export interface Posting {
  currency: string;
  /** Signed: negative for debits. */
  amount: Decimal;
  fee?: Decimal;
  feeCurrency?: string;
  referenceId: string;
  referenceType: ReferenceType;
  /** Shared status holder; omitted = status null (InvoiceRefund, ExchangeTransfer, manual rows). */
  ref?: LedgerRef;
  customId?: string | null;
  customerId?: string | null;
  description?: string | null;
}

export function accountJson(a: AccountRecord): Record<string, unknown> {
  return { id: a.id, balance: a.balance.toString(), currency: a.currency, project_id: a.projectId };
}

export function transactionJson(t: TransactionRecord): Record<string, unknown> {
  return {
    id: t.id,
    custom_id: t.customId,
    customer_id: t.customerId,
    amount: t.amount.toString(),
    currency: t.currency,
    balance: t.balance.toString(),
    fee: t.fee.toString(),
    fee_currency: t.feeCurrency,
    reference_id: t.referenceId,
    reference_type: t.referenceType,
    description: t.description,
    status: t.ref.status,
    status_context: t.ref.statusContext,
    risk: t.ref.risk ? { ...t.ref.risk } : null,
    created_at: apiTimestamp(t.createdAtMs),
  };
}

export function newRef(status: string | null, statusContext: string | null = null, risk: Risk | null = null): LedgerRef {
  return { status, statusContext, risk };
}

const NULL_REF: Readonly<LedgerRef> = Object.freeze({ status: null, statusContext: null, risk: null });

interface TransactionFilter {
  fromMs: number | null;
  toMs: number | null;
  referenceType: string | null;
  currency: string | null;
  status: string | null;
  riskLevel: string | null;
  customerId: string | null;
}

/**
 * Reads an ISO 8601 filter value. URLSearchParams turns an unencoded "+" into a space, so
 * "…T10:00:00 00:00" is read back as "+00:00".
 */
function timestampFilter(query: URLSearchParams, key: string): number | null {
  const raw = query.get(key);
  if (raw === null || raw === '') return null;
  const ms = parseTimestamp(raw) ?? parseTimestamp(raw.replace(/ (\d{2}:?\d{2})$/, '+$1'));
  if (ms === null) throw errors.invalid([{ code: 'must_be_date_time', target: key, message: 'must be an ISO 8601 date-time with a zone, e.g. 2023-07-12T07:50:22+00:00' }]);
  return ms;
}

function parseFilter(query: URLSearchParams): TransactionFilter {
  const enumFilter = (key: string, list: readonly string[]): string | null => {
    const v = query.get(key);
    if (v === null || v === '') return null;
    if (!list.includes(v)) throw errors.invalid([{ code: 'must_be_included_in', target: key, message: oneOf(list), args: { list: [...list] } }]);
    return v;
  };
  const text = (key: string): string | null => {
    const v = query.get(key);
    return v === null || v === '' ? null : v;
  };
  return {
    fromMs: timestampFilter(query, 'created_at_from'),
    toMs: timestampFilter(query, 'created_at_to'),
    referenceType: enumFilter('reference_type', REFERENCE_TYPES),
    currency: text('currency'),
    status: text('status'),
    riskLevel: enumFilter('risk_level', RISK_LEVELS),
    customerId: text('customer_id'),
  };
}

function isEmptyFilter(f: TransactionFilter): boolean {
  return Object.values(f).every((v) => v === null);
}

function matches(f: TransactionFilter, t: TransactionRecord): boolean {
  if (f.fromMs !== null && t.createdAtMs < f.fromMs) return false;
  if (f.toMs !== null && t.createdAtMs > f.toMs) return false;
  if (f.referenceType !== null && t.referenceType !== f.referenceType) return false;
  if (f.currency !== null && t.currency !== f.currency) return false;
  if (f.status !== null && t.ref.status !== f.status) return false;
  if (f.riskLevel !== null && t.ref.risk?.level !== f.riskLevel) return false;
  if (f.customerId !== null && t.customerId !== f.customerId) return false;
  return true;
}

const SEED_DESCRIPTION = 'Seeded by the emulator';

export interface LedgerOptions {
  now(): number;
  projectId: string;
  /** Opening balances (decimal strings); accounts not listed open at 0. */
  initialBalances: Readonly<Record<string, string>>;
}

export interface SeedResult {
  count: number;
  currency: string;
  balance: string;
  total: number;
}

export class Ledger {
  private readonly accounts = new Collection<AccountRecord>();
  private readonly byCurrency = new Map<string, AccountRecord>();
  /** Account ids survive reset(), so a demo keeps working after POST /_emulator/reset. */
  private readonly stableIds = new Map<string, string>();
  private readonly opening = new Map<string, Decimal>();
  private readonly rows: TransactionRecord[] = [];
  private readonly rowPositions = new Map<string, number>();
  private readonly perAccount = new Map<string, TransactionRecord[]>();
  private seeded = 0;

  constructor(private readonly opts: LedgerOptions) {
    for (const [currency, text] of Object.entries(opts.initialBalances)) {
      const d = Decimal.parse(text);
      if (!d || d.isNegative()) throw new RangeError(`initialBalances.${currency} must be a decimal string >= 0`);
      this.opening.set(currency, d);
    }
    this.openAccounts();
  }

  /**
   * Opens the default accounts. Created in reverse so the newest-first list shows EUR, USD, GBP,
   * then the coins in /api/coins order; extra currencies from initialBalances come first.
   */
  private openAccounts(): void {
    const defaults = [...FIAT_ACCOUNTS, ...PAY_CURRENCIES];
    const extra = [...this.opening.keys()].filter((c) => !defaults.includes(c));
    for (const currency of [...defaults].reverse()) this.account(currency);
    for (const currency of extra) this.account(currency);
  }

  /** The account of `currency`, opened on first use (e.g. a CHF invoice) with its opening balance. */
  account(currency: string): AccountRecord {
    let acc = this.byCurrency.get(currency);
    if (!acc) {
      const id = this.stableIds.get(currency) ?? uuid();
      this.stableIds.set(currency, id);
      acc = { id, currency, balance: this.opening.get(currency) ?? Decimal.ZERO, projectId: this.opts.projectId };
      this.byCurrency.set(currency, acc);
      this.accounts.add(acc);
    }
    return acc;
  }

  balance(currency: string): Decimal {
    return this.byCurrency.get(currency)?.balance ?? this.opening.get(currency) ?? Decimal.ZERO;
  }

  openingBalance(currency: string): Decimal {
    return this.opening.get(currency) ?? Decimal.ZERO;
  }

  /** Currency → balance of every open account, in the order GET /api/accounts lists them. */
  balances(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of [...this.accounts.all()].reverse()) out[a.currency] = a.balance.toString();
    return out;
  }

  get transactionCount(): number {
    return this.rows.length;
  }

  /** Applies a movement to its account and appends the row. Callers check balances first. */
  post(p: Posting, createdAtMs: number = floorToSecond(this.opts.now())): TransactionRecord {
    const acc = this.account(p.currency);
    acc.balance = acc.balance.add(p.amount);
    const own = this.accountRows(p.currency);
    const row: TransactionRecord = {
      id: uuid(),
      customId: p.customId ?? null,
      customerId: p.customerId ?? null,
      amount: p.amount,
      currency: p.currency,
      balance: acc.balance,
      fee: p.fee ?? Decimal.ZERO,
      feeCurrency: p.feeCurrency ?? p.currency,
      referenceId: p.referenceId,
      referenceType: p.referenceType,
      description: p.description ?? null,
      ref: p.ref ?? NULL_REF,
      createdAtMs,
      accountPos: own.length,
    };
    this.rowPositions.set(row.id, this.rows.length);
    this.rows.push(row);
    own.push(row);
    return row;
  }

  private accountRows(currency: string): TransactionRecord[] {
    let list = this.perAccount.get(currency);
    if (!list) {
      list = [];
      this.perAccount.set(currency, list);
    }
    return list;
  }

  /**
   * Appends `count` ManualBalanceTransaction rows (status null) to the `currency` account:
   * alternating credits of 1.00–9.99 and debits 0.25 smaller, so the balance never drops below
   * where it started and every row is consistent.
   */
  seed(count: number, currency: string): SeedResult {
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) {
      throw errors.invalid([{ code: 'must_be_in_range', target: 'count', message: 'must be an integer from 1 to 1000000', args: { min: 1, max: 1_000_000 } }]);
    }
    const quarter = Decimal.from('0.25');
    const createdAtMs = floorToSecond(this.opts.now());
    let lastCredit = Decimal.ZERO;
    for (let i = 0; i < count; i += 1) {
      const n = this.seeded;
      this.seeded += 1;
      let amount: Decimal;
      if (i % 2 === 0) {
        lastCredit = Decimal.of(BigInt(100 + ((n * 37) % 900)), 2);
        amount = lastCredit;
      } else amount = lastCredit.sub(quarter).neg();
      this.post({ currency, amount, referenceId: uuid(), referenceType: 'ManualBalanceTransaction', description: SEED_DESCRIPTION }, createdAtMs);
    }
    return { count, currency, balance: this.balance(currency).toString(), total: this.rows.length };
  }

  /**
   * One bank transfer or manual correction: a row of that reference type with the status given
   * (bank transfers have statuses such as pending or on_hold; manual rows have none).
   */
  postMovement(input: MovementInput): Record<string, unknown> {
    const amount = Decimal.parse(input.amount);
    const details: Array<{ code: string; target: string; message: string; args?: Record<string, unknown> }> = [];
    if (!(MOVEMENT_TYPES as readonly string[]).includes(input.referenceType)) {
      details.push({ code: 'must_be_included_in', target: 'reference_type', message: oneOf(MOVEMENT_TYPES), args: { list: [...MOVEMENT_TYPES] } });
    }
    if (!amount) details.push({ code: 'must_be_decimal', target: 'amount', message: 'must be a decimal' });
    if (typeof input.currency !== 'string' || input.currency === '') details.push({ code: 'must_be_string', target: 'currency', message: 'must be a currency code' });
    if (details.length > 0 || !amount) throw errors.invalid(details);
    const ref: LedgerRef = { status: input.status ?? null, statusContext: input.statusContext ?? null, risk: null };
    return transactionJson(this.post({ currency: input.currency, amount, referenceId: uuid(), referenceType: input.referenceType, ref }));
  }

  listAccounts(query: URLSearchParams): ListBody {
    return listBody(this.accounts.page(cursorParam(query)), accountJson);
  }

  /** GET /api/transactions: unfiltered pages are O(page); any filter scans. */
  listTransactions(query: URLSearchParams): ListBody {
    const cursor = cursorParam(query);
    const filter = parseFilter(query);
    let page: Page<TransactionRecord>;
    if (isEmptyFilter(filter)) {
      page = pageByPosition(this.rows, cursor === null ? null : (this.rowPositions.get(cursor.toLowerCase()) ?? -1));
    } else {
      page = pageByScan(this.rows, (t) => matches(filter, t), cursor?.toLowerCase() ?? null, (t) => t.id);
    }
    return listBody(page, transactionJson);
  }

  /** GET /api/accounts/{account_id}/transactions (non-UUID id → 422 must_be_uuid on account_id). */
  listAccountTransactions(accountId: string, query: URLSearchParams): ListBody {
    requireUuidParam(accountId, 'account_id');
    const acc = this.accounts.get(accountId);
    if (!acc) throw errors.notFound();
    const cursor = cursorParam(query);
    const own = this.perAccount.get(acc.currency) ?? [];
    let pos: number | null = null;
    if (cursor !== null) {
      const global = this.rowPositions.get(cursor.toLowerCase());
      const row = global === undefined ? undefined : this.rows[global];
      pos = row && row.currency === acc.currency ? row.accountPos : -1;
    }
    return listBody(pageByPosition(own, pos), transactionJson);
  }

  /** Forgets every row and restores the opening balances; account ids stay the same. */
  reset(): void {
    this.rows.length = 0;
    this.rowPositions.clear();
    this.perAccount.clear();
    this.accounts.clear();
    this.byCurrency.clear();
    this.seeded = 0;
    this.openAccounts();
  }
}

