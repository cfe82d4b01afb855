// Random identifiers in the shapes the sandbox returns: UUID v4 ids, testnet addresses, txids.
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';

export function uuid(): string {
  return randomUUID();
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

const BITCOIN_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const RIPPLE_ALPHABET = 'rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function base58(bytes: Uint8Array, alphabet: string): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = alphabet[0] + out;
  }
  return out;
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function base58check(version: number, payloadLength: number, alphabet = BITCOIN_ALPHABET): string {
  const payload = Buffer.concat([Buffer.from([version]), randomBytes(payloadLength)]);
  const checksum = sha256(sha256(payload)).subarray(0, 4);
  return base58(Buffer.concat([payload, checksum]), alphabet);
}

function randomChars(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function evmAddress(): string {
  return `0x${randomBytes(20).toString('hex')}`;
}

/** A fresh deposit address for `network` (testnet-looking, checksummed where cheap). */
export function depositAddress(network: string): string {
  switch (network) {
    case 'bitcoin':
    case 'bitcoin_cash':
    case 'dogecoin':
      return base58check(0xc4, 20); // testnet P2SH, "2N..."/"2M..." as in the sandbox recordings
    case 'litecoin':
      return base58check(0x3a, 20); // litecoin testnet P2SH, "Q..."
    case 'ripple':
      return base58check(0x00, 20, RIPPLE_ALPHABET); // "r..."
    case 'tron':
      return base58check(0x41, 20); // "T..."
    case 'stellar':
      return `G${randomChars(BASE32, 55)}`;
    case 'cardano':
      return `addr_test1${randomChars(BECH32, 98)}`;
    case 'solana':
      return base58(randomBytes(32), BITCOIN_ALPHABET);
    default:
      return evmAddress(); // ethereum, bnb_smart_chain
  }
}

export function destinationTag(): number {
  return randomInt(1, 4_294_967_295);
}

export function txid(network: string): string {
  switch (network) {
    case 'ethereum':
    case 'bnb_smart_chain':
      return `0x${randomBytes(32).toString('hex')}`;
    case 'ripple':
      return randomBytes(32).toString('hex').toUpperCase();
    case 'solana':
      return base58(randomBytes(64), BITCOIN_ALPHABET);
    default:
      return randomBytes(32).toString('hex');
  }
}
