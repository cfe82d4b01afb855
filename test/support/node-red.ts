/**
 * Test harness: node-red-node-test-helper with a real HTTP server in front of RED.httpNode
 * (the helper's own httpNode is not served), optionally behind an "admin" app with a JSON
 * body parser, the way a real Node-RED mounts its editor before the node routes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helper from 'node-red-node-test-helper';
import type { NodeAPI } from 'node-red';
import gatewayNode from '../../nodes/paywire-gateway';
import invoiceNode from '../../nodes/paywire-invoice';
import callbackNode from '../../nodes/paywire-callback';
import statusNode from '../../nodes/paywire-status';
import withdrawNode from '../../nodes/paywire-withdraw';
import transactionsNode from '../../nodes/paywire-transactions';
import apiNode from '../../nodes/paywire-api';
import redisNode from '../../nodes/paywire-redis';

helper.init(require.resolve('node-red'));

export { helper };
export const PAYWIRE_NODES = [gatewayNode, invoiceNode, callbackNode, statusNode, withdrawNode, transactionsNode, apiNode, redisNode];

export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface LoadedFlow {
  RED: NodeAPI;
  /** Base URL of the server that serves RED.httpNode. */
  httpUrl: string;
  close(): Promise<void>;
}

export interface LoadOptions {
  /** Mount an admin app with bodyParser.json() before httpNode, like production Node-RED. */
  productionLike?: boolean;
  /** Mount path of httpNode on the root app (httpNodeRoot). */
  httpNodeRoot?: string;
  /** Extra node modules to load (core nodes such as catch). */
  extraNodes?: unknown[];
  /** Port for the httpNode server (default 0: any free port), for flows that name their own URL. */
  port?: number;
}

/** A port free right now on 127.0.0.1, for a flow that must know its URL before it loads. */
export async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Loads a flow and serves RED.httpNode over real HTTP before any node starts. */
export async function loadFlow(flow: FlowNode[], credentials: Record<string, Record<string, string>> = {}, options: LoadOptions = {}): Promise<LoadedFlow> {
  let captured: NodeAPI | undefined;
  let server: http.Server | undefined;
  const mount = (RED: NodeAPI): void => {
    captured = RED;
    const httpNode = (RED as unknown as { httpNode: express.Express }).httpNode;
    const root = express();
    // The helper's admin app parses JSON and forms at its top, as Node-RED's editor app does.
    if (options.productionLike) root.use('/', (RED as unknown as { httpAdmin: express.Express }).httpAdmin);
    root.use(options.httpNodeRoot ?? '/', httpNode);
    server = http.createServer(root);
  };
  await helper.load([mount, ...PAYWIRE_NODES, ...(options.extraNodes ?? [])] as never, flow, credentials);
  if (!captured || !server) throw new Error('flow did not initialise');
  const srv = server;
  await new Promise<void>((resolve) => srv.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  return {
    RED: captured,
    httpUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

/** Collects messages arriving at a helper node. */
export function collect(nodeId: string): { messages: Array<Record<string, unknown>>; next(count?: number, timeoutMs?: number): Promise<Array<Record<string, unknown>>> } {
  const node = helper.getNode(nodeId);
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  node.on('input', (msg: Record<string, unknown>) => {
    messages.push(msg);
    for (const w of waiters.splice(0)) w();
  });
  return {
    messages,
    next(count = 1, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} messages at ${nodeId}, got ${messages.length}`)), timeoutMs);
        const check = (): void => {
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve(messages.slice(0, count));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/**
 * Waits until each helper node has its expected number of messages, then a moment more, and
 * asserts that every listed node got exactly that many: which outputs got how many, not just
 * that the first n arrived. A node that must get nothing is listed with 0.
 */
export async function expectRouted(counts: Record<string, number>, collectors: Record<string, { messages: unknown[] }>, timeoutMs = 5000): Promise<void> {
  const missing = Object.keys(counts).filter((id) => !collectors[id]);
  if (missing.length > 0) throw new Error(`no collector for ${missing.join(', ')}`);
  const got = (): Record<string, number> => Object.fromEntries(Object.keys(counts).map((id) => [id, collectors[id]!.messages.length]));
  const started = Date.now();
  while (!Object.entries(counts).every(([id, n]) => collectors[id]!.messages.length >= n)) {
    if (Date.now() - started > timeoutMs) throw new Error(`routed ${JSON.stringify(got())}, expected ${JSON.stringify(counts)} (timed out)`);
    await delay(10);
  }
  // Node-RED delivers asynchronously: an extra message would arrive within this moment.
  await delay(100);
  const actual = got();
  if (JSON.stringify(actual) !== JSON.stringify(counts)) throw new Error(`routed ${JSON.stringify(actual)}, expected exactly ${JSON.stringify(counts)}`);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` is true (for "either this or that happened" waits). */
export async function waitUntil(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
