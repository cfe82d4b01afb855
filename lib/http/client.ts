/**
 * One keep-alive undici pool per gateway. Sends exactly the bytes it is given, so the
 * caller can sign them first; turns transport failures into typed, secret-free errors.
 */
import type * as Undici from 'undici';
import type { Dispatcher, Pool } from 'undici';
import { TransportError } from '../errors';

/**
 * undici is loaded with the first client, not with this module: Node-RED loads every node file
 * at start-up, undici was about half of this package's load time, and a flow that only takes
 * callbacks never sends a request.
 */
let undiciModule: typeof Undici | undefined;
function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (undiciModule ??= require('undici') as typeof Undici);
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path and query exactly as they go on the wire, e.g. `/api/invoices?starting_after=…`. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  signal?: AbortSignal | undefined;
  /** This attempt's deadline when shorter than the client's timeout (a retry near its request's deadline). */
  timeoutMs?: number | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpClientOptions {
  baseUrl: string;
  /** Whole-request deadline: connect, headers and body. */
  timeoutMs: number;
  /** Answers larger than this are cut off with an error (a gateway never sends megabytes). */
  maxResponseBytes?: number;
  connections?: number;
  /** Label used in error messages, e.g. `Cryptopay`. */
  serviceName: string;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Failures that happen before a request's first byte is written: nothing reached the server. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

/** What the retry layer needs from a transport; HttpClient is the real one, tests may fake it. */
export interface HttpSender {
  readonly origin: string;
  readonly pathPrefix: string;
  send(request: HttpRequest): Promise<HttpResponse>;
}

export class HttpClient implements HttpSender {
  readonly origin: string;
  /** Path prefix of the base URL (for gateways mounted below `/`), without a trailing slash. */
  readonly pathPrefix: string;
  private readonly pool: Pool;
  private readonly options: HttpClientOptions;
  private closed = false;

  constructor(options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`Base URL must be http or https, got ${url.protocol}`);
    }
    this.origin = url.origin;
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.options = options;
    this.pool = new (undici().Pool)(this.origin, {
      // Connections open only as needed; 16 made 64 messages in flight wait for a free one.
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connect: { timeout: Math.min(options.timeoutMs, 10_000) },
    });
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    if (this.closed) throw new TransportError('network_error', `${this.options.serviceName} client is closed`);
    const timeoutMs = Math.max(1, Math.min(request.timeoutMs ?? this.options.timeoutMs, this.options.timeoutMs));
    // Cancelled before it started: fails as a cancelled request always did, nothing is sent.
    if (request.signal?.aborted) throw this.toTransportError(new (undici().errors.RequestAbortedError)(), false, timeoutMs);
    // One cancel path per request: the deadline's timer or the caller's signal trips it, and
    // undici watches it (see RequestCancel).
    const cancel = new RequestCancel(request.signal, timeoutMs);
    try {
      const res = await this.pool.request({
        method: request.method,
        path: this.pathPrefix + request.target,
        headers: request.headers,
        body: request.body ?? null,
        signal: cancel,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await readLimited(res, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, this.options.serviceName);
      return { status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      throw this.toTransportError(err, cancel.timedOut, timeoutMs);
    } finally {
      cancel.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }

  private toTransportError(err: unknown, timedOut: boolean, timeoutMs: number): unknown {
    if (err instanceof TransportError) return err;
    const undiciErrors = undici().errors;
    const name = this.options.serviceName;
    const code = (err as { code?: unknown } | null)?.code;
    const sent = !(typeof code === 'string' && NOT_SENT_CODES.has(code));
    if (err instanceof undiciErrors.ConnectTimeoutError) {
      return new TransportError('timeout', `${name} did not accept a connection within ${timeoutMs} ms`, { cause: err, sent: false });
    }
    if (timedOut || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
      return new TransportError('timeout', `${name} did not answer within ${timeoutMs} ms`, { cause: err });
    }
    if (err instanceof Error && err.name === 'AbortError') {
      return new TransportError('network_error', `Request to ${name} was cancelled`, { cause: err });
    }
    const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : 'unknown error';
    return new TransportError('network_error', `Could not reach ${name} at ${this.origin}: ${reason}`, { cause: err, sent });
  }
}

/**
 * What undici watches to cancel one request, tripped by the request's deadline or by the
 * caller's signal. undici takes an EventEmitter-style signal (`on`/`once`/`removeListener`),
 * so this one small object replaces an AbortController (an EventTarget, costly to make) with
 * a listener forwarding the caller's abort to it; it listens to the caller's signal itself
 * (`handleEvent`), so no closure is made per request either. It has no `aborted` property on
 * purpose: undici 8 takes any object with one for a real AbortSignal.
 */
class RequestCancel {
  private tripped = false;
  timedOut = false;
  private listener: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly signal: AbortSignal | undefined,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(timeUp, timeoutMs, this);
    signal?.addEventListener('abort', this, { once: true });
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.trip();
  }

  trip(): void {
    if (this.tripped) return;
    this.tripped = true;
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }

  on(_event: 'abort', listener: () => void): this {
    this.listener = listener;
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    if (this.listener === listener) this.listener = undefined;
    return this;
  }

  /** The request ended: its timer and its listener on the caller's signal go. */
  release(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this);
    this.listener = undefined;
  }
}

function timeUp(cancel: RequestCancel): void {
  cancel.timedOut = true;
  cancel.trip();
}

/**
 * The whole answer, at most `limit` bytes. One that declares a length within the limit is read
 * by undici in one piece; one without a length (chunked) is counted as it comes.
 */
async function readLimited(res: Dispatcher.ResponseData, limit: number, serviceName: string): Promise<Buffer> {
  const body = res.body;
  const declared = Number(res.headers['content-length']);
  if (declared >= 0 && declared <= limit) return Buffer.from(await body.arrayBuffer());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      body.destroy();
      throw new TransportError('network_error', `${serviceName} sent more than ${limit} bytes; answer dropped`);
    }
    chunks.push(buf);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
