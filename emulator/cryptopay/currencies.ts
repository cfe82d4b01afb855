// Currencies the emulator knows. Crypto list, networks and precisions follow the recorded
// sandbox response of GET /api/coins (2023); fiat list is a subset of the recorded rate quotes.

export interface NetworkInfo {
  readonly network: string;
  /** EVM chain id used in `ethereum:` URIs (sandbox test chains), when the network is EVM-based. */
  readonly chainId?: number;
}

export interface CoinInfo {
  readonly currency: string;
  /** Decimal places of the coin (GET /api/coins `precision`). */
  readonly precision: number;
  /**
   * Decimal places of invoice `pay_amount`. Recordings show BTC amounts rounded up to 6 places
   * ("0.00349" for 100 EUR at 28657.5853, "0.001895" for 100 EUR at 52798.1734) while ETH uses 8.
   */
  readonly invoicePrecision: number;
  /** First entry is the default network. */
  readonly networks: readonly string[];
  /** ERC-20/BEP-20 style token: payment URIs use `/transfer?address=..&uint256=..`. */
  readonly token?: { readonly decimals: number; readonly contracts: Readonly<Record<string, string>> };
}

const EVM_CHAIN_IDS: Readonly<Record<string, number>> = {
  ethereum: 5, // Goerli, as in the 2023 sandbox recordings ("ethereum:0x..@5?value=...")
  bnb_smart_chain: 97, // BSC testnet
};

export function evmChainId(network: string): number | undefined {
  return EVM_CHAIN_IDS[network];
}

const BSC = 'bnb_smart_chain';

function coin(currency: string, precision: number, networks: string[], extra: Partial<CoinInfo> = {}): CoinInfo {
  return { currency, precision, invoicePrecision: precision, networks, ...extra };
}

export const COINS: readonly CoinInfo[] = [
  coin('BTC', 8, ['bitcoin', BSC], { invoicePrecision: 6 }),
  coin('LTC', 8, ['litecoin', BSC]),
  coin('BCH', 8, ['bitcoin_cash', BSC]),
  coin('XRP', 6, ['ripple', BSC]),
  coin('ETH', 8, ['ethereum', BSC]),
  coin('USDT', 6, ['ethereum', 'tron', BSC], {
    // ethereum contract is the one seen in the sandbox recordings
    token: { decimals: 6, contracts: { ethereum: '0x23a2e5f75cdfe03763d929379f5dc3f14f7045cd', [BSC]: '0x337610d27c682e347c9cd60bd4b3b107c9d34ddd' } },
  }),
  coin('DAI', 8, ['ethereum', BSC], {
    token: { decimals: 18, contracts: { ethereum: '0x11fe4b6ae13d2a6055c8d9cf65c55bac32b5d844', [BSC]: '0xec5dcb5dbf4b114c9d0f65bccab49ec54f6a0867' } },
  }),
  coin('USDC', 6, ['ethereum', 'tron', BSC], {
    token: { decimals: 6, contracts: { ethereum: '0x07865c6e87b9f70255377e024ace6630c1eaa37f', [BSC]: '0x64544969ed7ebf5f083679233325356ebe738930' } },
  }),
  coin('SHIB', 0, ['ethereum', BSC], {
    token: { decimals: 18, contracts: { ethereum: '0x4cd2ed37bf6c7d5e8e3a22a1ba0c8f0ac3c79b0b', [BSC]: '0x2859e4544c4bb03966803b044a93563bd2d0dd4d' } },
  }),
  coin('XLM', 7, ['stellar', BSC]),
  coin('ADA', 6, ['cardano', BSC]),
  coin('BNB', 8, [BSC]),
  coin('BUSD', 8, [BSC], { token: { decimals: 18, contracts: { [BSC]: '0xed24fc36d5ee211ea25a80239fb8c4cfd80f12ee' } } }),
  coin('TRX', 6, ['tron', BSC]),
  coin('DOGE', 8, ['dogecoin', BSC]),
  coin('SOL', 9, ['solana', BSC]),
];

/** Fiat currencies accepted as `price_currency`, with their minor-unit precision. */
export const FIATS: Readonly<Record<string, number>> = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  PLN: 2,
  CAD: 2,
  AUD: 2,
  JPY: 0,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  CZK: 2,
};

const COIN_BY_CODE = new Map(COINS.map((c) => [c.currency, c]));

export function coinInfo(currency: string): CoinInfo | undefined {
  return COIN_BY_CODE.get(currency);
}

export function isFiat(currency: string): boolean {
  return Object.prototype.hasOwnProperty.call(FIATS, currency);
}

export function isCrypto(currency: string): boolean {
  return COIN_BY_CODE.has(currency);
}

/** Decimal places used for amounts denominated in `currency` (price, fee, refunds). */
export function currencyPrecision(currency: string): number {
  const c = COIN_BY_CODE.get(currency);
  if (c) return c.precision;
  return FIATS[currency] ?? 2;
}

export const PAY_CURRENCIES: readonly string[] = COINS.map((c) => c.currency);
export const PRICE_CURRENCIES: readonly string[] = [...Object.keys(FIATS), ...PAY_CURRENCIES];
