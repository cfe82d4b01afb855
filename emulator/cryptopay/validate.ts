// Request-body validation for the resources added after invoices. Collects every problem and
// reports them at once as 422 `invalid` details, with the same detail codes as invoices
// (README "Assumptions" 4): required, must_be_string, must_be_decimal, must_be_greater_than,
// must_be_included_in, must_be_boolean.
import { Decimal } from '../shared/decimal';
import type { ErrorDetail } from './errors';
import { errors } from './errors';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function oneOf(list: readonly string[]): string {
  return `must be one of: ${list.join(', ')}`;
}

/** A value counts as given unless it is absent, null or "". */
export function isGiven(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

export class Validator {
  readonly details: ErrorDetail[] = [];
  readonly body: Record<string, unknown>;

  constructor(body: unknown) {
    this.body = isPlainObject(body) ? body : {};
  }

  add(detail: ErrorDetail): void {
    this.details.push(detail);
  }

  has(key: string): boolean {
    return isGiven(this.body[key]);
  }

  required(key: string): void {
    this.add({ code: 'required', target: key, message: 'is missing' });
  }

  /** Required non-empty string. */
  string(key: string): string | null {
    const v = this.body[key];
    if (!isGiven(v)) {
      this.required(key);
      return null;
    }
    if (typeof v !== 'string') {
      this.add({ code: 'must_be_string', target: key, message: 'must be a string' });
      return null;
    }
    return v;
  }

  /** Optional string: absent/null → null. */
  optionalString(key: string): string | null {
    const v = this.body[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') {
      this.add({ code: 'must_be_string', target: key, message: 'must be a string' });
      return null;
    }
    return v;
  }

  /** Required value from a list (case-sensitive). */
  oneOf(key: string, list: readonly string[]): string | null {
    const v = this.body[key];
    if (!isGiven(v)) {
      this.required(key);
      return null;
    }
    return this.checkIncluded(key, v, list);
  }

  /** Optional value from a list; absent/null → fallback. */
  optionalOneOf(key: string, list: readonly string[], fallback: string | null): string | null {
    const v = this.body[key];
    if (v === undefined || v === null) return fallback;
    return this.checkIncluded(key, v, list);
  }

  checkIncluded(target: string, v: unknown, list: readonly string[]): string | null {
    if (typeof v !== 'string' || !list.includes(v)) {
      this.add({ code: 'must_be_included_in', target, message: oneOf(list), args: { list: [...list] } });
      return null;
    }
    return v;
  }

  /** Decimal > 0 given as a string or a JSON number; null when absent (not reported) or invalid (reported). */
  positiveDecimal(key: string, requiredField = true): Decimal | null {
    const v = this.body[key];
    if (!isGiven(v)) {
      if (requiredField) this.required(key);
      return null;
    }
    const d = Decimal.parse(v);
    if (!d) {
      this.add({ code: 'must_be_decimal', target: key, message: 'must be a decimal' });
      return null;
    }
    if (!d.isPositive()) {
      this.add({ code: 'must_be_greater_than', target: key, message: 'must be greater than 0.0', args: { value: '0.0' } });
      return null;
    }
    return d;
  }

  /** Optional boolean; absent/null → fallback. */
  boolean(key: string, fallback: boolean): boolean {
    const v = this.body[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.add({ code: 'must_be_boolean', target: key, message: 'must be boolean' });
      return fallback;
    }
    return v;
  }

  /** Throws 422 invalid with every collected detail, if any. */
  check(): void {
    if (this.details.length > 0) throw errors.invalid(this.details);
  }
}

/** "must have at most N decimal places" (README assumption: bad precision). */
export function precisionDetail(target: string, precision: number): ErrorDetail {
  return { code: 'invalid_precision', target, message: `must have at most ${precision} decimal places`, args: { precision } };
}
