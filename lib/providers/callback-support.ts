/**
 * What every provider's callback verification does the same way: read one header, compare
 * hex signatures in constant time, read the verified body against the provider's schema, and
 * hand over a verified body Paywire does not know instead of dropping it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { UnexpectedCallbackError } from '../errors';
import { toMeta } from '../operations';
import type { HeaderMap, VerifiedCallback } from './types';

/** The first value of a header, trimmed (Node gives repeated headers as arrays). */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim();
}

/** Hex signatures compared in constant time, whatever the letter case. */
export function sameHex(expected: string, received: string): boolean {
  const left = Buffer.from(expected.toLowerCase(), 'utf8');
  const right = Buffer.from(received.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch is simply a mismatch.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A verified body read against the provider's schema: the value, or what is wrong and the body as far as it parses. */
export type VerifiedBody<T> = { ok: true; value: T; body: unknown } | { ok: false; problem: string; body: unknown };

/** The verified body as JSON matching `schema` (`shape` says what it should be, e.g. "a CPG event envelope"). */
export function readVerifiedBody<S extends z.ZodType>(rawBody: Buffer, schema: S, shape: string): VerifiedBody<z.infer<S>> {
  const text = rawBody.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Signed but not JSON: the flow gets the text as it came.
    return { ok: false, problem: 'its body is not JSON', body: text };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data, body: json };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, problem: `it is not ${shape} (${where}${issue?.message ?? 'invalid'})`, body: json };
}

/** The digest of a verified body, for the duplicate key of a callback without a delivery id. */
export function bodyDigest(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}

/** The string at `key` of a parsed body, if it is one (to name what an unexpected callback is about). */
export function stringAt(body: unknown, key: string): string | undefined {
  if (typeof body !== 'object' || body === null || !Object.prototype.hasOwnProperty.call(body, key)) return undefined;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A verified callback Paywire does not know: answered 2xx like any other, but handed to Catch
 * (`unexpected`) with the whole body as `payload`, under the duplicate key given.
 */
export function unexpectedCallback(
  provider: { id: string; label: string },
  problem: string,
  body: unknown,
  dedupeKey: string,
  about: { resource?: string | undefined; id?: string | undefined; event?: string | undefined } = {},
): VerifiedCallback {
  return {
    payload: body,
    meta: { ...toMeta(provider.id, about.resource ?? 'callback', about.id ?? null, null), event: about.event ?? 'unknown' },
    dedupeKey,
    unexpected: new UnexpectedCallbackError(provider.label, problem),
  };
}
