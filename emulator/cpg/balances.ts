// Internal balances per (currency, network). GET /v1/balances rows are not documented (reference
// §5.2); ours: total, held (amount + fee of withdrawals not yet confirmed or failed), available.
import { Decimal } from '../shared/decimal';
import { CURRENCIES, fixed, isListed } from './catalog';
import { restTime } from './envelope';

export const DEFAULT_INITIAL_BALANCES: Readonly<Record<string, string>> = {
  'USDT/ETH': '10000',
  'USDC/ETH': '5000',
  'ETH/ETH': '10',
  'USDT/BSC': '2500',
  'BNB/BSC': '5',
  'USDT/TRX': '5000',
  'TRX/TRX': '10000',
};

interface Row {
  total: Decimal;
  held: Decimal;
  updatedAt: number;
}

const keyOf = (currency: string, network: string): string => `${currency}/${network}`;

export class Balances {
  private readonly rows = new Map<string, Row>();
  private readonly opening: ReadonlyMap<string, Decimal>;

  /** `initial` maps "CUR/NET" to a decimal string ≥ 0; throws RangeError for an unknown pair or amount. */
  constructor(
    initial: Readonly<Record<string, string>>,
    private readonly now: () => number,
  ) {
    const opening = new Map<string, Decimal>();
    for (const [pair, text] of Object.entries(initial)) {
      const [currency = '', network = ''] = pair.split('/');
      if (!CURRENCIES.some((c) => c.currency === currency && c.network === network && isListed(c))) throw new RangeError(`initialBalances: ${pair} is not an enabled CUR/NET pair`);
      const amount = Decimal.parse(text);
      if (!amount || amount.isNegative()) throw new RangeError(`initialBalances: ${pair} must be a decimal string >= 0`);
      opening.set(pair, amount);
    }
    this.opening = opening;
    this.reset();
  }

  available(currency: string, network: string): Decimal {
    const row = this.row(currency, network);
    return row.total.sub(row.held);
  }

  credit(currency: string, network: string, amount: Decimal): void {
    const row = this.row(currency, network);
    row.total = row.total.add(amount);
    row.updatedAt = this.now();
  }

  hold(currency: string, network: string, amount: Decimal): void {
    const row = this.row(currency, network);
    row.held = row.held.add(amount);
    row.updatedAt = this.now();
  }

  /** A held amount leaves the account (confirmed withdrawal). */
  debitHeld(currency: string, network: string, amount: Decimal): void {
    const row = this.row(currency, network);
    row.held = row.held.sub(amount);
    row.total = row.total.sub(amount);
    row.updatedAt = this.now();
  }

  /** A held amount returns to available (failed withdrawal). */
  release(currency: string, network: string, amount: Decimal): void {
    const row = this.row(currency, network);
    row.held = row.held.sub(amount);
    row.updatedAt = this.now();
  }

  /** One row per enabled (currency, network), in catalogue order. */
  json(): Array<Record<string, unknown>> {
    return CURRENCIES.filter(isListed).map((c) => {
      const row = this.row(c.currency, c.network);
      return {
        currency: c.currency,
        network: c.network,
        total: fixed(row.total, c.decimals),
        held: fixed(row.held, c.decimals),
        available: fixed(row.total.sub(row.held), c.decimals),
        updated_at: restTime(row.updatedAt),
      };
    });
  }

  reset(): void {
    this.rows.clear();
    const at = this.now();
    for (const c of CURRENCIES.filter(isListed)) {
      this.rows.set(keyOf(c.currency, c.network), { total: this.opening.get(keyOf(c.currency, c.network)) ?? Decimal.ZERO, held: Decimal.ZERO, updatedAt: at });
    }
  }

  private row(currency: string, network: string): Row {
    let row = this.rows.get(keyOf(currency, network));
    if (!row) {
      row = { total: Decimal.ZERO, held: Decimal.ZERO, updatedAt: this.now() };
      this.rows.set(keyOf(currency, network), row);
    }
    return row;
  }
}
