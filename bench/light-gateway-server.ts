/**
 * The light gateway: a Cryptopay stand-in that does as little as a server can, so a bench
 * measures the client and not the gateway (the full emulator spends over 100 µs of CPU per
 * invoice and caps the raw loop). It answers
 *   POST /api/invoices     the recorded 201 of a real invoice create (test/fixtures), every time
 *   GET  /api/transactions pages of 50 prebuilt ledger rows, `starting_after` as the cursor
 *   GET  /_light/state     its counters and the requests it holds (for a lost-completion dump)
 * and, for the completion tests, can stall (never answer) or abort (drop the connection) every
 * Nth request. It checks only that a request carries an HMAC Authorization and a Date header.
 *
 * Run as its own process by bench/light-gateway.ts: `node light-gateway-server.js <options JSON>`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ledgerRow } from './support/ledger-row';

export interface LightGatewayOptions {
  port: number;
  /** Ledger rows GET /api/transactions serves (in pages of 50). */
  rows?: number;
  /** Never answer every Nth request (0 = never). */
  stallEvery?: number;
  /** Drop the connection of every Nth request without an answer (0 = never). */
  abortEvery?: number;
}

const ROOT = path.resolve(__dirname, '..', '..');
const PAGE = 50;

function recordedInvoiceCreate(): string {
  const file = path.join(ROOT, 'test', 'fixtures', 'cryptopay', 'recorded', 'ruby-sdk-2021-2023.json');
  const recordings = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ name: string; status: number; responseBody: string }>;
  const create = recordings.find((r) => r.name === 'invoices/create' && r.status === 201);
  if (!create) throw new Error(`no recorded invoices/create in ${file}`);
  return create.responseBody;
}

/** Ledger pages as the bytes they go out as, and which page follows which row id. */
function ledgerPages(rows: number): { first: Buffer; after: Map<string, Buffer> } {
  const ids = Array.from({ length: rows }, () => randomUUID());
  const pages: Buffer[] = [];
  const after = new Map<string, Buffer>();
  for (let start = 0; start < Math.max(rows, 1); start += PAGE) {
    const data = ids.slice(start, start + PAGE).map((id, i) => ledgerRow(start + i, id));
    const page = Buffer.from(JSON.stringify({ data, meta: { total: rows, has_more: start + PAGE < rows } }));
    if (start > 0) after.set(ids[start - 1]!, page);
    pages.push(page);
  }
  return { first: pages[0]!, after };
}

interface Held {
  seq: number;
  method: string;
  url: string;
  since: number;
}

export function serveLightGateway(options: LightGatewayOptions): http.Server {
  const invoice = Buffer.from(recordedInvoiceCreate());
  const ledger = ledgerPages(options.rows ?? 0);
  const unauthorized = Buffer.from('{"error":{"code":"unauthorized","message":"missing HMAC signature"}}');
  const notFound = Buffer.from('{"error":{"code":"not_found","message":"not served by the light gateway"}}');
  const counters = { requests: 0, answered: 0, stalled: 0, aborted: 0 };
  const held = new Map<number, Held>();

  const answer = (res: http.ServerResponse, status: number, body: Buffer): void => {
    counters.answered += 1;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/_light/state') {
      const now = Date.now();
      const list = [...held.values()].map((h) => ({ seq: h.seq, request: `${h.method} ${h.url}`, heldMs: now - h.since }));
      return answer(res, 200, Buffer.from(JSON.stringify({ ...counters, held: list })));
    }
    const seq = ++counters.requests;
    // Read (and drop) the body before answering, as any server does.
    req.on('data', () => undefined);
    req.on('end', () => {
      if (options.abortEvery && seq % options.abortEvery === 0) {
        counters.aborted += 1;
        req.socket.destroy();
        return;
      }
      if (options.stallEvery && seq % options.stallEvery === 0) {
        counters.stalled += 1;
        held.set(seq, { seq, method: req.method ?? '?', url, since: Date.now() });
        res.once('close', () => held.delete(seq));
        return;
      }
      const auth = req.headers.authorization;
      if (!auth || !auth.startsWith('HMAC ') || !req.headers.date) return answer(res, 401, unauthorized);
      if (req.method === 'POST' && url === '/api/invoices') return answer(res, 201, invoice);
      if (req.method === 'GET' && url.startsWith('/api/transactions')) {
        const cursor = url.includes('?') ? new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('starting_after') : null;
        const page = cursor === null ? ledger.first : ledger.after.get(cursor);
        if (page) return answer(res, 200, page);
      }
      answer(res, 404, notFound);
    });
  });
  server.keepAliveTimeout = 120_000;
  return server;
}

if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? '{}') as LightGatewayOptions;
  const server = serveLightGateway(options);
  server.listen(options.port, '127.0.0.1', () => console.log(`light gateway listening on ${options.port}`));
  process.on('SIGTERM', () => process.exit(0));
}
