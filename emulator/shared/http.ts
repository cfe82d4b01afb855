// The HTTP floor every emulator stands on: raw body with a size limit, JSON/HTML answers, socket
// bookkeeping for "nothing left behind", the seeded fault plan in front, and a small segment router
// (optionally with Django's trailing-slash rules). Hand-written rather than a framework so that every
// answer, even a 413 or a routing 404, carries the emulated gateway's own envelope and headers.
import http from 'node:http';
import type net from 'node:net';
import type { FaultGate } from './faults';

export const MAX_BODY_BYTES = 1_048_576;

export interface EmulatorRequest {
  method: string;
  /** Raw request-target (path + "?query"). */
  target: string;
  path: string;
  /** Percent-decoded, non-empty path segments. */
  segments: string[];
  /** The path ends with "/". */
  trailingSlash: boolean;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body was larger than the limit and was discarded. */
  tooLarge: boolean;
  remoteAddress: string;
}

export interface EmulatorResponse {
  status: number;
  json?: unknown;
  html?: string;
  headers?: Record<string, string>;
  /** Destroy the socket instead of answering (fault injection). */
  drop?: boolean;
}

export type EmulatorHandler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

/** How one emulator's answers look where the handler does not say. */
export interface ServerOptions {
  /** The answer for anything the handler throws or rejects with. */
  fallback: (err: unknown) => EmulatorResponse;
  /** Headers on every answer (the handler's own win). */
  baseHeaders: Record<string, string>;
  /** Content-Type of a JSON answer. */
  jsonContentType: string;
  maxBodyBytes?: number;
  /** The seeded fault plan in front of the handler (emulator/shared/faults.ts). */
  faults?: FaultGate;
}

/** A percent-decoded path segment; a malformed escape is kept as sent (and then not found). */
function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function toRequest(req: http.IncomingMessage, body: Buffer, tooLarge: boolean): EmulatorRequest {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    target,
    path,
    segments: path.split('/').filter((s) => s.length > 0).map(decodeSegment),
    trailingSlash: path.endsWith('/') && path.length > 1,
    query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
    headers: req.headers,
    body,
    tooLarge,
    remoteAddress: req.socket.remoteAddress ?? 'unknown',
  };
}

function send(res: http.ServerResponse, out: EmulatorResponse, options: ServerOptions): void {
  if (res.headersSent || res.destroyed) return;
  if (out.drop) {
    res.socket?.destroy();
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...options.baseHeaders, ...(out.headers ?? {}) };
  let payload: Buffer | undefined;
  if (out.json !== undefined) {
    payload = Buffer.from(JSON.stringify(out.json), 'utf8');
    headers['Content-Type'] = options.jsonContentType;
  } else if (out.html !== undefined) {
    payload = Buffer.from(out.html, 'utf8');
    headers['Content-Type'] = 'text/html; charset=utf-8';
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  else if (out.status !== 204 && out.status !== 304) headers['Content-Length'] = '0';
  res.writeHead(out.status, headers);
  res.end(payload);
}

export class EmulatorHttpServer {
  private server: http.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly maxBodyBytes: number;
  private readonly faults: FaultGate | undefined;

  constructor(
    private readonly handler: EmulatorHandler,
    private readonly options: ServerOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.faults = options.faults;
  }

  /** The size limit a request body is held to (a larger one arrives with `tooLarge`). */
  get bodyLimit(): number {
    return this.maxBodyBytes;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  listen(port: number, host: string): Promise<number> {
    if (this.server) return Promise.reject(new Error('emulator already started'));
    const server = http.createServer({ keepAlive: true }, (req, res) => {
      if (this.faults) this.faults.serve(req, res, () => this.onRequest(req, res));
      else this.onRequest(req, res);
    });
    server.keepAliveTimeout = 5000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise<number>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting connections and destroys every open socket (keep-alive included). */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.maxBodyBytes) {
        tooLarge = true;
        chunks.length = 0;
        // keep draining so the 413 can be read; give up on absurd uploads
        if (size > this.maxBodyBytes * 8) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      /* client went away */
    });
    req.on('end', () => {
      const request = toRequest(req, tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge);
      let result: EmulatorResponse | Promise<EmulatorResponse>;
      try {
        result = this.handler(request);
      } catch (err) {
        send(res, this.options.fallback(err), this.options);
        return;
      }
      Promise.resolve(result).then(
        (out) => send(res, out, this.options),
        (err: unknown) => send(res, this.options.fallback(err), this.options),
      );
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Routing

export interface RouteMatch<C> {
  route: Route<C>;
  params: Record<string, string>;
}

export interface Route<C> {
  method: string;
  /** Literal segments, or ":name" for a parameter. */
  pattern: readonly string[];
  /** true: the path may be given with or without the final "/" (login, controls). */
  slashOptional?: boolean;
  /** Whether the route wants credentials (decides 401 before 404/405 where a gateway does that). */
  auth?: boolean;
  handler: (ctx: C, params: Record<string, string>) => EmulatorResponse | Promise<EmulatorResponse>;
}

export function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const p = pattern[i] ?? '';
    const s = segments[i] ?? '';
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return null;
  }
  return params;
}

/** A route matched by a regular expression over the raw path; its groups are the parameters. */
export interface PathRoute {
  method: string;
  path: RegExp;
}

/**
 * The first route whose path and method match, with its percent-decoded groups; 'method' when
 * only the path matches, 'none' when nothing does.
 */
export function resolvePathRoute<R extends PathRoute>(routes: readonly R[], req: EmulatorRequest): { route: R; params: string[] } | 'method' | 'none' {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.path.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (route.method === req.method) return { route, params: m.slice(1).map(decodeSegment) };
  }
  return pathMatched ? 'method' : 'none';
}

export type RouteResult<C> =
  | { kind: 'match'; match: RouteMatch<C> }
  /** The path needs a trailing slash (Django APPEND_SLASH → 301). */
  | { kind: 'redirect'; location: string; auth: boolean }
  | { kind: 'method'; allowed: string[]; auth: boolean }
  | { kind: 'none' };

/**
 * The first route matching path and method. With `appendSlash` (Django's rule) a path must end in
 * "/" unless the route says `slashOptional`, and one that lacks it is redirected; without it the
 * final "/" does not matter.
 */
export function resolveRoute<C>(routes: readonly Route<C>[], req: EmulatorRequest, appendSlash = true): RouteResult<C> {
  const allowed: string[] = [];
  let auth = false;
  let redirect = false;
  let found: RouteMatch<C> | null = null;
  for (const route of routes) {
    const params = matchPattern(route.pattern, req.segments);
    if (!params) continue;
    if (appendSlash && !req.trailingSlash && !route.slashOptional) {
      redirect = true;
      continue;
    }
    auth ||= route.auth === true;
    if (!allowed.includes(route.method)) allowed.push(route.method);
    if (route.method === req.method && !found) found = { route, params };
  }
  if (found) return { kind: 'match', match: found };
  if (allowed.length > 0) return { kind: 'method', allowed, auth };
  if (redirect) {
    const q = req.target.indexOf('?');
    return { kind: 'redirect', location: `${req.path}/${q < 0 ? '' : req.target.slice(q)}`, auth: false };
  }
  return { kind: 'none' };
}
