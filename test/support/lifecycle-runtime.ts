/**
 * A real Node-RED embedded in a process of its own (for the lifecycle test), which also
 * answers GET /__lifecycle with what that process holds: live async resources by type
 * (timers, sockets, servers; tracked from creation, so unref'd timers count too), what
 * process.getActiveResourcesInfo() reports, the routes on the httpNode, httpAdmin and root
 * routers, listeners on process, the runtime's event bus and the HTTP server, and the
 * gateway rate limiters in use.
 *
 *   node lifecycle-runtime.js <userDir> <port>
 *
 * Deploys go through the ordinary admin API. Prints "ready <port>" when listening.
 */
import { createHook } from 'node:async_hooks';
import http from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
// PAYWIRE_NODE_RED_DIR (the Node 22 run) reaches this process too: the same Node-RED as the suite.
import './redirect-modules';

// Before anything else: every async resource from now on, by type, until it is destroyed.
const live = new Map<number, string>();
// Where each live timer was made, so a count that differs can be explained (the test prints them).
const timerOrigins = new Map<number, string>();
// Short-lived requests, and resources destroyed only when garbage-collected (HTTP messages).
const IGNORED = new Set([
  'PROMISE', 'TickObject', 'Microtask', 'FSREQCALLBACK', 'FSREQPROMISE', 'GETADDRINFOREQWRAP', 'WRITEWRAP', 'SHUTDOWNWRAP',
  'TCPCONNECTWRAP', 'ZLIB', 'RANDOMBYTESREQUEST', 'FILEHANDLE', 'FILEHANDLECLOSEREQ', 'STATWATCHER', 'PBKDF2REQUEST', 'HTTPINCOMINGMESSAGE', 'HTTPCLIENTREQUEST', 'Immediate',
  'UNDICI_REQUEST', 'bound-anonymous-fn', 'JSSTREAM', 'TLSWRAP',
]);
createHook({
  init(id, type) {
    if (IGNORED.has(type)) return;
    live.set(id, type);
    if (type === 'Timeout') timerOrigins.set(id, timerOrigin(new Error().stack ?? ''));
  },
  destroy(id) {
    live.delete(id);
    timerOrigins.delete(id);
  },
}).enable();

/** The first frames of a timer's creation stack outside node's own timer code. */
function timerOrigin(stack: string): string {
  return stack
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => !l.includes('node:internal') && !l.includes('node:async_hooks') && !l.includes('lifecycle-runtime') && !l.includes('(node:timers'))
    .slice(0, 3)
    .join(' < ');
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  name?: string;
}
type App = Express & { _router?: { stack: Layer[] }; router?: { stack: Layer[] } };

function tally(items: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function routesOf(app: App): { layers: number; routes: string[] } {
  let stack: Layer[] = app._router?.stack ?? [];
  if (!app._router) {
    try {
      stack = app.router?.stack ?? []; // Express 5; Express 4 throws on app.router
    } catch {
      stack = [];
    }
  }
  return {
    layers: stack.length,
    routes: stack.filter((l) => l.route).map((l) => `${Object.keys(l.route!.methods).join(',').toUpperCase()} ${l.route!.path}`),
  };
}

function listenersOf(emitter: NodeJS.EventEmitter): Record<string, number> {
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
}

async function main(): Promise<void> {
  const [userDir, portText] = process.argv.slice(2);
  if (!userDir || !portText) throw new Error('usage: lifecycle-runtime <userDir> <port>');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as {
    init(server: http.Server, settings: Record<string, unknown>): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    httpAdmin: App;
    httpNode: App;
    events: NodeJS.EventEmitter;
  };
  // The same module instance Node-RED loads through the user directory's link (real paths).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const limiters = require(path.join(__dirname, '..', '..', 'lib', 'http', 'shared-limiters')) as { limitersInUse(): number };

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const express = require('express') as () => Express;
  const app = express() as App;
  const server = http.createServer(app);
  let started = 0;
  app.get('/__lifecycle', (req, res) => {
    // With --expose-gc and ?gc=1, heapUsed is what is still reachable.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (req.query.gc && gc) {
      gc();
      gc();
    }
    server.getConnections((_err, connections) => {
      res.json({
        started,
        async: tally(live.values()),
        active: tally(process.getActiveResourcesInfo()),
        connections,
        routes: { httpNode: routesOf(RED.httpNode), httpAdmin: routesOf(RED.httpAdmin).layers, root: routesOf(app).layers },
        listeners: { process: listenersOf(process), events: listenersOf(RED.events), server: listenersOf(server) },
        limitersInUse: limiters.limitersInUse(),
        heapUsed: process.memoryUsage().heapUsed,
        timers: tally(timerOrigins.values()),
      });
    });
  });
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: 'lifecycle-local-only',
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    uiHost: '127.0.0.1',
    editorTheme: { tours: false, projects: { enabled: false } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    logging: { console: { level: process.env.LIFECYCLE_LOG ?? 'warn', metrics: false, audit: false } },
  });
  app.use('/', RED.httpAdmin);
  app.use('/', RED.httpNode);
  RED.events.on('flows:started', () => {
    started++;
  });
  await new Promise<void>((resolve) => server.listen(Number(portText), '127.0.0.1', resolve));
  await RED.start();
  process.stdout.write(`ready ${portText}\n`);
  process.on('SIGTERM', () => {
    RED.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
