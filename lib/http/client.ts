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
    // One controller per request, its timer cleared and its listener removed when the request
    // ends. (AbortSignal.any over a caller's long-lived signal plus AbortSignal.timeout kept
    // every request's signals alive: a 100,000-row export grew by ~50 MB.)
    const controller = new AbortController();
    let timedOut = false;
    const timeoutMs = Math.max(1, Math.min(request.timeoutMs ?? this.options.timeoutMs, this.options.timeoutMs));
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const forwardAbort = (): void => controller.abort();
    if (request.signal?.aborted) controller.abort();
    else request.signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      const res = await this.pool.request({
        method: request.method,
        path: this.pathPrefix + request.target,
        headers: request.headers,
        body: request.body ?? null,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const body = await readLimited(res.body, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, this.options.serviceName);
      return { status: res.statusCode, headers: res.headers, body };
    } catch (err) {
      throw this.toTransportError(err, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', forwardAbort);
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

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number, serviceName: string): Promise<Buffer> {
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
