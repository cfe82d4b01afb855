/**
 * Every failure Paywire reports is one of these. Messages are written for the person
 * reading a Catch node's output: what failed, why, and what to do. They never contain
 * credentials, signatures or request headers.
 */

export interface ErrorDetail {
  /** Machine-readable problem, e.g. `must_be_uuid`. */
  code: string;
  /** The field the problem is about, where the gateway says. */
  field?: string;
  message: string;
  args?: Record<string, unknown>;
}

export abstract class PaywireError extends Error {
  /** Stable code a flow can branch on (`msg.error.code` after a Catch node). */
  abstract readonly code: string;
  /** True when sending the same request again may succeed. */
  readonly retryable: boolean = false;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message or node configuration is wrong; nothing was sent to the gateway. */
export class InputError extends PaywireError {
  readonly code = 'invalid_input';
  constructor(
    message: string,
    readonly fields: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** Longest text taken from a gateway's answer into a message (gateways echo what they got). */
const MAX_ECHOED_TEXT = 300;

function clipEchoed(text: string): string {
  return text.length > MAX_ECHOED_TEXT ? `${text.slice(0, MAX_ECHOED_TEXT - 1)}… (${text.length} characters)` : text;
}

/** The gateway answered with an error. */
export class GatewayError extends PaywireError {
  readonly code: string;
  override readonly retryable: boolean;
  readonly provider: string;
  readonly httpStatus: number;
  readonly details: ErrorDetail[];
  readonly requestId: string | undefined;
  readonly attempts: number;
  /** The gateway's own message, before this error's wording was put around it. */
  readonly gatewayMessage: string;

  constructor(init: {
    provider: string;
    httpStatus: number;
    code: string;
    message: string;
    details?: ErrorDetail[];
    requestId?: string | undefined;
    /** How many attempts were made before giving up (shown when more than one). */
    attempts?: number | undefined;
    /** Paywire's own advice after the gateway's words, never clipped (e.g. how to look up what a lost create may have made). */
    note?: string | undefined;
  }) {
    const details = init.details ?? [];
    const detailText = details
      .map((d) => clipEchoed(d.field ? `${d.field} ${d.message}` : d.message))
      .join('; ');
    const where = init.requestId ? ` (request ${init.requestId})` : '';
    const said =
      `${init.provider} rejected the request: ${init.httpStatus} ${init.code}` +
      (init.message && init.message !== init.code ? ` - ${clipEchoed(init.message)}` : '') +
      (detailText ? `: ${detailText}` : '') +
      where +
      attemptsNote(init.attempts);
    super(init.note ? `${said}${said.endsWith('.') ? '' : '.'} ${init.note}` : said);
    this.provider = init.provider;
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.details = details;
    this.requestId = init.requestId;
    this.attempts = init.attempts ?? 1;
    this.gatewayMessage = init.message;
    this.retryable = init.httpStatus === 429 || init.httpStatus >= 500;
  }
}

/** The gateway could not be reached, or did not answer in time. */
export class TransportError extends PaywireError {
  override readonly retryable = true;
  /**
   * False only when the request failed before a single byte was written (refused connection,
   * unknown host, connect timeout): then even a payout without an idempotency key can be sent
   * again. Anything else may have reached the gateway.
   */
  readonly sent: boolean;
  constructor(
    readonly code: 'timeout' | 'network_error',
    message: string,
    options?: { cause?: unknown; sent?: boolean },
  ) {
    super(message, options);
    this.sent = options?.sent ?? true;
  }
}

/** The shared rate-limit queue for one API key is full; the request was not sent. */
export class RateLimitQueueFullError extends PaywireError {
  readonly code = 'rate_limit_queue_full';
  override readonly retryable = true;
  constructor(
    service: string,
    readonly maxQueue: number,
  ) {
    super(
      `${service} rate limit: ${maxQueue} requests are already waiting for this API key, so this one was not sent. ` +
        'Slow the flow down (e.g. a delay node in rate-limit mode) or raise "Queue at most" on the gateway.',
    );
  }
}

export function attemptsNote(attempts: number | undefined): string {
  return attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';
}

/** The gateway answered 2xx with something we cannot trust: bad JSON or an unexpected shape. */
export class ResponseFormatError extends PaywireError {
  readonly code = 'unexpected_response';
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

/** An incoming callback failed verification; `httpStatus` is what to answer the sender. */
export class CallbackRejectedError extends PaywireError {
  readonly code: 'bad_signature' | 'malformed_callback' | 'payload_too_large' | 'unsupported_media_type';
  constructor(
    code: CallbackRejectedError['code'],
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.code = code;
  }
}

/** One field where an existing object differs from the request that met its idempotency key. */
export interface ReplayDifference {
  field: string;
  requested: string;
  existing: string;
}

/**
 * A create met its idempotency key already used, by an object that differs from this request in
 * what matters (amount, currencies, address, network, customer). Nothing was created or paid
 * again, and nothing is reported as done: the flow gets this error, not the other object.
 */
export class IdempotencyConflictError extends PaywireError {
  readonly code = 'idempotency_conflict';
  constructor(
    readonly provider: string,
    /** The key field and its value, e.g. custom_id "order-1". */
    readonly keyField: string,
    readonly key: string,
    /** The existing object, e.g. `withdrawal 86a94c44-…`. */
    readonly existingObject: string,
    readonly differences: readonly ReplayDifference[],
  ) {
    const listed = differences.map((d) => `${d.field}: this request ${d.requested}, existing ${d.existing}`).join('; ');
    super(
      `${provider}: ${keyField} ${JSON.stringify(key)} already belongs to ${existingObject}, which differs from this request (${listed}). ` +
        `Nothing was created or paid again. Send the original details again, or use a new ${keyField} for a new request.`,
    );
  }
}

/**
 * A callback whose signature checks out but whose type, status or shape Paywire does not know.
 * It is answered 2xx (the gateway stops retrying) and handed to Catch with the parsed body as
 * msg.payload, so nothing the gateway vouched for is dropped.
 */
export class UnexpectedCallbackError extends PaywireError {
  readonly code = 'unexpected_callback';
  constructor(provider: string, problem: string) {
    // The problem quotes names from the body, which can be of any length.
    super(`${provider} callback is correctly signed, but ${clipEchoed(problem)}; it was acknowledged and handed to Catch, not to the output (msg.payload is the body)`);
  }
}

/** A plain, secret-free summary for `msg.error`-style output and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
