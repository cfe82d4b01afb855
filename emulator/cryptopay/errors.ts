// Cryptopay error envelope (reference §8.1):
// {"error":{"code","message","details":[{code,target,message,args?}]},"meta":{"request_id":"<32 hex>"}}
import { randomBytes } from 'node:crypto';

export interface ErrorDetail {
  code: string;
  target: string;
  message: string;
  args?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  envelope(requestId: string = newRequestId()): ErrorEnvelope {
    return errorEnvelope(this.code, this.message, this.details, requestId);
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details: ErrorDetail[] };
  meta: { request_id: string };
}

export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

export function errorEnvelope(code: string, message: string, details: ErrorDetail[] = [], requestId: string = newRequestId()): ErrorEnvelope {
  return { error: { code, message, details }, meta: { request_id: requestId } };
}

// Known codes (reference §8.3) and the emulator's documented assumptions (emulator/README.md).
export const errors = {
  unauthenticated: (): ApiError => new ApiError(401, 'unauthenticated', 'unauthenticated'),
  notFound: (): ApiError => new ApiError(404, 'not_found', 'not found'),
  duplicateCustomId: (): ApiError => new ApiError(409, 'duplicate_custom_id', 'duplicate custom id'),
  invalid: (details: ErrorDetail[]): ApiError => new ApiError(422, 'invalid', 'invalid', details),
  // assumption: 429 body uses the standard envelope with this code
  rateLimited: (): ApiError => new ApiError(429, 'rate_limit_exceeded', 'rate limit exceeded'),
  // assumption: malformed JSON → 400 bad_request
  malformedJson: (): ApiError =>
    new ApiError(400, 'bad_request', 'bad request', [{ code: 'malformed_json', target: 'body', message: 'must be a valid JSON object' }]),
  payloadTooLarge: (limit: number): ApiError =>
    new ApiError(413, 'payload_too_large', 'payload too large', [
      { code: 'must_be_less_than_or_equal', target: 'body', message: `must be at most ${limit} bytes`, args: { value: limit } },
    ]),
  methodNotAllowed: (): ApiError => new ApiError(405, 'method_not_allowed', 'method not allowed'),
  // assumption: an operation not allowed in the invoice's current status → 422 invalid_status
  invalidStatus: (status: string, statusContext: string | null, expected: string): ApiError =>
    new ApiError(422, 'invalid_status', 'invalid status', [
      {
        code: 'invalid_status',
        target: 'status',
        message: `invoice is ${statusContext ? `${status}/${statusContext}` : status}; ${expected}`,
        args: { status, status_context: statusContext },
      },
    ]),
  // assumption: commit of an already committed recalculation → 409 already_committed
  alreadyCommitted: (): ApiError => new ApiError(409, 'already_committed', 'already committed'),
  // assumption: commit more than 30 s after creation → 409 expired
  expired: (): ApiError => new ApiError(409, 'expired', 'expired'),
  internal: (): ApiError => new ApiError(500, 'internal_error', 'internal error'),
  /** Insufficient balance (reference §8.3): value = the balance of the debited account. */
  insufficientBalance: (target: string, balance: string): ApiError =>
    new ApiError(422, 'invalid', 'invalid', [
      { code: 'must_be_less_than_or_equal', target, message: `must be less than or equal to ${balance}`, args: { value: balance } },
    ]),
  /** Minimum payout, 5 EUR equivalent (reference §4.6). */
  belowMinimum: (target: string, minimum: string): ApiError =>
    new ApiError(422, 'invalid', 'invalid', [
      { code: 'must_be_greater_than_or_equal', target, message: `must be greater than or equal to ${minimum}`, args: { value: minimum } },
    ]),
  /** Screened destination (reference §8.3): long human message, no details. */
  highRiskAddress: (message: string): ApiError => new ApiError(422, 'high_risk_address', message),
  // assumption: a lifecycle change that is not allowed from the current status → 422 invalid_status
  invalidTransition: (resource: string, from: string, to: string): ApiError =>
    new ApiError(422, 'invalid_status', 'invalid status', [
      { code: 'invalid_status', target: 'status', message: `${resource} is ${from}; cannot change to ${to}`, args: { status: from, to } },
    ]),
  /** Fault injection (status mode) and anything else answering a bare status. */
  status: (status: number): ApiError => {
    const [code, message] = STATUS_CODES[status] ?? ['error', `http ${status}`];
    return new ApiError(status, code, message);
  },
};

const STATUS_CODES: Readonly<Record<number, readonly [string, string]>> = {
  400: ['bad_request', 'bad request'],
  401: ['unauthenticated', 'unauthenticated'],
  403: ['unauthorized', 'unauthorized'],
  404: ['not_found', 'not found'],
  409: ['conflict', 'conflict'],
  422: ['invalid', 'invalid'],
  429: ['rate_limit_exceeded', 'rate limit exceeded'],
  500: ['internal_error', 'internal error'],
  502: ['bad_gateway', 'bad gateway'],
  503: ['service_unavailable', 'service unavailable'],
  504: ['gateway_timeout', 'gateway timeout'],
};
