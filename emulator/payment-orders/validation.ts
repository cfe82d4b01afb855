// DRF-style field validation: each reader records Django REST Framework's standard messages in a
// field → [messages] dict and check() throws 400 VALIDATION_ERROR with that dict as `details`.
//
// Readers return `undefined` when the field is absent (and not required, or the form is partial),
// `null` for an explicit null that the field allows, otherwise the cleaned value. A field with an
// error also returns `undefined`; check() must be called before using the values.
import type { FieldErrors } from './errors';
import { poErrors } from './errors';
import { checkDecimal, parseDateTime } from './util';

const MSG = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  string: 'Not a valid string.',
  url: 'Enter a valid URL.',
  integer: 'A valid integer is required.',
  boolean: 'Must be a valid boolean.',
  json: 'Value must be valid JSON.',
  datetime: 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  emptySelection: 'This selection may not be empty.',
};

export const NON_FIELD = 'non_field_errors';

function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** The request body as a dict, or 400 with DRF's non_field_errors message. Empty body = {}. */
export function requireDict(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  throw poErrors.validation({ [NON_FIELD]: [`Invalid data. Expected a dictionary, but got ${pythonType(body)}.`] });
}

/** Django URLValidator, restricted to http(s): a host that is localhost, an IP literal or a dotted name. */
export function isValidUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  const host = u.hostname;
  if (host === 'localhost') return true;
  if (/^\[[0-9a-f:.]+\]$/i.test(host)) return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split('.').every((p) => Number(p) <= 255);
  return /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i.test(host);
}

interface CharOptions {
  required?: boolean;
  allowNull?: boolean;
  allowBlank?: boolean;
  maxLength?: number;
  /** DRF trim_whitespace; default true (false for passwords). */
  trim?: boolean;
}

