/**
 * Query strings are built once and then both signed and sent, so the bytes match.
 * Values are percent-encoded with encodeURIComponent; empty values are left out.
 */
import { InputError } from '../errors';

export type QueryValue = string | number | boolean | null | undefined;

export function buildQuery(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${encodeURIComponent(key)}=${encode(String(value), key)}`);
  }
  return parts.join('&');
}

export function withQuery(path: string, params: Record<string, QueryValue>): string {
  const query = buildQuery(params);
  return query ? `${path}?${query}` : path;
}

/** One path segment, e.g. a merchant `custom_id` that may contain `/` or spaces. */
export function segment(value: string): string {
  return encode(value);
}

/**
 * encodeURIComponent, but text with an unpaired UTF-16 surrogate (broken unicode, which it
 * throws a bare URIError on) is an input error that says what is wrong.
 */
function encode(value: string, name?: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    const what = name ? `"${name}"` : 'a value in the request path';
    throw new InputError(`${what} contains broken unicode text (an unpaired UTF-16 surrogate), which cannot be sent in a URL`, [
      { code: 'invalid_unicode', ...(name ? { field: name } : {}), message: 'contains an unpaired UTF-16 surrogate' },
    ]);
  }
}
