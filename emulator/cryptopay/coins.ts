// GET /api/coins and GET /api/coin_withdrawals/network_fees, in the recorded shapes (php-sdk-2023).
import { COINS, coinInfo } from './currencies';
import { Decimal } from '../shared/decimal';

const COIN_NAMES: Readonly<Record<string, string>> = {
  BTC: 'Bitcoin',
  LTC: 'Litecoin',
  BCH: 'Bitcoin Cash',
  XRP: 'XRP',
  ETH: 'Ethereum',
  USDT: 'Tether',
  DAI: 'Dai',
  USDC: 'USD Coin',
  SHIB: 'Shiba Inu',
  XLM: 'Stellar Lumens',
  ADA: 'Cardano',
  BNB: 'BNB',
  BUSD: 'Binance USD',
  TRX: 'TRON',
  DOGE: 'Dogecoin',
  SOL: 'Solana',
};

const NETWORK_NAMES: Readonly<Record<string, string>> = {
  bitcoin: 'Bitcoin',
  litecoin: 'Litecoin',
  bitcoin_cash: 'Bitcoin Cash',
  ripple: 'Ripple',
  ethereum: 'Ethereum (ERC20)',
  tron: 'Tron (TRC20)',
  stellar: 'Stellar',
  cardano: 'Cardano',
  bnb_smart_chain: 'BNB Smart Chain (BEP20)',
  dogecoin: 'Dogecoin',
  solana: 'Solana',
};

/** Recorded: XRP needs a destination tag, XLM takes an optional memo; other networks none. */
function destinationTag(currency: string, network: string): { required: boolean; name: string } | null {
  if (currency === 'XRP' && network === 'ripple') return { required: true, name: 'Destination tag' };
  if (currency === 'XLM' && network === 'stellar') return { required: false, name: 'Memo ID' };
  return null;
}

const LOGO_BASE = 'https://ledger-development.s3.eu-west-1.amazonaws.com/public/currencies';

export function coinsJson(): Record<string, unknown>[] {
  return COINS.map((c) => ({
    currency: c.currency,
    name: COIN_NAMES[c.currency] ?? c.currency,
    logo_url: `${LOGO_BASE}/${c.currency}.svg`,
    networks: c.networks.map((network) => ({
      network,
      name: NETWORK_NAMES[network] ?? network,
      precision: c.precision,
      destination_tag: destinationTag(c.currency, network),
      invoices: { enabled: true },
      channels: { enabled: true },
      coin_withdrawals: { enabled: true },
    })),
  }));
}

export const NETWORK_FEE_LEVELS = ['fast', 'average', 'slow'] as const;
export type NetworkFeeLevel = (typeof NETWORK_FEE_LEVELS)[number];

/**
 * Network fees of the default networks: verbatim from the recorded 2023 GET network_fees
 * (BTC has three levels, every other coin only `average`), same order.
 */
const RECORDED_NETWORK_FEES: ReadonlyArray<readonly [NetworkFeeLevel, string, string, string]> = [
  ['fast', '0.00002582', 'BTC', 'bitcoin'],
  ['average', '0.00001602', 'BTC', 'bitcoin'],
  ['slow', '0.00001296', 'BTC', 'bitcoin'],
  ['average', '0.001', 'LTC', 'litecoin'],
  ['average', '0.000015', 'XRP', 'ripple'],
  ['average', '0.00037292', 'ETH', 'ethereum'],
  ['average', '0.0001', 'BCH', 'bitcoin_cash'],
  ['average', '2.140056', 'USDT', 'ethereum'],
  ['average', '2.140504', 'USDC', 'ethereum'],
  ['average', '2.13990292', 'DAI', 'ethereum'],
  ['average', '283103.0', 'SHIB', 'ethereum'],
  ['average', '0.1', 'XLM', 'stellar'],
  ['average', '0.155381', 'ADA', 'cardano'],
  ['average', '0.00037836', 'BNB', 'bnb_smart_chain'],
  ['average', '0.34597953', 'BUSD', 'bnb_smart_chain'],
  ['average', '1.0', 'TRX', 'tron'],
  ['average', '0.45', 'DOGE', 'dogecoin'],
  ['average', '0.00001', 'SOL', 'solana'],
];

/**
 * Other networks (only listed with all_networks=true) were not recorded: emulator values of about
 * 0.1–1 EUR each (assumption).
 */
const EXTRA_NETWORK_FEES: Readonly<Record<string, string>> = {
  'BTC:bnb_smart_chain': '0.0000035',
  'LTC:bnb_smart_chain': '0.0011',
  'BCH:bnb_smart_chain': '0.00039',
  'XRP:bnb_smart_chain': '0.22',
  'ETH:bnb_smart_chain': '0.000055',
  'USDT:tron': '1.0',
  'USDT:bnb_smart_chain': '0.1',
  'DAI:bnb_smart_chain': '0.1',
  'USDC:tron': '1.0',
  'USDC:bnb_smart_chain': '0.1',
  'SHIB:bnb_smart_chain': '14000.0',
  'XLM:bnb_smart_chain': '1.1',
  'ADA:bnb_smart_chain': '0.35',
  'TRX:bnb_smart_chain': '1.4',
  'DOGE:bnb_smart_chain': '1.6',
  'SOL:bnb_smart_chain': '0.005',
};

export interface NetworkFee {
  level: NetworkFeeLevel;
  fee: string;
  currency: string;
  network: string;
}

/** GET /api/coin_withdrawals/network_fees data (default networks; every network with allNetworks). */
export function networkFees(allNetworks: boolean): NetworkFee[] {
  const out: NetworkFee[] = RECORDED_NETWORK_FEES.map(([level, fee, currency, network]) => ({ level, fee, currency, network }));
  if (!allNetworks) return out;
  for (const c of COINS) {
    for (const network of c.networks.slice(1)) {
      const fee = EXTRA_NETWORK_FEES[`${c.currency}:${network}`];
      if (fee) out.push({ level: 'average', fee, currency: c.currency, network });
    }
  }
  return out;
}

/**
 * Network fee charged for a withdrawal of `currency` on `network` at `level`. Coins with only an
 * `average` fee use it for every level.
 */
export function networkFeeFor(currency: string, network: string, level: NetworkFeeLevel): Decimal {
  const rows = RECORDED_NETWORK_FEES.filter(([, , c, n]) => c === currency && n === network);
  const row = rows.find(([l]) => l === level) ?? rows.find(([l]) => l === 'average');
  if (row) return Decimal.from(row[1]);
  const extra = EXTRA_NETWORK_FEES[`${currency}:${network}`];
  if (extra) return Decimal.from(extra);
  const precision = coinInfo(currency)?.precision ?? 8;
  return Decimal.of(1n, precision); // unknown pair: the smallest unit
}
