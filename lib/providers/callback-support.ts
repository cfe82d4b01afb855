/**
 * What every provider's callback verification does the same way: read one header, compare
 * hex signatures in constant time, and parse the verified body against the provider's schema.
 */
import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { CallbackRejectedError } from '../errors';
import type { HeaderMap } from './types';

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

/**
 * The verified body as JSON matching `schema`, else 400 `malformed_callback`:
 * `noun` names the thing ("Webhook"), `shape` what it should be ("a CPG event envelope").
 */
export function parseCallbackBody<S extends z.ZodType>(rawBody: Buffer, schema: S, noun: string, shape: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new CallbackRejectedError('malformed_callback', `${noun} body is not valid JSON`, 400);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CallbackRejectedError('malformed_callback', `${noun} is not ${shape} (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`, 400);
  }
  return parsed.data;
}
