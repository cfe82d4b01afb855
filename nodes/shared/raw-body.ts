/**
 * Signatures are computed over the exact bytes the gateway sent, but in a real Node-RED the
 * editor's JSON parser sits in front of every httpNode route when both share a root and would
 * consume the body first. Like core http-in (4.1+), one guard middleware is hoisted to the top
 * of the root Express app. For a POST to a registered callback path it either
 *  - answers the request itself ("direct": only where Node-RED runs nothing else before the
 *    node routes, see http-node-rules.ts), reading the body with bounded work, or
 *  - marks the request as parsed, unread, so no parser on the way takes the body, and lets
 *    Express route it through Node-RED's own auth and middleware to the node's route, which
 *    reads it there.
 * Matching is exact (case and all): anything else is none of our business and goes on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from './bounded-body';
import type { BodyOutcome, BodyRules } from './bounded-body';
import type { ExpressApp, ExpressLayer } from './red';

export interface RawBodyRequest extends IncomingMessage {
  body?: unknown;
  _body?: boolean;
  skipRawBodyParser?: boolean;
}

/** Answers a request the guard read itself, with plain Node request/response objects. */
export type DirectHandler = (req: RawBodyRequest, res: ServerResponse, outcome: BodyOutcome) => void;

type GuardedRoute = { direct: DirectHandler; rules: BodyRules } | { direct?: undefined };

interface Guard {
  /** Full request path (httpNodeRoot + node path) → how it is answered. */
  routes: Map<string, GuardedRoute>;
  middleware: (req: RawBodyRequest, res: ServerResponse, next: (err?: unknown) => void) => void;
}

const guards = new WeakMap<ExpressApp, Guard>();

export function normalizePath(path: string): string {
  const clean = `/${path}`.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return clean === '' ? '/' : clean;
}

export function joinPaths(root: string, path: string): string {
  return normalizePath(`${root}/${path}`);
}

/** The key a request path is matched by: as sent on the wire (percent-encoded), no trailing slash. */
function routeKey(path: string): string {
  let encoded = path;
  try {
    encoded = encodeURI(decodeURI(path));
  } catch {
    // a path with a stray % stays as typed
  }
  return normalizePath(encoded);
}

/** Whether this request's path is exactly `fullPath` (Express's own matching ignores case). */
export function isExactPath(req: IncomingMessage & { originalUrl?: string }, fullPath: string): boolean {
  return pathnameOf(req.originalUrl ?? req.url ?? '/') === routeKey(fullPath);
}

function rootOf(app: ExpressApp): ExpressApp {
  let current = app;
  while (current.parent) current = current.parent;
  return current;
}

export function stackOf(app: ExpressApp): ExpressLayer[] | undefined {
  // Express 4 keeps the router at _router; Express 5 renamed it to router.
  const internals = app as { _router?: { stack: ExpressLayer[] }; router?: { stack: ExpressLayer[] } };
  return internals._router?.stack ?? internals.router?.stack;
}

function pathnameOf(url: string): string {
  const q = url.indexOf('?');
  return normalizePath(q === -1 ? url : url.slice(0, q));
}

function installGuard(root: ExpressApp): Guard {
  const existing = guards.get(root);
  if (existing) return existing;
  const routes = new Map<string, GuardedRoute>();
  const middleware: Guard['middleware'] = (req, res, next) => {
    if (req.method !== 'POST' || routes.size === 0) return next();
    const route = routes.get(pathnameOf(req.url ?? '/'));
    if (route === undefined) return next();
    // Body parsers (body-parser checks _body, core's raw parser skipRawBodyParser) leave it alone.
    req._body = true;
    req.skipRawBodyParser = true;
    if (!route.direct) return next();
    const { direct, rules } = route;
    readBoundedBody(req, res, rules, (outcome) => direct(req, res, outcome));
  };
  root.use(middleware as never);
  const stack = stackOf(root);
  if (stack) {
    const at = stack.findIndex((layer) => layer.handle === middleware);
    if (at > 0) stack.unshift(...stack.splice(at, 1));
  }
  const guard = { routes, middleware };
  guards.set(root, guard);
  return guard;
}

/** The root app's guard middleware, to tell it apart from what others put in front of the node routes. */
export function guardOf(httpNode: ExpressApp): unknown {
  return guards.get(rootOf(httpNode))?.middleware;
}

/**
 * Guards POSTs to `fullPath`: answered by `direct` when given, else left unread for the
 * node's Express route. Returns the function that stops it.
 */
export function guardCallbackPath(httpNode: ExpressApp, fullPath: string, route: GuardedRoute): () => void {
  const guard = installGuard(rootOf(httpNode));
  const key = routeKey(fullPath);
  guard.routes.set(key, route);
  return () => {
    if (guard.routes.get(key) === route) guard.routes.delete(key);
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
