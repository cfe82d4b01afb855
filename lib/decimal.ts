/** Amounts travel as decimal strings end to end; floats never touch money. */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value);
}

/** Canonical text of a decimal string ("100.0" → "100", "-0.50" → "-0.5") for exact comparison. */
export function normalizeDecimal(value: string): string {
  if (!isDecimalString(value)) throw new TypeError(`not a decimal string: ${String(value)}`);
  const negative = value.startsWith('-');
  const [intPart = '0', fracPart = ''] = value.replace(/^-/, '').split('.');
  const int = intPart.replace(/^0+(?=\d)/, '');
  const frac = fracPart.replace(/0+$/, '');
  const text = frac ? `${int}.${frac}` : int;
  return negative && text !== '0' ? `-${text}` : text;
}

export function decimalsEqual(a: string, b: string): boolean {
  return normalizeDecimal(a) === normalizeDecimal(b);
}
