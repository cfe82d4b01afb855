/**
 * Preloaded into Node-RED (node --require) by bench/cold-start: times, inside the runtime,
 *  - each require() of one of our node files from outside the package (with everything it
 *    pulls in: lib/, zod, undici) and the call of its register function;
 *  - when Node-RED began loading node files (its first core node) and when it started
 *    listening (all node sets loaded and the runtime started).
 * Writes them as JSON to PAYWIRE_LOAD_PROBE_OUT. Bench-only; never part of the package.
 */
import fs from 'node:fs';
import http from 'node:http';
import Module from 'node:module';

interface ProbeReport {
  /** ms from process start (performance.now) */
  nodeLoadingStartMs: number | null;
  listeningMs: number | null;
  ourFiles: Array<{ file: string; requireMs: number; registerMs: number }>;
  /** First require of each package our files pull in (included in their requireMs). */
  dependencies: Record<string, number>;
  /** What nodes/shared/lazy-lib loads on first use (a node started, a catalog asked for), ms. */
  deferred: Record<string, number>;
}

const out = process.env.PAYWIRE_LOAD_PROBE_OUT;
// Node-RED 4 requires our node files through the package's node_modules link; Node-RED 5
// through the link's real path (the checkout). Either spelling marks one of our entry files;
// `file` is reported relative to the package root both ways.
const packageMarker = process.env.PAYWIRE_LOAD_PROBE_PACKAGE ?? '/@paywire/node-red-crypto-payments/';
const realRoot = process.env.PAYWIRE_LOAD_PROBE_ROOT;
function ourFile(request: string): string | undefined {
  if (!request.endsWith('.js')) return undefined;
  if (request.includes(packageMarker)) return request.slice(request.indexOf(packageMarker) + packageMarker.length);
  if (realRoot && request.startsWith(`${realRoot}/dist/nodes/`)) return request.slice(realRoot.length + 1);
  return undefined;
}
const report: ProbeReport = { nodeLoadingStartMs: null, listeningMs: null, ourFiles: [], dependencies: {}, deferred: {} };
const save = (): void => {
  if (out) fs.writeFileSync(out, JSON.stringify(report));
};

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const internals = Module as unknown as { _load: Load };
const originalLoad = internals._load;
let insideOurs = 0;

internals._load = function timedLoad(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
  if (report.nodeLoadingStartMs === null && request.includes('/@node-red/nodes/core/')) report.nodeLoadingStartMs = performance.now();
  const fromLazy = (parent as { filename?: string } | null)?.filename?.endsWith('/nodes/shared/lazy-lib.js') === true;
  if (fromLazy && !(request in report.deferred)) {
    const t0 = performance.now();
    try {
      return originalLoad.call(this, request, parent, isMain);
    } finally {
      report.deferred[request] = performance.now() - t0;
      save();
    }
  }
  const file = insideOurs === 0 ? ourFile(request) : undefined;
  const entry = file !== undefined;
  if (!entry) {
    const dependency = insideOurs > 0 && /^(@[\w.-]+\/)?[\w.-]+$/.test(request) && !(request in report.dependencies);
    if (!dependency) return originalLoad.call(this, request, parent, isMain);
    const t0 = performance.now();
    try {
      return originalLoad.call(this, request, parent, isMain);
    } finally {
      report.dependencies[request] = performance.now() - t0;
    }
  }
  insideOurs += 1;
  const started = performance.now();
  let exported: unknown;
  try {
    exported = originalLoad.call(this, request, parent, isMain);
  } finally {
    insideOurs -= 1;
  }
  const record = { file, requireMs: performance.now() - started, registerMs: 0 };
  report.ourFiles.push(record);
  save();
  if (typeof exported !== 'function') return exported;
  const register = exported as (...args: unknown[]) => unknown;
  return function timedRegister(this: unknown, ...args: unknown[]): unknown {
    const t0 = performance.now();
    try {
      return register.apply(this, args);
    } finally {
      record.registerMs += performance.now() - t0;
      save();
    }
  };
};

type Listen = (this: http.Server, ...args: unknown[]) => http.Server;
const server = http.Server.prototype as unknown as { listen: Listen };
const originalListen = server.listen;
server.listen = function timedListen(this: http.Server, ...args: unknown[]): http.Server {
  if (report.listeningMs === null) {
    report.listeningMs = performance.now();
    save();
  }
  return originalListen.apply(this, args);
};
