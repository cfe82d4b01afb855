/**
 * Signatures are computed over the exact bytes the gateway sent, but in a real Node-RED
 * the editor's JSON parser sits in front of every httpNode route and would consume the
 * body first. Like core http-in (4.1+), we hoist one capture middleware to the top of the
 * root Express app; it reads the body of our registered callback paths into a Buffer and
 * marks the request as parsed so later parsers leave it alone. A route may also hand the
 * request straight to its handler from there, skipping Express's routing through the editor
 * and node apps (most of the cost of a small POST).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExpressApp, ExpressLayer } from './red';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface RawBodyRequest extends IncomingMessage {
  paywireRawBody?: Buffer;
  paywireRawBodyError?: 'too_large' | 'aborted';
  body?: unknown;
  _body?: boolean;
  skipRawBodyParser?: boolean;
}

/** Answers a captured request itself, with plain Node request/response objects. */
export type DirectHandler = (req: RawBodyRequest, res: ServerResponse) => void;

interface CapturedRoute {
  limit: number;
  direct?: DirectHandler | undefined;
}

interface Capture {
  /** Full request path (httpNodeRoot + node path) → body size limit and direct handler. */
  routes: Map<string, CapturedRoute>;
  middleware: (req: RawBodyRequest, res: ServerResponse, next: (err?: unknown) => void) => void;
}

const captures = new WeakMap<ExpressApp, Capture>();

export function normalizePath(path: string): string {
  const clean = `/${path}`.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return clean === '' ? '/' : clean;
}

export function joinPaths(root: string, path: string): string {
  return normalizePath(`${root}/${path}`);
}

function rootOf(app: ExpressApp): ExpressApp {
  let current = app;
  while (current.parent) current = current.parent;
  return current;
}

function stackOf(app: ExpressApp): ExpressLayer[] | undefined {
  // Express 4 keeps the router at _router; Express 5 renamed it to router.
  const internals = app as { _router?: { stack: ExpressLayer[] }; router?: { stack: ExpressLayer[] } };
  return internals._router?.stack ?? internals.router?.stack;
}

function pathnameOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    // leave undecodable paths as they are; they will not match a route
  }
  return normalizePath(path);
}

function readBody(req: RawBodyRequest, limit: number, done: () => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.paywireRawBodyError = 'too_large';
    req.resume();
    return done();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    done();
  };
  req.on('data', (chunk: Buffer) => {
    if (req.paywireRawBodyError) return;
    size += chunk.length;
    if (size > limit) {
      req.paywireRawBodyError = 'too_large';
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (!req.paywireRawBodyError) req.paywireRawBody = Buffer.concat(chunks, size);
    finish();
  });
  req.on('aborted', () => {
    req.paywireRawBodyError = 'aborted';
    finish();
  });
  req.on('error', () => {
    req.paywireRawBodyError ??= 'aborted';
    finish();
  });
}

function installCapture(root: ExpressApp): Capture {
  const existing = captures.get(root);
  if (existing) return existing;
  const routes = new Map<string, CapturedRoute>();
  const middleware: Capture['middleware'] = (req, res, next) => {
    if (req.method !== 'POST' || routes.size === 0) return next();
    const route = routes.get(pathnameOf(req));
    if (route === undefined) return next();
    readBody(req, route.limit, () => {
      // Mark as parsed so body-parser (which checks _body) and core's raw parser skip it.
      req._body = true;
      req.skipRawBodyParser = true;
      req.body = req.paywireRawBody ?? Buffer.alloc(0);
      if (route.direct) route.direct(req, res);
      else next();
    });
  };
  root.use(middleware as never);
  const stack = stackOf(root);
  if (stack) {
    const at = stack.findIndex((layer) => layer.handle === middleware);
    if (at > 0) stack.unshift(...stack.splice(at, 1));
  }
  const capture = { routes, middleware };
  captures.set(root, capture);
  return capture;
}

/**
 * Captures raw bodies for POSTs to `fullPath`, then lets Express route them on, or, with
 * `direct`, answers them there; returns the function that stops it.
 */
export function captureRawBody(httpNode: ExpressApp, fullPath: string, limit = DEFAULT_BODY_LIMIT, direct?: DirectHandler): () => void {
  const capture = installCapture(rootOf(httpNode));
  const key = normalizePath(fullPath);
  capture.routes.set(key, { limit, direct });
  return () => {
    capture.routes.delete(key);
  };
}

/** Removes every route this handler registered on the app (Node-RED has no unroute API). */
export function removeRoute(app: ExpressApp, path: string, handler: unknown): void {
  const stack = stackOf(app);
  if (!stack) return;
  for (let i = stack.length - 1; i >= 0; i--) {
    const layer = stack[i];
    if (layer?.route?.path !== path) continue;
    const routeStack = (layer.route as { stack?: Array<{ handle: unknown }> }).stack ?? [];
    if (routeStack.some((l) => l.handle === handler)) stack.splice(i, 1);
  }
}

/** The path the root app sees for `path` on this app: every mount path above it, joined. */
export function mountedPath(app: ExpressApp, path: string): string {
  let prefix = '';
  let current: ExpressApp | undefined = app;
  while (current?.parent) {
    const mount = (current as { mountpath?: unknown }).mountpath;
    if (typeof mount === 'string') prefix = joinPaths(mount, prefix);
    current = current.parent;
  }
  return joinPaths(prefix, path);
}
