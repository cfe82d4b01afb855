// Exact decimal arithmetic on bigint, just enough for money in the emulator.
// A value is `units / 10^scale`. JS numbers are never used for amounts.

export type RoundingMode = 'down' | 'up' | 'half_up'; // toward zero / away from zero / half away from zero

const MAX_INPUT_LENGTH = 64;
const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d{1,3}))?$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);

  private constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {}

  static of(units: bigint, scale = 0): Decimal {
    if (scale < 0) return new Decimal(units * pow10(-scale), 0);
    return new Decimal(units, scale);
  }

  /** Parses a decimal string ("100", "100.50", "-1.5", "1e-7") or a finite JS number (via its shortest text form). */
  static parse(input: unknown): Decimal | null {
    let text: string;
    if (typeof input === 'string') text = input.trim();
    else if (typeof input === 'number' && Number.isFinite(input)) text = String(input);
    else return null;
    if (text.length === 0 || text.length > MAX_INPUT_LENGTH) return null;
    const m = DECIMAL_RE.exec(text);
    if (!m) return null;
    const sign = m[1] === '-' ? -1n : 1n;
    const intPart = m[2] ?? '0';
    const fracPart = m[3] ?? '';
    const exp = m[4] ? Number(m[4]) : 0;
    const units = sign * BigInt(intPart + fracPart);
    return Decimal.of(units, fracPart.length - exp).normalize();
  }

  /** Parses or throws; for constants in the emulator's own tables. */
  static from(text: string): Decimal {
    const d = Decimal.parse(text);
    if (!d) throw new Error(`invalid decimal literal: ${text}`);
    return d;
  }

  /** Removes trailing fractional zeros. */
  normalize(): Decimal {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return units === this.units && scale === this.scale ? this : new Decimal(units, scale);
  }

  private rescale(scale: number): bigint {
    // only for scale >= this.scale
    return this.units * pow10(scale - this.scale);
  }

  add(other: Decimal): Decimal {
    const s = Math.max(this.scale, other.scale);
    return new Decimal(this.rescale(s) + other.rescale(s), s).normalize();
  }

  sub(other: Decimal): Decimal {
    const s = Math.max(this.scale, other.scale);
    return new Decimal(this.rescale(s) - other.rescale(s), s).normalize();
  }

  mul(other: Decimal): Decimal {
    return new Decimal(this.units * other.units, this.scale + other.scale).normalize();
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    const s = Math.max(this.scale, other.scale);
    const a = this.rescale(s);
    const b = other.rescale(s);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.cmp(other) === 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isPositive(): boolean {
    return this.units > 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  neg(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  /** Number of fractional digits after normalisation. */
  get precision(): number {
    return this.normalize().scale;
  }

  /** Rounds to `scale` fractional digits. */
  round(scale: number, mode: RoundingMode): Decimal {
    if (scale >= this.scale) return this.normalize();
    return divideUnits(this.units, pow10(this.scale - scale), mode, scale);
  }

  /** this / other rounded to `scale` fractional digits. */
  div(other: Decimal, scale: number, mode: RoundingMode): Decimal {
    if (other.units === 0n) throw new RangeError('division by zero');
    // (a/10^sa) / (b/10^sb) = a*10^(sb+scale-sa) / b  / 10^scale
    const shift = other.scale + scale - this.scale;
    let num = this.units;
    let den = other.units;
    if (shift >= 0) num *= pow10(shift);
    else den *= pow10(-shift);
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    return divideUnits(num, den, mode, scale);
  }

  /** this / other keeping `digits` significant digits. */
  divSignificant(other: Decimal, digits: number, mode: RoundingMode): Decimal {
    const rough = this.div(other, 0, 'down');
    const intDigits = rough.units === 0n ? 0 : (rough.units < 0n ? -rough.units : rough.units).toString().length;
    if (intDigits > 0) return this.div(other, Math.max(0, digits - intDigits), mode);
    // value < 1: find how many leading fractional zeros there are
    for (let scale = digits; scale < digits + 60; scale += 1) {
      const q = this.div(other, scale, 'down');
      const len = (q.units < 0n ? -q.units : q.units).toString().length;
      if (q.units !== 0n && len >= digits) return this.div(other, scale, mode);
    }
    return this.div(other, digits + 60, mode);
  }

  /** API format: trailing zeros stripped, at least one fractional digit ("100.0", "0.00349"). */
  toString(): string {
    const n = this.normalize();
    const neg = n.units < 0n;
    const digits = (neg ? -n.units : n.units).toString();
    let out: string;
    if (n.scale === 0) out = `${digits}.0`;
    else {
      const padded = digits.padStart(n.scale + 1, '0');
      out = `${padded.slice(0, padded.length - n.scale)}.${padded.slice(padded.length - n.scale)}`;
    }
    return neg ? `-${out}` : out;
  }

  /** Plain format without the forced ".0" (for payment URIs: "0.00349", "12345"). */
  toPlainString(): string {
    const s = this.toString();
    return s.endsWith('.0') ? s.slice(0, -2) : s;
  }

  toJSON(): string {
    return this.toString();
  }

  /**
   * Smallest-unit notation used by Ethereum payment URIs (EIP-681 as Cryptopay writes it):
   * value × 10^shift written as "0.<significant digits>e<digit count>", e.g. 0.02850781 ETH,
   * shift 18 → "0.2850781e17"; 0.00005 USDT, shift 6 → "0.5e2".
   */
  toUnitScientific(shift: number): string {
    if (this.units === 0n) return '0';
    const raw = (this.units < 0n ? -this.units : this.units).toString();
    const exponent = raw.length - this.scale + shift;
    const significant = raw.replace(/0+$/, '');
    return `${this.units < 0n ? '-' : ''}0.${significant}e${exponent}`;
  }
}

function divideUnits(num: bigint, den: bigint, mode: RoundingMode, scale: number): Decimal {
  const negative = num < 0n !== den < 0n && num !== 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  let q = a / b;
  const r = a % b;
  if (r !== 0n) {
    if (mode === 'up') q += 1n;
    else if (mode === 'half_up' && r * 2n >= b) q += 1n;
  }
  return Decimal.of(negative ? -q : q, scale).normalize();
}
