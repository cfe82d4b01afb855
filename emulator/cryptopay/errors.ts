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
};
