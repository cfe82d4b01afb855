/**
 * Which callback paths would take requests away from the editor and admin API. When
 * httpNodeRoot and httpAdminRoot overlap, the callback's guard sits in front of the admin app,
 * so a callback at /flows would swallow every deploy. The admin app is built from sub-apps
 * Express does not let us look into, so what they serve is listed here, read from Node-RED's
 * editor-api (3.x to 5.x: admin/index.js, editor/index.js, index.js) and the files of
 * editor-client/public; routes nodes add (RED.httpAdmin) and routes on the admin app itself
 * are read from Express at deploy time.
 */
import { joinPaths, stackOf } from './raw-body';
import type { ExpressApp, ExpressLayer } from './red';

/** First path segments the editor and admin API serve below httpAdminRoot. */
export const ADMIN_SEGMENTS: ReadonlySet<string> = new Set([
  // admin API (editor-api/lib/admin)
  'flows', 'flow', 'nodes', 'context', 'settings', 'plugins', 'diagnostics',
  // login and tokens (editor-api/lib/index.js, auth)
  'auth',
  // editor (editor-api/lib/editor): icons, module resources, theme, projects, locales, library, credentials
  'icons', 'resources', 'theme', 'projects', 'locales', 'library', 'credentials',
  // static editor files (editor-client/public)
  'red', 'vendor', 'types', 'favicon.ico',
]);

type MatchingLayer = ExpressLayer & { match?: (path: string) => boolean; regexp?: { fast_slash?: boolean }; slash?: boolean };

/** `fullPath` relative to the admin root, or undefined when the admin app never sees it. */
function underAdmin(adminRoot: string, fullPath: string): string | undefined {
  const root = joinPaths(adminRoot, '').toLowerCase();
  const path = fullPath.toLowerCase();
  if (root === '/') return path;
  if (path === root) return '/';
  return path.startsWith(`${root}/`) ? path.slice(root.length) : undefined;
}

/** Routes and mounted prefixes of an app Express lets us read, matched against `path`. */
function servedByStack(app: ExpressApp | undefined, path: string): boolean {
  for (const layer of (app ? (stackOf(app) ?? []) : []) as MatchingLayer[]) {
    if (typeof layer.match !== 'function') continue;
    // A middleware mounted at the admin root runs for every path without serving it.
    const everywhere = !layer.route && (layer.regexp?.fast_slash === true || layer.slash === true);
    if (!everywhere && layer.match(path)) return true;
  }
  return false;
}

/**
 * The admin path a callback at `fullPath` (as the root app sees it) would shadow, or
 * undefined when it is clear of the editor and admin API.
 */
export function shadowedAdminPath(settings: { httpAdminRoot?: unknown }, httpAdmin: ExpressApp | undefined, fullPath: string): string | undefined {
  if (settings.httpAdminRoot === false) return undefined;
  const adminRoot = typeof settings.httpAdminRoot === 'string' ? settings.httpAdminRoot : '/';
  const rel = underAdmin(adminRoot, fullPath);
  if (rel === undefined) return undefined;
  const shown = joinPaths(adminRoot, rel);
  if (rel === '/') return shown; // the editor itself
  const first = rel.split('/')[1] ?? '';
  if (ADMIN_SEGMENTS.has(first)) return shown;
  // Node routes on RED.httpAdmin (e.g. /inject/:id, /debug/view/…), then the apps above it.
  for (let app = httpAdmin; app; app = app.parent?.parent ? app.parent : undefined) {
    if (servedByStack(app, rel)) return shown;
  }
  return undefined;
}
