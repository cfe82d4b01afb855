/**
 * Query strings are built once and then both signed and sent, so the bytes match.
 * Values are percent-encoded with encodeURIComponent; empty values are left out.
 */
export type QueryValue = string | number | boolean | null | undefined;

export function buildQuery(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}

export function withQuery(path: string, params: Record<string, QueryValue>): string {
  const query = buildQuery(params);
  return query ? `${path}?${query}` : path;
}

/** One path segment, e.g. a merchant `custom_id` that may contain `/` or spaces. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
