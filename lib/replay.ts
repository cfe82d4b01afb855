/**
 * Create-or-replay, the same for every provider: a create that meets its idempotency key
 * already used (a retry whose first answer was lost, or a message sent twice) reports the
 * object that key made, but only when that object is what this request asks for. Providers
 * declare which fields matter (amount, currencies, address, network, customer) and how to read
 * them from the request and from the existing object; the comparison lives only here.
 */
import { IdempotencyConflictError } from './errors';
import type { ReplayDifference } from './errors';
import { isDecimalString, normalizeDecimal } from './decimal';

/**
 * How two values are the same: `decimal` by value ("100.0" = "100"), `code` (currency, network)
 * in any letter case, `address` exactly, except 0x-hex addresses, whose letter case is only a
 * checksum, and `text` exactly.
 */
export type CompareAs = 'decimal' | 'code' | 'address' | 'text';

export interface ComparedField<Request, Existing> {
  /** The request field the user knows, e.g. `price_amount` (or the one this request used). */
  name: string | ((request: Request) => string);
  as: CompareAs;
  requested(request: Request): unknown;
  /**
   * The same thing read from the existing object (the request says where, e.g. its amount
   * mode). undefined = the object does not show it; null = the object has none.
   */
  existing(existing: Existing, request: Request): unknown;
  /** The gateway fills in a default when the request leaves it out (a network): compared only when the request gives it. */
  defaulted?: boolean;
  /** The gateway's answer may leave it out (an undocumented echo): compared only when it is there. */
  optionalInAnswer?: boolean;
}

export type ReplayFields<Request, Existing> = readonly ComparedField<Request, Existing>[];

export interface ReplayComparison {
  differences: ReplayDifference[];
  /** Fields the request gives but the existing object does not show, so they cannot be checked. */
  unverifiable: string[];
}

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

function same(as: CompareAs, a: unknown, b: unknown): boolean {
  if (as === 'decimal') {
    const left = typeof a === 'number' ? String(a) : a;
    const right = typeof b === 'number' ? String(b) : b;
    return isDecimalString(left) && isDecimalString(right) && normalizeDecimal(left) === normalizeDecimal(right);
  }
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  const left = a.trim();
  const right = b.trim();
  if (as === 'code') return left.toLowerCase() === right.toLowerCase();
  if (as === 'address' && /^0x[0-9a-f]{40}$/i.test(left) && /^0x[0-9a-f]{40}$/i.test(right)) return left.toLowerCase() === right.toLowerCase();
  return left === right;
}

function shown(as: CompareAs, value: unknown): string {
  if (!given(value)) return 'none';
  if (as === 'decimal' && (typeof value === 'string' || typeof value === 'number')) return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

/** Where `existing` differs from `request` in the declared fields. */
export function compareReplay<Request, Existing>(fields: ReplayFields<Request, Existing>, request: Request, existing: Existing): ReplayComparison {
  const differences: ReplayDifference[] = [];
  const unverifiable: string[] = [];
  for (const field of fields) {
    const name = typeof field.name === 'string' ? field.name : field.name(request);
    const wanted = field.requested(request);
    const has = field.existing(existing, request);
    if (!given(wanted)) {
      // Not asked for: the same only when the object has none either (unless the gateway picks a default).
      if (field.defaulted || !given(has)) continue;
    } else if (has === undefined) {
      if (!field.optionalInAnswer) unverifiable.push(name);
      continue;
    } else if (given(has) && same(field.as, wanted, has)) continue;
    differences.push({ field: name, requested: shown(field.as, wanted), existing: shown(field.as, has) });
  }
  return { differences, unverifiable };
}

export interface ReplayContext {
  /** Gateway label for messages, e.g. `Cryptopay`. */
  provider: string;
  /** The idempotency key field and its value. */
  keyField: string;
  key: string;
}

export interface ReplaySpec<Request, Existing> extends ReplayContext {
  fields: ReplayFields<Request, Existing>;
  request: Request;
  /** The existing object in a few words, e.g. `withdrawal 86a94c44-…`. */
  describe(existing: Existing): string;
  /**
   * The error for an object the request cannot be checked against (fields it does not show),
   * in the gateway's own terms. Default: the conflict error naming those fields.
   */
  unverifiable?(existing: Existing, fields: string[]): Error;
}

/**
 * Throws unless `existing` is what the request asks for: IdempotencyConflictError naming each
 * field with both values, or the spec's unverifiable error.
 */
export function assertSameRequest<Request, Existing>(spec: ReplaySpec<Request, Existing>, existing: Existing): void {
  const { differences, unverifiable } = compareReplay(spec.fields, spec.request, existing);
  if (differences.length > 0) throw new IdempotencyConflictError(spec.provider, spec.keyField, spec.key, spec.describe(existing), differences);
  if (unverifiable.length > 0) {
    if (spec.unverifiable) throw spec.unverifiable(existing, unverifiable);
    const unknown = unverifiable.map((field) => ({ field, requested: 'given', existing: 'not shown by the gateway' }));
    throw new IdempotencyConflictError(spec.provider, spec.keyField, spec.key, spec.describe(existing), unknown);
  }
}

export interface CreateOrReplay<Request, Existing> extends ReplaySpec<Request, Existing> {
  create(): Promise<Existing>;
  /** The create was refused because its key is already used. */
  keyTaken(err: unknown): boolean;
  /** The object the key made; undefined when it cannot be found (the original refusal is thrown then). */
  findExisting(err: unknown): Promise<Existing | undefined>;
}

/** Creates, or, when the key is taken, returns what it made (`replayed: true`) provided it is the same request. */
export async function createOrReplay<Request, Existing>(spec: CreateOrReplay<Request, Existing>): Promise<{ value: Existing; replayed: boolean }> {
  try {
    return { value: await spec.create(), replayed: false };
  } catch (err) {
    if (!spec.keyTaken(err)) throw err;
    const existing = await spec.findExisting(err);
    if (existing === undefined) throw err;
    assertSameRequest(spec, existing);
    return { value: existing, replayed: true };
  }
}
