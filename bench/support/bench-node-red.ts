/**
 * The Node-RED every bench measures: a real runtime (scripts/node-red-runner) in its own user
 * directory, with this checkout installed as a package, the bench driver node available, and
 * pinned to the measured CPU.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { CPU, ROOT, pin } from './machine';
import type { LoadRun } from './stats';

export const PACKAGE_NAME = '@paywire/node-red-crypto-payments';

export interface BenchNodeRedOptions {
  flows: FlowNode[];
  credentials?: Record<string, Record<string, string>>;
  /** Environment of the runtime ($env / env.get in flows). */
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Leave this checkout out (to time Node-RED without it). */
  withoutPackage?: boolean;
  /** Install the package from this folder (package.json + dist/, e.g. an earlier build) instead of this checkout. */
  packageRoot?: string;
  settings?: Record<string, unknown>;
}

export interface BenchNodeRed {
  url: string;
  nodeRed: NodeRedProcess;
  pid: number;
  /**
   * One closed-loop run of the driver node `driverId` (`payload` replaces its configured one).
   * A failed message fails the run unless `allowErrors`; a lost one (neither completed nor
   * failed) `graceMs` after the run (default 30 s) always does, with the in-flight dump.
   */
  drive(driverId: string, concurrency: number, durationMs: number, payload?: unknown, options?: { allowErrors?: boolean; graceMs?: number }): Promise<LoadRun & { lastError: string }>;
  /** Runs `work` with the runtime's CPU profiled, and writes the profile to `file` (when given). */
  profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** Node-RED only loads a nodesDir node that has an .html beside its .js. */
function writeBenchNodes(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const nodes: Array<[type: string, compiled: string, definition: string]> = [
    ['paywire-bench-driver', 'load-driver.js', "defaults: { payload: { value: '{}' } }, inputs: 1, outputs: 1"],
    // Registered by load-driver.js as well: a node doing nothing, Node-RED's own per-message floor.
    ['paywire-bench-noop', 'load-driver.js', 'defaults: {}, inputs: 1, outputs: 1'],
    ['paywire-bench-rows', 'rows-source.js', 'defaults: {}, inputs: 1, outputs: 1'],
  ];
  const html = new Map<string, string>();
  for (const [type, compiled, definition] of nodes) {
    html.set(compiled, `${html.get(compiled) ?? ''}<script type="text/javascript">RED.nodes.registerType('${type}', { category: 'bench', ${definition} });</script>\n`);
  }
  for (const [compiled, scripts] of html) {
    const name = compiled.replace(/\.js$/, '');
    const file = path.join(ROOT, 'dist', 'bench', 'nodes', compiled);
    fs.writeFileSync(path.join(dir, `${name}.js`), `module.exports = require(${JSON.stringify(file)});\n`);
    fs.writeFileSync(path.join(dir, `${name}.html`), scripts);
  }
}

/**
 * Node-RED takes a node without x/y for a config node (started in dependency order, its string
 * properties read as references); flow nodes get a place on a grid.
 */
function placed(flows: FlowNode[]): FlowNode[] {
  return flows.map((node, i) => (node.z !== undefined && node.x === undefined ? { x: 150 + 200 * (i % 5), y: 60 + 60 * Math.floor(i / 5), ...node } : node));
}

/** Waits until Node-RED has started every driver of a deploy (it answers the deploy before that). */
async function driversStarted(url: string, ids: string[], timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const id of ids) {
    while ((await fetch(`${url}/paywire-bench/${id}`)).status !== 204) {
      if (Date.now() > until) throw new Error(`driver ${id} did not start within ${timeoutMs} ms of the deploy`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function admin(url: string, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
}

export async function startBenchNodeRed(options: BenchNodeRedOptions): Promise<BenchNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-bench-'));
  if (!options.withoutPackage) linkPackage(userDir, options.packageRoot ?? ROOT, PACKAGE_NAME);
  const nodesDir = path.join(userDir, 'bench-nodes');
  writeBenchNodes(nodesDir);
  let nodeRed: NodeRedProcess;
  try {
    nodeRed = await startNodeRed({
      userDir,
      port: await freePort(),
      nodeArgs: options.nodeArgs ?? [],
      env: options.env ?? {},
      settings: { nodesDir, logging: { console: { level: 'warn' } }, ...options.settings },
    });
  } catch (err) {
    fs.rmSync(userDir, { recursive: true, force: true });
    throw err;
  }
  const pid = nodeRed.child.pid!;
  pin(pid, CPU.subject);
  const stop = async (): Promise<void> => {
    await nodeRed.stop();
    fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    await deployFlows(nodeRed.url, placed(options.flows), options.credentials ?? {});
    await driversStarted(nodeRed.url, options.flows.filter((node) => node.type === 'paywire-bench-driver').map((node) => node.id));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: nodeRed.url,
    nodeRed,
    pid,
    stop,
    async profiled(file, work) {
      if (!file) return work();
      await admin(nodeRed.url, '/paywire-bench/profile/start', {});
      try {
        return await work();
      } finally {
        await admin(nodeRed.url, '/paywire-bench/profile/stop', { path: file });
      }
    },
    async drive(driverId, concurrency, durationMs, payload, options = {}) {
      const res = await fetch(`${nodeRed.url}/paywire-bench/${driverId}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ concurrency, durationMs, payload, ...options }),
      });
      const body = (await res.json()) as LoadRun & { lastError: string; error?: string };
      if (!res.ok) throw new Error(`driver ${driverId}: ${body.error ?? res.status}\n${nodeRed.output().slice(-1500)}`);
      return body;
    },
  };
}
