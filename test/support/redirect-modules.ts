/**
 * Loaded by mocha before the tests (.mocharc.js). With PAYWIRE_NODE_RED_DIR set to another
 * install folder (.ci/run installs Node-RED 5, undici 8 and ioredis 6 in .ci/node-red-5 for the
 * Node 22 run), every `node-red`, `@node-red/*`, `undici` and `ioredis` request made by this
 * project resolves there instead of in the project's own node_modules, so the same compiled
 * suite runs against what a Node 22 user installs (undici 8 needs Node 22.19, so Node 20 users
 * keep undici 7; both ioredis majors are in the range, the lock file tests 5, this run 6).
 * Files inside that folder keep resolving normally. Without the variable this does nothing.
 */
import Module from 'node:module';
import path from 'node:path';

type Resolve = (request: string, parent: NodeJS.Module | undefined, isMain: boolean, options?: { paths?: string[] }) => string;

const REDIRECTED = /^(?:node-red|@node-red\/[^/]+|undici|ioredis)(?:\/.*)?$/;

export function redirectModules(dir: string): void {
  const root = path.resolve(dir);
  const loader = Module as unknown as { _resolveFilename: Resolve };
  const original = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, isMain, options) {
    const fromOutside = !parent?.filename || !parent.filename.startsWith(root + path.sep);
    if (REDIRECTED.test(request) && fromOutside) {
      return original.call(this, request, parent, isMain, { paths: [root] });
    }
    return original.call(this, request, parent, isMain, options);
  };
}

const dir = process.env.PAYWIRE_NODE_RED_DIR;
if (dir) redirectModules(dir);
