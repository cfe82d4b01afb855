/**
 * Node-RED's HTTP settings as core http-in applies them to its routes: httpNodeMiddleware
 * (a function or an array) on each route, httpNodeAuth (and the older httpAuth) in front of
 * the whole node app. The callback's fast path skips both, so it is only taken where it is
 * provably the same: no middleware, no auth, and nothing else in the root app that would run
 * for the callback path before the node routes.
 */
import type { RequestHandler } from 'express';
import { guardOf, joinPaths, stackOf } from './raw-body';
import type { ExpressApp, ExpressLayer } from './red';

export interface HttpSettings {
  httpNodeMiddleware?: unknown;
  httpNodeAuth?: unknown;
  httpAuth?: unknown;
  httpNodeCors?: unknown;
}

export interface HttpNodeRules {
  /** Runs on the callback route before the body is read, as on core http-in routes. */
  middleware: RequestHandler[];
  /** Why the request must go through Express; undefined when the fast path is equivalent. */
  routedBecause: string | undefined;
}

/** httpNodeMiddleware exactly as core http-in takes it: a function or an array, anything else ignored. */
function middlewareOf(settings: HttpSettings): RequestHandler[] {
  const value = settings.httpNodeMiddleware;
  if (typeof value === 'function') return [value as RequestHandler];
  if (Array.isArray(value)) return value.flat(Infinity) as RequestHandler[];
  return [];
}

/** Root-app layers known to do nothing for a POST before the node routes: Express's own, body captures, static files (GET/HEAD only). */
const HARMLESS = new Set(['query', 'expressInit', 'rawBodyCapture', 'serveStatic']);

type MatchingLayer = ExpressLayer & { name?: string; match?: (path: string) => boolean };

/** The app directly mounted on the root app that holds `app` (itself when mounted there). */
function mountOf(app: ExpressApp | undefined): ExpressApp | undefined {
  let current = app;
  while (current?.parent?.parent) current = current.parent;
  return current?.parent ? current : undefined;
}

function covers(app: ExpressApp | undefined, fullPath: string): boolean {
  const mount = (app as { mountpath?: unknown } | undefined)?.mountpath;
  if (typeof mount !== 'string') return false;
  const root = joinPaths(mount, '');
  return root === '/' || fullPath.toLowerCase() === root.toLowerCase() || fullPath.toLowerCase().startsWith(`${root.toLowerCase()}/`);
}

/** What in the root app would run for this path before the node routes and is not accounted for. */
function unknownLayers(httpNode: ExpressApp, httpAdmin: ExpressApp | undefined, fullPath: string): string[] {
  const nodeMount = mountOf(httpNode);
  const root = nodeMount?.parent ?? httpNode;
  const stack = (stackOf(root) ?? []) as MatchingLayer[];
  const adminMount = mountOf(httpAdmin);
  // The node app's mount, and the admin app's when it covers the path (it serves none of it: admin-paths.ts).
  let mountsAllowed = 1 + (adminMount && adminMount !== nodeMount && covers(adminMount, fullPath) ? 1 : 0);
  const guard = guardOf(httpNode);
  const unknown: string[] = [];
  for (const layer of stack) {
    if (layer.route || layer.handle === guard || HARMLESS.has(layer.name ?? '')) continue;
    if (typeof layer.match === 'function' && !layer.match(fullPath)) continue;
    if (layer.name === 'mounted_app' && mountsAllowed > 0) {
      mountsAllowed--;
      continue;
    }
    unknown.push(layer.name || 'anonymous middleware');
  }
  return unknown;
}

export function httpNodeRules(settings: HttpSettings, httpNode: ExpressApp, httpAdmin: ExpressApp | undefined, fullPath: string): HttpNodeRules {
  const middleware = middlewareOf(settings);
  let routedBecause: string | undefined;
  if (middleware.length > 0) routedBecause = 'httpNodeMiddleware';
  else if (settings.httpNodeAuth || settings.httpAuth) routedBecause = 'httpNodeAuth';
  else {
    const unknown = unknownLayers(httpNode, httpAdmin, fullPath);
    if (unknown.length > 0) routedBecause = `middleware in front of the node routes (${unknown.join(', ')})`;
  }
  return { middleware, routedBecause };
}
