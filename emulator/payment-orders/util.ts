// Small helpers: API timestamps, identifiers, decimal strings (money is never a JS number).
import { randomBytes, randomInt } from 'node:crypto';

/** "2024-01-01T10:15:30Z": UTC, whole seconds, as in the reference examples. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

// DRF's DateTimeField input: ISO 8601 with optional seconds/fraction and an optional zone
// (a naive value is read as UTC, the Django default TIME_ZONE).
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function parseDateTime(text: string): number | null {
  const m = DATETIME_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s ?? '0') > 59) return null;
  const ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s ?? '0'), frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0);
  if (new Date(ms).getUTCDate() !== day) return null;
  let offsetMin = 0;
  if (zone && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z) return null;
    offsetMin = (Number(z[2]) * 60 + Number(z[3])) * (z[1] === '-' ? -1 : 1);
  }
  return ms - offsetMin * 60_000;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export const EVM_ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
export const TX_HASH_RE = /^0x[0-9a-fA-F]{64}$/;

export interface DecimalCheck {
  /** Canonical text: no sign, no leading zeros, the input's fractional digits kept. */
  text?: string;
  error?: string;
}

/**
 * Reads a positive decimal string the way a DRF DecimalField(max_digits, decimal_places) would,
 * without ever converting it to a JS number.
 */
export function checkDecimal(value: string, maxDigits: number, decimalPlaces: number): DecimalCheck {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return { error: 'A valid number is required.' };
  const negative = m[1] === '-';
  const intPart = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = m[3] ?? '';
  const significantInt = intPart === '0' ? '' : intPart;
  // Like Decimal.as_tuple(): the digits as given count ("1.50" has 2 decimal places).
  if (frac.length > decimalPlaces) return { error: `Ensure that there are no more than ${decimalPlaces} decimal places.` };
  if (significantInt.length + frac.length > maxDigits) return { error: `Ensure that there are no more than ${maxDigits} digits in total.` };
  if (significantInt.length > maxDigits - decimalPlaces) {
    return { error: `Ensure that there are no more than ${maxDigits - decimalPlaces} digits before the decimal point.` };
  }
  const text = frac.length > 0 ? `${intPart}.${frac}` : intPart;
  if (negative || /^[0.]+$/.test(text)) return { error: 'Ensure this value is greater than 0.' };
  return { text };
}
