// Envelopes of the payment-orders API (reference §3) and the error type every handler throws.
//
//   success: {"success":true,"data":…,"message":"…","timestamp":"2024-01-01T10:15:30Z"}
//   error:   {"success":false,"error":{"code","message","details"},"timestamp":"…"}
//
// `details` is DRF's field-error dict for VALIDATION_ERROR ({"field":["message", …]}) and `{}` for
// every other error (README assumption 6).
import { isoSeconds } from './util';

/** DRF field errors: field name (or "non_field_errors") → messages. */
export type FieldErrors = Record<string, string[]>;

export interface SuccessEnvelope {
  success: true;
  data: unknown;
  message: string;
  timestamp: string;
}

export interface ErrorEnvelope {
  success: false;
  error: { code: string; message: string; details: FieldErrors };
  timestamp: string;
}

export class PoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldErrors = {},
    /** Extra response headers (WWW-Authenticate, Retry-After, Allow, Location). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'PoApiError';
  }

  envelope(nowMs: number): ErrorEnvelope {
    return errorEnvelope(this.code, this.message, this.details, nowMs);
  }
}

export function successEnvelope(data: unknown, message: string, nowMs: number): SuccessEnvelope {
  return { success: true, data, message, timestamp: isoSeconds(nowMs) };
}

export function errorEnvelope(code: string, message: string, details: FieldErrors, nowMs: number): ErrorEnvelope {
  return { success: false, error: { code, message, details }, timestamp: isoSeconds(nowMs) };
}

export const poErrors = {
  validation: (details: FieldErrors): PoApiError => new PoApiError(400, 'VALIDATION_ERROR', 'Invalid request data', details),
  parse: (detail: string): PoApiError => new PoApiError(400, 'PARSE_ERROR', `JSON parse error - ${detail}`),
  notAuthenticated: (): PoApiError =>
    new PoApiError(401, 'AUTHENTICATION_ERROR', 'Authentication credentials were not provided.', {}, { 'WWW-Authenticate': 'Bearer realm="api"' }),
  invalidToken: (): PoApiError => new PoApiError(401, 'AUTHENTICATION_ERROR', 'Invalid token.', {}, { 'WWW-Authenticate': 'Bearer realm="api"' }),
  expiredToken: (): PoApiError => new PoApiError(401, 'AUTHENTICATION_ERROR', 'Token has expired.', {}, { 'WWW-Authenticate': 'Bearer realm="api"' }),
  badCredentials: (): PoApiError => new PoApiError(401, 'AUTHENTICATION_ERROR', 'Invalid username or password.'),
  notFound: (): PoApiError => new PoApiError(404, 'NOT_FOUND', 'Not found.'),
  invalidPage: (): PoApiError => new PoApiError(404, 'NOT_FOUND', 'Invalid page.'),
  methodNotAllowed: (method: string, allowed: string[]): PoApiError =>
    new PoApiError(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`, {}, { Allow: allowed.join(', ') }),
  unsupportedMediaType: (type: string): PoApiError => new PoApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Unsupported media type "${type}" in request.`),
  payloadTooLarge: (limit: number): PoApiError => new PoApiError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes.`),
  rateLimited: (retryAfterSeconds: number): PoApiError =>
    new PoApiError(
      429,
      'RATE_LIMIT_EXCEEDED',
      `Request was throttled. Expected available in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
      {},
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  /** Emulator controls only: the simulated chain event does not fit the order's state. */
  invalidState: (message: string): PoApiError => new PoApiError(409, 'INVALID_STATE', message),
  internal: (message: string): PoApiError => new PoApiError(500, 'INTERNAL_ERROR', message),
  status: (status: number): PoApiError => {
    const [code, message] = STATUS_TEXT[status] ?? ['ERROR', `HTTP ${status}`];
    return new PoApiError(status, code, message);
  },
};

const STATUS_TEXT: Readonly<Record<number, readonly [string, string]>> = {
  400: ['BAD_REQUEST', 'Bad request.'],
  401: ['AUTHENTICATION_ERROR', 'Authentication credentials were not provided.'],
  403: ['PERMISSION_DENIED', 'You do not have permission to perform this action.'],
  404: ['NOT_FOUND', 'Not found.'],
  409: ['CONFLICT', 'Conflict.'],
  429: ['RATE_LIMIT_EXCEEDED', 'Request was throttled.'],
  500: ['INTERNAL_ERROR', 'A server error occurred.'],
  502: ['BAD_GATEWAY', 'Bad gateway.'],
  503: ['SERVICE_UNAVAILABLE', 'Service temporarily unavailable, try again later.'],
  504: ['GATEWAY_TIMEOUT', 'Gateway timeout.'],
};
