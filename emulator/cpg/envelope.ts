// The response envelope (reference §4): {success, message, data} on 2xx, plus data_count on list
// endpoints and next_cursor/has_more on GET /v1/transactions; {success:false, message} otherwise.
import type { EmulatorResponse } from '../shared/http';

export class CpgError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'CpgError';
  }

  response(): EmulatorResponse {
    return { status: this.status, json: { success: false, message: this.message }, headers: { ...this.headers } };
  }
}

/** Catalogue messages the emulator answers with; documented ones verbatim, the rest our choice (README). */
export const cpgErrors = {
  missingHeaders: () => new CpgError(401, 'Missing authentication headers'),
  timestampWindow: () => new CpgError(401, 'Request timestamp is outside the allowed window'),
  replayed: () => new CpgError(401, 'Request signature has already been used'),
  invalidKey: () => new CpgError(401, 'Invalid API key'),
  invalidSignature: () => new CpgError(401, 'Invalid signature'),
  ipNotWhitelisted: () => new CpgError(403, 'Source IP is not whitelisted for this key'),
  forbidden: () => new CpgError(403, 'API key does not have permission for this action'),
  rateLimited: () => new CpgError(429, 'Rate limit exceeded'),
  authUnavailable: () => new CpgError(503, 'Authentication service temporarily unavailable'),
  notFound: (what = 'Not Found') => new CpgError(404, what),
  methodNotAllowed: () => new CpgError(405, 'Method Not Allowed'),
  payloadTooLarge: () => new CpgError(413, 'Request body is too large'),
  rejected: (message: string) => new CpgError(400, message),
  conflict: (field: string) => new CpgError(409, `${field} already used with different parameters`),
  invalid: (message: string) => new CpgError(422, message),
  /** A control asked for a transition the object is not in a state for. */
  stateConflict: (message: string) => new CpgError(409, message),
  internal: (detail: string) => new CpgError(500, `Internal server error: ${detail}`),
};

export function ok(data: unknown, status = 200): EmulatorResponse {
  return { status, json: { success: true, message: 'OK', data } };
}

export function okList(rows: readonly unknown[]): EmulatorResponse {
  return { status: 200, json: { success: true, message: 'OK', data: rows, data_count: rows.length } };
}

export function okPage(rows: readonly unknown[], nextCursor: number | null, hasMore: boolean): EmulatorResponse {
  return { status: 200, json: { success: true, message: 'OK', data: rows, data_count: rows.length, next_cursor: nextCursor, has_more: hasMore } };
}

export function toErrorResponse(err: unknown): EmulatorResponse {
  if (err instanceof CpgError) return err.response();
  return cpgErrors.internal(err instanceof Error ? err.message : String(err)).response();
}

/** REST timestamps: whole seconds with an explicit +00:00 offset (reference §4). */
export function restTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** Webhook created_at: UTC with Z; a fraction only when non-zero, then exactly 6 digits (reference §8). */
export function webhookTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const millis = iso.slice(20, 23);
  return millis === '000' ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${millis}000Z`;
}
