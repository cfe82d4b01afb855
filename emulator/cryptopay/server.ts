// HTTP plumbing: body reading with a size limit, JSON/HTML responses, routing, socket bookkeeping.
import http from 'node:http';
import type net from 'node:net';
import type { FaultGate } from '../shared/faults';
import { ApiError, errorEnvelope, errors } from './errors';

export const MAX_BODY_BYTES = 1_048_576;

export interface EmuRequest {
  method: string;
  /** Raw request-target as received (path + "?query"). */
  target: string;
  path: string;
  /** Percent-decoded path segments (empty segments dropped). */
  segments: string[];
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface EmuResponse {
  status: number;
  /** Destroy the socket instead of answering: the client gets no response bytes (fault injection). */
  drop?: boolean;
  json?: unknown;
  html?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface Route {
  method: string;
  /** Literal segments, or ":name" for a parameter. */
  pattern: readonly string[];
  handler: (req: EmuRequest, params: Record<string, string>) => EmuResponse | Promise<EmuResponse>;
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | null {
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

/** First route whose pattern and method match; 405 when only the path matches; 404 otherwise. */
export function dispatch(routes: readonly Route[], req: EmuRequest): EmuResponse | Promise<EmuResponse> {
  let pathMatched = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, req.segments);
    if (!params) continue;
    pathMatched = true;
    if (route.method === req.method) return route.handler(req, params);
  }
  throw pathMatched ? errors.methodNotAllowed() : errors.notFound();
}

/** Parses a JSON request body: undefined when empty; 400 bad_request unless it is a JSON object. */
export function jsonBody(req: EmuRequest): Record<string, unknown> | undefined {
  if (req.body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw errors.malformedJson();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.malformedJson();
  return parsed as Record<string, unknown>;
}

export function json(status: number, body?: unknown): EmuResponse {
  return body === undefined ? { status } : { status, json: body };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function toRequest(req: http.IncomingMessage, body: Buffer): EmuRequest {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  const segments = path.split('/').filter((s) => s.length > 0).map(decodeSegment);
  return { method: req.method ?? 'GET', target, path, segments, query, headers: req.headers, body };
}

function send(res: http.ServerResponse, out: EmuResponse): void {
  if (res.headersSent || res.destroyed) return;
  if (out.drop) {
    res.socket?.destroy();
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...(out.headers ?? {}) };
  let payload: Buffer | undefined;
  if (out.json !== undefined) {
    payload = Buffer.from(JSON.stringify(out.json), 'utf8');
    headers['Content-Type'] = 'application/json; charset=utf-8';
  } else if (out.html !== undefined) {
    payload = Buffer.from(out.html, 'utf8');
    headers['Content-Type'] = 'text/html; charset=utf-8';
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  else if (out.status !== 204 && out.status !== 304) headers['Content-Length'] = '0';
  res.writeHead(out.status, headers);
  res.end(payload);
}

function errorResponse(err: unknown): EmuResponse {
  if (err instanceof ApiError) return { status: err.status, json: err.envelope() };
  const e = errors.internal();
  const detail = err instanceof Error ? err.message : String(err);
  return { status: 500, json: errorEnvelope(e.code, e.message, [{ code: 'exception', target: 'server', message: detail }]) };
}

export class EmulatorServer {
  private server: http.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly handler: Handler,
    private readonly maxBodyBytes = MAX_BODY_BYTES,
    /** The seeded fault plan in front of the handler (emulator/shared/faults.ts). */
    private readonly faults?: FaultGate,
  ) {}

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
      if (tooLarge) {
        send(res, errorResponse(errors.payloadTooLarge(this.maxBodyBytes)));
        return;
      }
      const emuReq = toRequest(req, Buffer.concat(chunks));
      let result: EmuResponse | Promise<EmuResponse>;
      try {
        result = this.handler(emuReq);
      } catch (err) {
        send(res, errorResponse(err));
        return;
      }
      Promise.resolve(result).then(
        (out) => send(res, out),
        (err: unknown) => send(res, errorResponse(err)),
      );
    });
  }
}
