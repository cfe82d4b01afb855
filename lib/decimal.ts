/** Amounts travel as decimal strings end to end; floats never touch money. */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

/** What a money field of a request must look like: digits, optionally a point and more digits. */
export const AMOUNT_PATTERN = /^\d+(\.\d+)?$/;

/**
 * The most significant digits a JavaScript number carries exactly: any decimal of up to 15
 * significant digits survives the trip to a double and back (String() returns it unchanged).
 */
export const MAX_NUMBER_DIGITS = 15;

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

/**
 * A number's shortest decimal form (what String() gives) in plain notation, with how many
 * significant digits it has: 1e-7 → "0.0000001", 1e21 → "1000000000000000000000".
 */
export function plainNumberText(value: number): { text: string; significantDigits: number } {
  const shortest = String(Math.abs(value));
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(shortest);
  if (!match) throw new TypeError(`not a finite number: ${shortest}`);
  const [, intPart = '', fracPart = '', exponentText = '0'] = match;
  const digits = `${intPart}${fracPart}`.replace(/^0+/, '');
  const significantDigits = digits.replace(/0+$/, '').length || 1;
  // The decimal point sits after `point` digits of `intPart + fracPart`.
  const all = `${intPart}${fracPart}`;
  const point = intPart.length + Number(exponentText);
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${all}`;
  else if (point >= all.length) text = `${all}${'0'.repeat(point - all.length)}`;
  else text = `${all.slice(0, point)}.${all.slice(point)}`;
  text = normalizeDecimal(text);
  return { text: value < 0 && text !== '0' ? `-${text}` : text, significantDigits };
}

/** What a gateway accepts in a money field. */
export interface AmountRule {
  /** Most digits after the point the gateway takes in any currency. */
  maxFractionDigits: number;
  /** The gateway refuses 0 (every money field Paywire sends today). */
  positive: boolean;
}

export type AmountCheck = { ok: true; text: string } | { ok: false; problem: string };

/** A value as it goes into a message: quoted, escaped, and never more than about 40 characters. */
function quoted(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 42 ? `${text.slice(0, 40)}…" (${value.length} characters)` : text;
}

/**
 * A money value as the decimal string to send, or why it cannot be sent. Strings are taken as
 * written (trailing zeros past the gateway's precision are dropped, nothing else changes); a
 * number only when its shortest form has at most 15 significant digits, so `0.1 + 0.2`
 * (0.30000000000000004) is refused rather than sent as something nobody typed.
 */
export function checkAmount(value: unknown, rule: AmountRule): AmountCheck {
  const how = 'pass the amount as a decimal string, e.g. "10.50"';
  let text: string;
  let shown: string;
  if (typeof value === 'number') {
    shown = String(value);
    if (!Number.isFinite(value)) return { ok: false, problem: `${shown} is not an amount: ${how}` };
    const plain = plainNumberText(value);
    if (plain.significantDigits > MAX_NUMBER_DIGITS) {
      return {
        ok: false,
        problem: `${shown} has ${plain.significantDigits} significant digits as a number, more than a JavaScript number holds exactly (${MAX_NUMBER_DIGITS}): ${how}`,
      };
    }
    text = plain.text;
    if (value < 0) return { ok: false, problem: `${shown} is negative; the amount must be greater than 0: ${how}` };
  } else if (typeof value === 'string') {
    text = value.trim();
    shown = quoted(text);
    if (!AMOUNT_PATTERN.test(text)) {
      const hint = /^-/.test(text) ? 'a negative amount is not accepted' : 'only digits and one decimal point are accepted';
      return { ok: false, problem: `${shown} is not a decimal amount (${hint}): ${how}` };
    }
  } else {
    return { ok: false, problem: `is ${value === null ? 'null' : `a ${typeof value}`}, not an amount: ${how}` };
  }
  const [intPart = '0', fracPart = ''] = text.split('.');
  const significantFraction = fracPart.replace(/0+$/, '');
  if (significantFraction.length > rule.maxFractionDigits) {
    return {
      ok: false,
      problem: `${shown} has ${significantFraction.length} decimal places; this gateway takes at most ${rule.maxFractionDigits}: round it and ${how}`,
    };
  }
  if (fracPart.length > rule.maxFractionDigits) {
    text = significantFraction ? `${intPart}.${significantFraction}` : intPart;
  }
  if (rule.positive && normalizeDecimal(text) === '0') return { ok: false, problem: `${shown} is zero; the amount must be greater than 0: ${how}` };
  return { ok: true, text };
}
