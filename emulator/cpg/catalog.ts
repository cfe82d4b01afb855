// The emulated account's networks and currencies (reference §5.1, §5.8). Values are ours: the
// documentation shows only example rows (USDT on ETH: 6 decimals, minimum withdrawal 10, flat fee 5).
import { randomFillSync } from 'node:crypto';
import { Decimal } from '../shared/decimal';

export type ChainFamily = 'evm' | 'tron' | 'bitcoin';

export interface NetworkInfo {
  code: string;
  name: string;
  family: ChainFamily;
  /** Confirmations after which a deposit or withdrawal is confirmed. */
  minConfirmations: number;
}

export const NETWORKS: readonly NetworkInfo[] = [
  { code: 'ETH', name: 'Ethereum', family: 'evm', minConfirmations: 12 },
  { code: 'BSC', name: 'BNB Smart Chain', family: 'evm', minConfirmations: 15 },
  { code: 'TRX', name: 'Tron', family: 'tron', minConfirmations: 19 },
  // Active, but no currency on it is enabled: its hot wallet has not been allocated.
  { code: 'BTC', name: 'Bitcoin', family: 'bitcoin', minConfirmations: 2 },
];

export interface CurrencyInfo {
  currency: string;
  network: string;
  name: string;
  contractAddress: string | null;
  decimals: number;
  depositEnabled: boolean;
  withdrawalEnabled: boolean;
  minDeposit: Decimal;
  minWithdrawal: Decimal;
  feeFlat: Decimal;
  /** Percent of the amount (0.1 = 0.1 %). */
  feePercent: Decimal;
}

function currency(
  currency: string,
  network: string,
  name: string,
  contractAddress: string | null,
  decimals: number,
  limits: { minWithdrawal: string; feeFlat: string; feePercent?: string; deposit?: boolean; withdrawal?: boolean },
): CurrencyInfo {
  return {
    currency,
    network,
    name,
    contractAddress,
    decimals,
    depositEnabled: limits.deposit ?? true,
    withdrawalEnabled: limits.withdrawal ?? true,
    minDeposit: Decimal.ZERO,
    minWithdrawal: Decimal.from(limits.minWithdrawal),
    feeFlat: Decimal.from(limits.feeFlat),
    feePercent: Decimal.from(limits.feePercent ?? '0'),
  };
}

export const CURRENCIES: readonly CurrencyInfo[] = [
  currency('USDT', 'ETH', 'Tether USD', '0xdac17f958d2ee523a2206206994597c13d831ec7', 6, { minWithdrawal: '10', feeFlat: '5' }),
  currency('USDC', 'ETH', 'USD Coin', '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', 6, { minWithdrawal: '10', feeFlat: '5' }),
  currency('ETH', 'ETH', 'Ether', null, 18, { minWithdrawal: '0.01', feeFlat: '0.001' }),
  // Deposits only: a withdrawal is refused as not enabled.
  currency('DAI', 'ETH', 'Dai Stablecoin', '0x6b175474e89094c44da98b954eedeac495271d0f', 18, { minWithdrawal: '10', feeFlat: '5', withdrawal: false }),
  currency('USDT', 'BSC', 'Tether USD', '0x55d398326f99059ff775485246999027b3197955', 18, { minWithdrawal: '1', feeFlat: '0.5', feePercent: '0.1' }),
  currency('BNB', 'BSC', 'BNB', null, 18, { minWithdrawal: '0.01', feeFlat: '0.0005' }),
  currency('USDT', 'TRX', 'Tether USD', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 6, { minWithdrawal: '5', feeFlat: '1' }),
  currency('TRX', 'TRX', 'Tronix', null, 6, { minWithdrawal: '10', feeFlat: '1' }),
  // Known but disabled for this account: never listed, refused everywhere.
  currency('BTC', 'BTC', 'Bitcoin', null, 8, { minWithdrawal: '0.0005', feeFlat: '0.0001', deposit: false, withdrawal: false }),
];

export function findNetwork(code: string): NetworkInfo | undefined {
  return NETWORKS.find((n) => n.code === code);
}

export function findCurrency(code: string, network: string): CurrencyInfo | undefined {
  return CURRENCIES.find((c) => c.currency === code && c.network === network);
}

/** The network's own coin (no contract), which pays its gas. */
export function nativeCurrency(network: string): CurrencyInfo | undefined {
  return CURRENCIES.find((c) => c.network === network && c.contractAddress === null);
}

/** Listed by GET /v1/currencies: enabled for deposit or withdrawal (reference §5.1). */
export function isListed(c: CurrencyInfo): boolean {
  return c.depositEnabled || c.withdrawalEnabled;
}

/** A hot wallet exists once a currency on the network is enabled (reference §5.8). */
export function hasHotWallet(network: string): boolean {
  return CURRENCIES.some((c) => c.network === network && isListed(c));
}

/** `d` with exactly `scale` fractional digits, truncated ("50.000000"): the API's decimal strings. */
export function fixed(d: Decimal, scale: number): string {
  const r = d.round(scale, 'down');
  const negative = r.units < 0n;
  const digits = (negative ? -r.units : r.units).toString().padStart(r.scale + 1, '0');
  const int = digits.slice(0, digits.length - r.scale);
  const frac = digits.slice(digits.length - r.scale).padEnd(scale, '0');
  return `${negative ? '-' : ''}${int}${scale > 0 ? `.${frac}` : ''}`;
}

/** Fee held on top of the amount: flat + percent of the amount, rounded up to the currency's decimals. */
export function withdrawalFee(c: CurrencyInfo, amount: Decimal): Decimal {
  return c.feeFlat.add(amount.mul(c.feePercent).div(Decimal.from('100'), c.decimals, 'up'));
}

const ADDRESS_PATTERNS: Readonly<Record<ChainFamily, RegExp>> = {
  evm: /^0x[0-9a-fA-F]{40}$/,
  tron: /^T[1-9A-HJ-NP-Za-km-z]{33}$/,
  bitcoin: /^(bc1[02-9ac-hj-np-z]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34})$/,
};

export function isValidAddress(family: ChainFamily, address: string): boolean {
  return ADDRESS_PATTERNS[family].test(address);
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

// Random bytes from a refilled 64 KiB pool: seeding 100,000 rows would otherwise make 200,000
// small synchronous crypto calls.
const pool = Buffer.alloc(65_536);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

function base58(length: number): string {
  const hex = randomHex(length);
  let out = '';
  // 256 is not a multiple of 58; the slight bias does not matter for test addresses.
  for (let i = 0; i < length; i += 1) out += BASE58[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % BASE58.length];
  return out;
}

/** A fresh on-chain address of the network's family (random; passes isValidAddress). */
export function newAddress(family: ChainFamily): string {
  if (family === 'evm') return `0x${randomHex(20)}`;
  if (family === 'tron') return `T${base58(33)}`;
  return `bc1q${randomHex(20).replace(/[1bio]/g, 'q')}`;
}

/** A transaction hash in the network's usual notation (EVM with 0x, Tron and Bitcoin without). */
export function newTxHash(family: ChainFamily): string {
  const hex = randomHex(32);
  return family === 'evm' ? `0x${hex}` : hex;
}
