// Supported chains and tokens (reference §7, FAQ). Slugs `ethereum`, `base`, `polygon` are
// documented; `bsc` and `arbitrum` are assumptions (README assumption 13), as are the required
// confirmation counts (base = 15 matches the webhook example) and the simulated block heights.

export interface ChainInfo {
  slug: string;
  name: string;
  tokens: readonly string[];
  requiredConfirmations: number;
  /** First simulated block number (the base example shows block 12345678). */
  startBlock: number;
}

export const CHAINS: readonly ChainInfo[] = [
  { slug: 'ethereum', name: 'Ethereum', tokens: ['ETH', 'USDC', 'USDT', 'DAI'], requiredConfirmations: 12, startBlock: 19_000_000 },
  { slug: 'base', name: 'Base', tokens: ['ETH', 'USDC', 'cbBTC'], requiredConfirmations: 15, startBlock: 12_345_678 },
  { slug: 'polygon', name: 'Polygon', tokens: ['MATIC', 'USDC', 'USDT', 'WETH'], requiredConfirmations: 64, startBlock: 55_000_000 },
  { slug: 'bsc', name: 'Binance Smart Chain', tokens: ['BNB', 'USDC', 'USDT', 'BUSD'], requiredConfirmations: 15, startBlock: 38_000_000 },
  { slug: 'arbitrum', name: 'Arbitrum', tokens: ['ETH', 'USDC', 'ARB'], requiredConfirmations: 20, startBlock: 200_000_000 },
];

export const BLOCKCHAIN_SLUGS: readonly string[] = CHAINS.map((c) => c.slug);

/** Every token symbol on any chain (the `currency` choices). */
export const CURRENCIES: readonly string[] = [...new Set(CHAINS.flatMap((c) => c.tokens))];

export function chain(slug: string): ChainInfo | undefined {
  return CHAINS.find((c) => c.slug === slug);
}