const TRUE_VALUES = new Set<unknown>([true, 1, '1', 'true', 'True', 'TRUE', 't', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const FALSE_VALUES = new Set<unknown>([false, 0, '0', 'false', 'False', 'FALSE', 'f', 'F', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

export class Form {
  readonly errors: FieldErrors = {};

  /** partial = PATCH semantics: no field is required. */
  constructor(
    readonly data: Record<string, unknown>,
    readonly partial = false,
  ) {}

  error(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  hasErrors(field?: string): boolean {
    return field === undefined ? Object.keys(this.errors).length > 0 : (this.errors[field]?.length ?? 0) > 0;
  }

  /** Throws 400 VALIDATION_ERROR when any field has an error. */
  check(): void {
    if (this.hasErrors()) throw poErrors.validation(this.errors);
  }

  /** Absent → undefined (recording "required" if needed); explicit null → null (or an error). */
  private raw(field: string, required: boolean, allowNull: boolean): { value: unknown } | undefined | null {
    const present = Object.prototype.hasOwnProperty.call(this.data, field) && this.data[field] !== undefined;
    if (!present) {
      if (required && !this.partial) this.error(field, MSG.required);
      return undefined;
    }
    const value = this.data[field];
    if (value === null) {
      if (!allowNull) this.error(field, MSG.null);
      return null;
    }
    return { value };
  }

  char(field: string, opts: CharOptions = {}): string | null | undefined {
    const r = this.raw(field, opts.required ?? false, opts.allowNull ?? false);
    if (!r) return r === null && opts.allowNull ? null : undefined;
    const { value } = r;
    let text: string;
    if (typeof value === 'string') text = opts.trim === false ? value : value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
    else {
      this.error(field, MSG.string);
      return undefined;
    }
    if (text.trim() === '') {
      if (opts.allowBlank) return '';
      this.error(field, MSG.blank);
      return undefined;
    }
    if (opts.maxLength !== undefined && text.length > opts.maxLength) {
      this.error(field, `Ensure this field has no more than ${opts.maxLength} characters.`);
      return undefined;
    }
    return text;
  }

  /** URLField (http/https). A blank value counts as null when the field allows null. */
  url(field: string, opts: CharOptions = {}): string | null | undefined {
    const text = this.char(field, { ...opts, allowBlank: opts.allowNull ?? false, maxLength: opts.maxLength ?? 200 });
    if (text === '') return null;
    if (typeof text !== 'string') return text;
    if (!isValidUrl(text)) {
      this.error(field, MSG.url);
      return undefined;
    }
    return text;
  }

  choice(field: string, choices: readonly string[], opts: { required?: boolean } = {}): string | undefined {
    const r = this.raw(field, opts.required ?? false, false);
    if (!r) return undefined;
    const { value } = r;
    const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    if (typeof value !== 'string' || !choices.includes(value)) {
      this.error(field, text === '' && typeof value === 'string' ? MSG.blank : `"${text}" is not a valid choice.`);
      return undefined;
    }
    return value;
  }

  /** MultipleChoiceField(allow_empty=False): a JSON list of choices, duplicates collapsed, order kept. */
  multipleChoice(field: string, choices: readonly string[], opts: { required?: boolean } = {}): string[] | undefined {
    const r = this.raw(field, opts.required ?? false, false);
    if (!r) return undefined;
    const { value } = r;
    if (!Array.isArray(value)) {
      this.error(field, `Expected a list of items but got type "${pythonType(value)}".`);
      return undefined;
    }
    if (value.length === 0) {
      this.error(field, MSG.emptySelection);
      return undefined;
    }
    const out: string[] = [];
    let bad = false;
    for (const item of value) {
      if (typeof item !== 'string' || !choices.includes(item)) {
        this.error(field, `"${typeof item === 'string' ? item : JSON.stringify(item)}" is not a valid choice.`);
        bad = true;
      } else if (!out.includes(item)) out.push(item);
    }
    return bad ? undefined : out;
  }

  /** IntegerField: JSON integers or integer strings ("123", "123.0"), within [min, max]. */
  integer(field: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const r = this.raw(field, opts.required ?? false, false);
    if (!r) return undefined;
    const { value } = r;
    let n: number | null = null;
    if (typeof value === 'number' && Number.isInteger(value)) n = value;
    else if (typeof value === 'string' && /^\s*[+-]?\d+(\.0*)?\s*$/.test(value)) {
      const digits = value.trim().replace(/\.0*$/, '');
      const big = BigInt(digits);
      n = big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(big);
    }
    if (n === null) {
      this.error(field, MSG.integer);
      return undefined;
    }
    if (opts.max !== undefined && n > opts.max) {
      this.error(field, `Ensure this value is less than or equal to ${opts.max}.`);
      return undefined;
    }
    if (opts.min !== undefined && n < opts.min) {
      this.error(field, `Ensure this value is greater than or equal to ${opts.min}.`);
      return undefined;
    }
    return n;
  }

  boolean(field: string, opts: { required?: boolean } = {}): boolean | undefined {
    const r = this.raw(field, opts.required ?? false, false);
    if (!r) return undefined;
    if (TRUE_VALUES.has(r.value)) return true;
    if (FALSE_VALUES.has(r.value)) return false;
    this.error(field, MSG.boolean);
    return undefined;
  }

  /**
   * Money: a decimal **string** > 0 (DecimalField(max_digits, decimal_places) messages). JSON
   * numbers are refused so that no client sends money as a float (README assumption 10).
   */
  decimalString(field: string, opts: { required?: boolean; maxDigits: number; decimalPlaces: number }): string | undefined {
    const r = this.raw(field, opts.required ?? false, false);
    if (!r) return undefined;
    const { value } = r;
    if (typeof value === 'number') {
      this.error(field, 'Send the amount as a decimal string, e.g. "100.00".');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.error(field, 'A valid number is required.');
      return undefined;
    }
    const res = checkDecimal(value, opts.maxDigits, opts.decimalPlaces);
    if (res.error !== undefined || res.text === undefined) {
      this.error(field, res.error ?? 'A valid number is required.');
      return undefined;
    }
    return res.text;
  }

  /** A CharField whose content must parse as JSON (order_info). Returns the string unchanged. */
  jsonString(field: string, opts: { required?: boolean; maxLength?: number } = {}): string | undefined {
    const r = this.raw(field, opts.required ?? false, false);
    if (!r) return undefined;
    const { value } = r;
    if (typeof value !== 'string') {
      this.error(field, MSG.string);
      return undefined;
    }
    if (value.trim() === '') {
      this.error(field, MSG.blank);
      return undefined;
    }
    if (opts.maxLength !== undefined && value.length > opts.maxLength) {
      this.error(field, `Ensure this field has no more than ${opts.maxLength} characters.`);
      return undefined;
    }
    try {
      JSON.parse(value);
    } catch {
      this.error(field, MSG.json);
      return undefined;
    }
    return value;
  }

  dateTime(field: string, opts: { required?: boolean; allowNull?: boolean } = {}): number | null | undefined {
    const r = this.raw(field, opts.required ?? false, opts.allowNull ?? false);
    if (!r) return r === null && opts.allowNull ? null : undefined;
    const ms = typeof r.value === 'string' ? parseDateTime(r.value) : null;
    if (ms === null) {
      this.error(field, MSG.datetime);
      return undefined;
    }
    return ms;
  }
}
