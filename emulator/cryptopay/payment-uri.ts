// Payment URIs in the formats recorded from the sandbox (reference §4.4):
//   bitcoin:<addr>?amount=0.00349
//   ethereum:<addr>@5?value=0.2850781e17                                   (native coin, wei)
//   ethereum:<token>@5/transfer?address=<addr>&uint256=0.5e2               (ERC-20, token units)
//   ripple:<addr>?amount=103.28722&dt=2038                                 (address carries ?dt=)
import { createHash } from 'node:crypto';
import type { CoinInfo } from './currencies';
import { evmChainId } from './currencies';
import type { Decimal } from '../shared/decimal';

const NATIVE_EVM: Readonly<Record<string, string>> = { ethereum: 'ETH', bnb_smart_chain: 'BNB' };

const SCHEMES: Readonly<Record<string, string>> = {
  bitcoin: 'bitcoin',
  bitcoin_cash: 'bitcoincash',
  litecoin: 'litecoin',
  dogecoin: 'dogecoin',
  tron: 'tron',
  stellar: 'stellar',
  cardano: 'web+cardano',
  solana: 'solana',
};

/** Token contract for a coin on an EVM network (fixed per currency+network). */
function tokenContract(coin: CoinInfo, network: string): string {
  return coin.token?.contracts[network] ?? `0x${createHash('sha1').update(`${coin.currency}:${network}`).digest('hex')}`;
}

/** `address` as shown in the invoice (XRP carries its destination tag). */
export function displayAddress(network: string, address: string, tag: number | null): string {
  return network === 'ripple' && tag !== null ? `${address}?dt=${tag}` : address;
}

export function paymentUri(coin: CoinInfo, network: string, address: string, tag: number | null, amount: Decimal): string {
  const chainId = evmChainId(network);
  if (chainId !== undefined) {
    if (NATIVE_EVM[network] === coin.currency) return `ethereum:${address}@${chainId}?value=${amount.toUnitScientific(18)}`;
    const decimals = coin.token?.decimals ?? 18;
    return `ethereum:${tokenContract(coin, network)}@${chainId}/transfer?address=${address}&uint256=${amount.toUnitScientific(decimals)}`;
  }
  if (network === 'ripple') return `ripple:${address}?amount=${amount.toPlainString()}${tag !== null ? `&dt=${tag}` : ''}`;
  const scheme = SCHEMES[network] ?? network;
  return `${scheme}:${address}?amount=${amount.toPlainString()}`;
}

/**
 * Channel URI (no amount), as recorded: `bitcoin:<addr>`,
 * `ethereum:<token>@5/transfer?address=<addr>` (tokens), `ripple:<addr>?dt=<tag>`.
 */
export function channelUri(coin: CoinInfo, network: string, address: string, tag: number | null): string {
  const chainId = evmChainId(network);
  if (chainId !== undefined) {
    if (NATIVE_EVM[network] === coin.currency) return `ethereum:${address}@${chainId}`;
    return `ethereum:${tokenContract(coin, network)}@${chainId}/transfer?address=${address}`;
  }
  if (network === 'ripple') return `ripple:${displayAddress(network, address, tag)}`;
  return `${SCHEMES[network] ?? network}:${address}`;
}
