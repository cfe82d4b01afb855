// Destination checks for payouts: a simple address pattern per network (not a checksum check) and
// the emulator's screening rule for high-risk addresses. Documented in README "Assumptions".

/** Pattern per network; testnet and mainnet forms are both accepted. */
export const ADDRESS_PATTERNS: Readonly<Record<string, RegExp>> = {
  bitcoin: /^(2|m|n|bc1|tb1|1|3)[a-zA-Z0-9]{20,}$/,
  litecoin: /^(L|M|Q|ltc1|tltc1|m|n|2|3)[a-zA-Z0-9]{20,}$/,
  bitcoin_cash: /^((bitcoincash:|bchtest:)?[qp][a-z0-9]{40,}|(1|3|2|m|n)[a-zA-Z0-9]{20,})$/,
  dogecoin: /^(D|A|9|n|m|2)[a-zA-Z0-9]{20,}$/,
  ethereum: /^0x[0-9a-fA-F]{40}$/,
  bnb_smart_chain: /^0x[0-9a-fA-F]{40}$/,
  ripple: /^r[1-9A-HJ-NP-Za-km-z]{24,34}(\?dt=\d{1,10})?$/,
  stellar: /^G[A-Z2-7]{55}(\?memoId=\d{1,20})?$/,
  tron: /^T[1-9A-HJ-NP-Za-km-z]{33}$/,
  cardano: /^addr(_test)?1[02-9ac-hj-np-z]{50,}$/,
  solana: /^[1-9A-HJ-NP-Za-km-z]{32,44}$/,
};

export function isValidAddress(network: string, address: string): boolean {
  const re = ADDRESS_PATTERNS[network];
  return re ? re.test(address) : address.trim().length > 0;
}

/** Substring that marks an address as high risk in the emulator (e.g. "2Mz3…deadbeef"). */
export const HIGH_RISK_MARKER = 'deadbeef';

export const HIGH_RISK_MESSAGE =
  'The destination address was screened and is associated with high-risk activity, so this payout cannot be made. ' +
  'Choose another address; if you believe this is a mistake, contact compliance support with the address and the time of the request.';

/** High risk = listed in the `highRiskAddresses` option, or containing "deadbeef" (both case-insensitive). */
export function isHighRisk(address: string, listed: ReadonlySet<string>): boolean {
  const lower = address.toLowerCase();
  return listed.has(lower) || lower.includes(HIGH_RISK_MARKER);
}
