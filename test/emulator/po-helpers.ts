// Test-side client for the payment-orders emulator: plain HTTP with a bearer token, written from
// shared/reference/payment-orders.md without lib/ or the emulator's own code.
import assert from 'node:assert/strict';
import { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import type { PaymentOrdersEmulatorOptions } from '../../emulator/payment-orders';
import { rawRequest } from './helpers';
import type { HttpResult } from './helpers';

export const PO_USER = 'merchant';
export const PO_PASSWORD = 'merchant-pass';
export const PO_API_KEY = 'po-api-key';
export const PO_WEBHOOK_SECRET = 'po-webhook-secret';

/** Unix seconds of the reference's example, for a deterministic emulator clock. */
export const EPOCH_MS = Date.UTC(2024, 0, 1, 10, 0, 0);

export const ISO_SECONDS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export async function startPoEmulator(options: PaymentOrdersEmulatorOptions = {}): Promise<PaymentOrdersEmulator> {
  const emulator = new PaymentOrdersEmulator({ timeScale: 0.001, ...options });
  await emulator.start(0);
  return emulator;
}

export interface PoCallOptions {
  /** Bearer token or API key; omitted = no Authorization header. */
  token?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One request; objects are JSON-encoded, strings sent verbatim. */
export function po(base: string, method: string, target: string, payload?: unknown, o: PoCallOptions = {}): Promise<HttpResult> {
  const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { Accept: 'application/json', ...(o.headers ?? {}) };
  if (text.length > 0) headers['Content-Type'] = o.contentType ?? 'application/json';
  if (o.token !== undefined) headers.Authorization = `Bearer ${o.token}`;
  return rawRequest(base, method, target, headers, text.length > 0 ? text : undefined);
}

export async function login(base: string, username = PO_USER, password = PO_PASSWORD): Promise<string> {
  const res = await po(base, 'POST', '/api/auth/login', { username, password });
  assert.equal(res.status, 200, res.text);
  const token = (res.json as { data: { token: string } }).data.token;
  assert.equal(typeof token, 'string');
  return token;
}

export interface PoSuccess<T> {
  success: true;
  data: T;
  message: string;
  timestamp: string;
}

export interface PoErrorBody {
  success: false;
  error: { code: string; message: string; details: Record<string, string[]> };
  timestamp: string;
}

/** `data` of a success envelope with this status. */
export function ok<T = Record<string, any>>(res: HttpResult, status = 200): T {
  assert.equal(res.status, status, res.text);
  const body = res.json as PoSuccess<T>;
  assert.equal(body.success, true, res.text);
  assert.equal(typeof body.message, 'string');
  assert.match(body.timestamp, ISO_SECONDS_RE);
  return body.data;
}

export function fails(res: HttpResult, status: number, code: string): PoErrorBody['error'] {
  assert.equal(res.status, status, res.text);
  const body = res.json as PoErrorBody;
  assert.equal(body.success, false, res.text);
  assert.equal(body.error.code, code, res.text);
  assert.equal(typeof body.error.message, 'string');
  assert.equal(typeof body.error.details, 'object');
  assert.match(body.timestamp, ISO_SECONDS_RE);
  return body.error;
}

export interface Page<T = Record<string, any>> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

let nonceSeq = 1_640_995_200_000_000;

export function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  nonceSeq += 1;
  return { amount: '100.00', currency: 'USDC', blockchain: 'base', order_info: '{"product": "Premium Plan", "quantity": 1}', nonce: nonceSeq, ...overrides };
}

export async function createOrder(base: string, token: string, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return ok(await po(base, 'POST', '/api/payment-orders/', orderBody(overrides), { token }), 201);
}

export interface PoFixture {
  emu: PaymentOrdersEmulator;
  /** The emulator clock in ms; back to EPOCH_MS before each test. */
  clock: number;
}

/** One emulator for a describe block, on a test-controlled clock, reset before each test. */
export function usePoEmulator(options: PaymentOrdersEmulatorOptions = {}): PoFixture {
  const fx = { clock: EPOCH_MS } as PoFixture;
  before(async () => {
    fx.emu = await startPoEmulator({ now: () => fx.clock, ...options });
  });
  after(() => fx.emu.stop());
  beforeEach(() => {
    fx.clock = EPOCH_MS;
    fx.emu.reset();
  });
  return fx;
}
