// Test-side HTTP client and callback receiver for the emulator tests.
// The request signer here is written separately from both lib/ and emulator/ (reference §3.1),
// so the tests check the emulator against a third implementation.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const KEY = 'emu-key';
export const SECRET = 'emu-secret';
export const CALLBACK_SECRET = 'emu-callback-secret';

export function testSign(secret: string, method: string, target: string, body: string, contentType: string, date: string): string {
  const md5 = body.length > 0 ? createHash('md5').update(body, 'utf8').digest('hex') : '';
  return createHmac('sha1', secret).update(`${method}\n${md5}\n${contentType}\n${date}\n${target}`, 'utf8').digest('base64');
}

export function hmacSha256Hex(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface ErrorBody {
  error: { code: string; message: string; details: Array<{ code: string; target: string; message: string; args?: Record<string, unknown> }> };
  meta: { request_id: string };
}

export interface Invoice {
  id: string;
  custom_id: string | null;
  customer_id: string | null;
  status: string;
  status_context: string | null;
  address: string;
  network: string;
  uri: string;
  price_amount: string;
  price_currency: string;
  pay_amount: string;
  pay_currency: string;
  fee: string;
  fee_currency: string;
  paid_amount: string;
  exchange?: { pair: string; rate: string; fee: string; fee_currency: string };
  transactions: Array<{ txid: string; risk: { score: number; level: string; resource_name: string; resource_category: string } | null }>;
  metadata: Record<string, string> | null;
  hosted_page_url: string;
  created_at: string;
  expires_at: string;
  [key: string]: unknown;
}

/** Narrowing cast for response bodies in tests. */
export function body<T>(res: HttpResult): T {
  return res.json as T;
}

export function data<T>(res: HttpResult): T {
  return (res.json as { data: T }).data;
}

export function rawRequest(base: string, method: string, target: string, headers: Record<string, string>, payload?: string | Buffer): Promise<HttpResult> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: target, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface SignOptions {
  key?: string;
  secret?: string;
  /** Date header value; default: emulator clock (clock option) as RFC 1123. */
  date?: string;
  clock?: () => number;
  contentType?: string;
  /** Sign this target instead of the one sent. */
  signTarget?: string;
  /** Sign this body instead of the one sent. */
  signBody?: string;
  /** Headers to leave out. */
  omit?: Array<'authorization' | 'date' | 'content-type'>;
  /** Replace the Authorization header. */
  authorization?: string;
}

/** Signed API request. `payload` objects are JSON-encoded; strings are sent verbatim. */
export function api(base: string, method: string, target: string, payload?: unknown, o: SignOptions = {}): Promise<HttpResult> {
  const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
  const contentType = o.contentType ?? 'application/json';
  const date = o.date ?? new Date((o.clock ?? Date.now)()).toUTCString();
  const signature = testSign(o.secret ?? SECRET, method, o.signTarget ?? target, o.signBody ?? text, contentType, date);
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    Date: date,
    Authorization: o.authorization ?? `HMAC ${o.key ?? KEY}:${signature}`,
  };
  for (const h of o.omit ?? []) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === h) delete headers[k];
  }
  return rawRequest(base, method, target, headers, text.length > 0 ? text : undefined);
}

/** Unauthenticated JSON request (control endpoints). */
export function control(base: string, method: string, target: string, payload?: unknown): Promise<HttpResult> {
  const text = payload === undefined ? undefined : JSON.stringify(payload);
  return rawRequest(base, method, target, text ? { 'Content-Type': 'application/json' } : {}, text);
}

export interface ReceivedCallback {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Local callback receiver; `respond` picks the status code for the n-th request (0-based). */
export class Receiver {
  readonly received: ReceivedCallback[] = [];
  respond: (n: number, body: string) => number = () => 200;
  /** Milliseconds to wait before answering the n-th request. */
  delay: (n: number) => number = () => 0;
  private server: http.Server | null = null;

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const n = this.received.length;
        this.received.push({ at: Date.now(), headers: req.headers, body: text });
        const answer = (): void => {
          if (res.destroyed) return;
          res.writeHead(this.respond(n, text), { 'Content-Type': 'text/plain' });
          res.end('ok');
        };
        const wait = this.delay(n);
        if (wait > 0) setTimeout(answer, wait);
        else answer();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  events(): string[] {
    return this.received.map((r) => (JSON.parse(r.body) as { event: string }).event);
  }
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function until(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Asserts an error envelope with this status and code (and a 32-hex request id). */
export function expectError(res: HttpResult, status: number, code: string): ErrorBody {
  assert.equal(res.status, status, res.text);
  const b = res.json as ErrorBody;
  assert.equal(b.error.code, code, res.text);
  assert.match(b.meta.request_id, /^[0-9a-f]{32}$/);
  return b;
}

/** `data` of a recorded response body string (see recorded.ts). */
export function recordedData<T = Record<string, unknown>>(text: string): T {
  return (JSON.parse(text) as { data: T }).data;
}

export interface ListResult<T> {
  data: T[];
  meta: { total: number; has_more: boolean };
}

export function list<T>(res: HttpResult): ListResult<T> {
  assert.equal(res.status, 200, res.text);
  return res.json as ListResult<T>;
}

export interface Transaction {
  id: string;
  custom_id: string | null;
  customer_id: string | null;
  amount: string;
  currency: string;
  balance: string;
  fee: string;
  fee_currency: string;
  reference_id: string;
  reference_type: string;
  description: string | null;
  status: string | null;
  status_context: string | null;
  risk: { level: string } | null;
  created_at: string;
}

export interface Withdrawal {
  id: string;
  custom_id: string | null;
  customer_id: string | null;
  address: string;
  network?: string;
  txid: string | null;
  status: string;
  charged_amount: string;
  charged_currency: string;
  received_amount: string;
  received_currency: string;
  network_fee: string;
  network_fee_level: string;
  fee: string;
  fee_currency: string;
  exchange: { pair: string; rate: string; fee: string; fee_currency: string } | null;
  risk: { level: string } | null;
  created_at: string;
  [key: string]: unknown;
}

/** Exact decimal strings → scaled bigints, to add up ledger amounts in tests without floats. */
export function sumDecimals(values: readonly string[]): string {
  const scale = 18;
  let total = 0n;
  for (const v of values) {
    const neg = v.startsWith('-');
    const [i = '0', f = ''] = (neg ? v.slice(1) : v).split('.');
    const units = BigInt(i + f.padEnd(scale, '0').slice(0, scale));
    total += neg ? -units : units;
  }
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, '0');
  const frac = digits.slice(-scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${frac === '' ? '0' : frac}`;
}
