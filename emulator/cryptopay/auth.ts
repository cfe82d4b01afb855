// Request authentication, implemented independently from lib/ after reference §3.1:
//   string_to_sign = METHOD \n BODY_MD5 \n CONTENT_TYPE \n DATE \n REQUEST_URI
//   Authorization: HMAC <api_key>:<base64(HMAC-SHA1(api_secret, string_to_sign))>
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Lower-hex MD5 of the body bytes, or "" for an empty body (never the MD5 of ""). */
export function bodyMd5(body: Uint8Array): string {
  return body.length === 0 ? '' : createHash('md5').update(body).digest('hex');
}

export function stringToSign(method: string, body: Uint8Array, contentType: string, date: string, target: string): string {
  return [method.toUpperCase(), bodyMd5(body), contentType, date, target].join('\n');
}

/** Base64 HMAC-SHA1 signature the server expects for these request parts. */
export function expectedSignature(secret: string, method: string, body: Uint8Array, contentType: string, date: string, target: string): string {
  return createHmac('sha1', secret).update(stringToSign(method, body, contentType, date, target), 'utf8').digest('base64');
}

const AUTH_RE = /^HMAC ([^:\s]+):([A-Za-z0-9+/=]+)$/;

export function parseAuthorization(header: string | undefined): { apiKey: string; signature: string } | null {
  if (!header) return null;
  const m = AUTH_RE.exec(header.trim());
  if (!m || !m[1] || !m[2]) return null;
  return { apiKey: m[1], signature: m[2] };
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// RFC 1123 (padded or non-padded day, GMT/UTC) and RFC 2822 (numeric zone, e.g. +0000)
const RFC1123_RE = /^([A-Z][a-z]{2}), (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|UT|[+-]\d{4})$/;
// ISO 8601 / RFC 3339 with offset or Z, optional fraction
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

function offsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'GMT' || zone === 'UTC' || zone === 'UT') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return Number.NaN;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, zone: string): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const off = offsetMinutes(zone);
  if (Number.isNaN(off)) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59));
  const check = new Date(ms);
  if (check.getUTCDate() !== d) return null; // e.g. 31 Feb
  return ms - off * 60_000;
}

/** Parses the Date header formats the real server accepts (reference §3.1); ms since epoch or null. */
export function parseDateHeader(value: string | undefined): number | null {
  if (!value) return null;
  const text = value.trim();
  let m = RFC1123_RE.exec(text);
  if (m) {
    const [, day, d, mon, y, h, mi, s, zone] = m;
    if (!day || !DAYS.includes(day)) return null;
    const month = MONTHS.indexOf(mon ?? '');
    if (month < 0) return null;
    return utc(Number(y), month + 1, Number(d), Number(h), Number(mi), Number(s), zone ?? '');
  }
  m = ISO_RE.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, zone] = m;
    return utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), zone ?? '');
  }
  return null;
}

export interface VerifyInput {
  method: string;
  /** Raw request-target exactly as received (path + "?query"). */
  target: string;
  body: Uint8Array;
  contentType: string | undefined;
  date: string | undefined;
  authorization: string | undefined;
  credentials: ReadonlyMap<string, string>;
  nowMs: number;
  dateWindowSeconds: number;
}

export type VerifyResult =
  | { ok: true; apiKey: string; matchedTarget: 'raw' | 'decoded' }
  | { ok: false; reason: 'missing_authorization' | 'malformed_authorization' | 'unknown_key' | 'missing_date' | 'bad_date' | 'stale_date' | 'bad_signature' };

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function decodedTarget(target: string): string | null {
  try {
    const d = decodeURIComponent(target);
    return d === target ? null : d;
  } catch {
    return null;
  }
}

/**
 * Verifies a request. The signature is checked against the raw request-target first and, because
 * the Java SDK signs the percent-decoded path/query, against the decoded form as a fallback.
 * The Date must be within ±dateWindowSeconds of the emulator clock.
 */
export function verifyRequest(input: VerifyInput): VerifyResult {
  if (!input.authorization) return { ok: false, reason: 'missing_authorization' };
  const auth = parseAuthorization(input.authorization);
  if (!auth) return { ok: false, reason: 'malformed_authorization' };
  const secret = input.credentials.get(auth.apiKey);
  if (secret === undefined) return { ok: false, reason: 'unknown_key' };
  if (input.date === undefined || input.date === '') return { ok: false, reason: 'missing_date' };
  const dateMs = parseDateHeader(input.date);
  if (dateMs === null) return { ok: false, reason: 'bad_date' };
  if (Math.abs(input.nowMs - dateMs) > input.dateWindowSeconds * 1000) return { ok: false, reason: 'stale_date' };
  const contentType = input.contentType ?? '';
  const raw = expectedSignature(secret, input.method, input.body, contentType, input.date, input.target);
  if (sameSignature(raw, auth.signature)) return { ok: true, apiKey: auth.apiKey, matchedTarget: 'raw' };
  const decoded = decodedTarget(input.target);
  if (decoded !== null) {
    const alt = expectedSignature(secret, input.method, input.body, contentType, input.date, decoded);
    if (sameSignature(alt, auth.signature)) return { ok: true, apiKey: auth.apiKey, matchedTarget: 'decoded' };
  }
  return { ok: false, reason: 'bad_signature' };
}
