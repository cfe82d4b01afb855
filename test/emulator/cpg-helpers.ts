// Test-side signer and helpers for the CPG emulator tests. The signer is written here from
// reference §2.3, apart from both lib/ and emulator/, so the emulator is checked against a third
// implementation.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { CpgEmulator } from '../../emulator/cpg';
import type { CpgEmulatorOptions } from '../../emulator/cpg';
import { rawRequest } from './helpers';
import type { HttpResult } from './helpers';

export const CPG_KEY = 'cpg-test-key';
export const CPG_SECRET = 'cpg-test-secret';
export const CPG_WEBHOOK_SECRET = 'cpg-test-webhook-secret';
/** A whole epoch minute (…:00) in 2027, so tests can place requests inside a minute. */
export const MINUTE_START_MS = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);

export function cpgSignature(secret: string, timestamp: string, method: string, path: string, query: string, body: string): string {
  const bodyHash = createHash('sha256').update(body, 'utf8').digest('hex');
  return createHmac('sha256', secret).update([timestamp, method, path, query, bodyHash].join('\n'), 'utf8').digest('hex');
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms = MINUTE_START_MS + 10_000) {}
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

export async function startCpg(options: CpgEmulatorOptions = {}): Promise<CpgEmulator> {
  const emulator = new CpgEmulator({ keys: [{ keyId: CPG_KEY, secret: CPG_SECRET }], timeScale: 0.001, ...options });
  await emulator.start(0);
  return emulator;
}

export interface CpgCallOptions {
  key?: string;
  secret?: string;
  /** X-CPG-Timestamp in Unix seconds; default the clock's. */
  timestamp?: number | string;
  clock?: () => number;
  /** Headers to leave out. */
  omit?: Array<'x-cpg-key' | 'x-cpg-timestamp' | 'x-cpg-signature'>;
  /** Send this instead of the computed signature. */
  signature?: string;
  /** Sign these instead of what is sent. */
  signPath?: string;
  signQuery?: string;
  signBody?: string;
}

/** A signed request; `payload` objects are sent as JSON, strings verbatim. */
export function cpgApi(base: string, method: string, target: string, payload?: unknown, o: CpgCallOptions = {}): Promise<HttpResult> {
  const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  const timestamp = String(o.timestamp ?? Math.floor((o.clock ?? Date.now)() / 1000));
  const signature = o.signature ?? cpgSignature(o.secret ?? CPG_SECRET, timestamp, method, o.signPath ?? path, o.signQuery ?? query, o.signBody ?? text);
  const headers: Record<string, string> = { 'X-CPG-Key': o.key ?? CPG_KEY, 'X-CPG-Timestamp': timestamp, 'X-CPG-Signature': signature };
  if (text.length > 0) headers['Content-Type'] = 'application/json';
  for (const h of o.omit ?? []) for (const k of Object.keys(headers)) if (k.toLowerCase() === h) delete headers[k];
  return rawRequest(base, method, target, headers, text.length > 0 ? text : undefined);
}

export interface CpgEnvelope<T = any> {
  success: boolean;
  message: string;
  data: T;
  data_count?: number;
  next_cursor?: number | null;
  has_more?: boolean;
}

/** Asserts a 2xx envelope and returns it. */
export function okEnvelope<T = any>(res: HttpResult, status = 200): CpgEnvelope<T> {
  assert.equal(res.status, status, res.text);
  const env = res.json as CpgEnvelope<T>;
  assert.equal(env.success, true, res.text);
  assert.equal(env.message, 'OK');
  return env;
}

/** Asserts exactly `{success:false, message}` with this status and message. */
export function expectCpgError(res: HttpResult, status: number, message: string | RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.json as object).sort(), ['message', 'success'], res.text);
  const env = res.json as { success: boolean; message: string };
  assert.equal(env.success, false);
  if (typeof message === 'string') assert.equal(env.message, message);
  else assert.match(env.message, message);
}
