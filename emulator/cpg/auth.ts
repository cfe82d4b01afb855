// The HMAC middleware (reference §2–3), written from the reference and not from lib/:
//   canonical = timestamp \n METHOD \n path \n query \n hex(sha256(body))   (no trailing newline)
//   X-CPG-Signature = hex(HMAC-SHA256(secret, canonical))
// Checks run in a fixed order (README "Authentication"), each with its catalogue message.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatorRequest } from '../shared/http';
import { cpgErrors } from './envelope';
import type { ApiKey, KeyStore } from './keys';
import { normalizeIp } from './keys';
import { EpochMinuteCounter } from './ratelimit';

export const TIMESTAMP_WINDOW_SECONDS = 300;

export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The five signed lines; `query` is the raw query string as received, without "?". */
export function canonicalRequest(timestamp: string, method: string, path: string, query: string, body: Uint8Array): string {
  return `${timestamp}\n${method.toUpperCase()}\n${path}\n${query}\n${sha256Hex(body)}`;
}

export function signRequest(secret: string, canonical: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(canonical, 'utf8').digest('hex');
}

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}

export interface AuthOptions {
  keys: KeyStore;
  now(): number;
  /** true while the emulated auth backend is "down" (503). */
  authUnavailable(): boolean;
}

/** Signatures already accepted, each forgotten once its timestamp has left the window. */
class ReplayCache {
  private readonly expiry = new Map<string, number>();

  has(signature: string, nowMs: number): boolean {
    const until = this.expiry.get(signature);
    if (until === undefined) return false;
    if (until < nowMs) {
      this.expiry.delete(signature);
      return false;
    }
    return true;
  }

  remember(signature: string, timestampSeconds: number, nowMs: number): void {
    if (this.expiry.size > 10_000) for (const [sig, until] of this.expiry) if (until < nowMs) this.expiry.delete(sig);
    this.expiry.set(signature, (timestampSeconds + TIMESTAMP_WINDOW_SECONDS) * 1000);
  }

  clear(): void {
    this.expiry.clear();
  }

  get size(): number {
    return this.expiry.size;
  }
}

export class Authenticator {
  private readonly replays = new ReplayCache();
  private readonly perKey = new EpochMinuteCounter();
  private readonly counts = new Map<string, number>();

  constructor(private readonly opts: AuthOptions) {}

  /**
   * The middleware's checks for one request, in order; returns the key or throws the CpgError of
   * the first that fails. The endpoint's permission is checked after routing (index.ts).
   */
  check(req: EmulatorRequest): ApiKey {
    const keyId = single(req.headers['x-cpg-key']);
    const timestamp = single(req.headers['x-cpg-timestamp']);
    const signature = single(req.headers['x-cpg-signature']);
    // 1. all three headers, before anything else
    if (keyId === undefined || timestamp === undefined || signature === undefined) throw cpgErrors.missingHeaders();
    // 2. Unix seconds within ±300 s of the server clock
    const nowMs = this.opts.now();
    const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
    if (!(Math.abs(nowMs / 1000 - ts) <= TIMESTAMP_WINDOW_SECONDS)) throw cpgErrors.timestampWindow();
    // 3. a signature the server already accepted (cheap lookup, before any key work)
    if (this.replays.has(signature, nowMs)) throw cpgErrors.replayed();
    // 4. the key store (the "auth backend"), unknown and revoked keys alike
    if (this.opts.authUnavailable()) throw cpgErrors.authUnavailable();
    const key = this.opts.keys.get(keyId);
    if (!key || key.revoked) throw cpgErrors.invalidKey();
    // 5. the signature itself, over the path and query exactly as received
    const q = req.target.indexOf('?');
    const query = q < 0 ? '' : req.target.slice(q + 1);
    const expected = signRequest(key.secret, canonicalRequest(timestamp, req.method, req.path, query, req.body));
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) throw cpgErrors.invalidSignature();
    this.replays.remember(signature, ts, nowMs);
    this.counts.set(key.keyId, (this.counts.get(key.keyId) ?? 0) + 1);
    // 6. source IP
    if (key.ipWhitelist.length > 0 && !key.ipWhitelist.includes(normalizeIp(req.remoteAddress))) throw cpgErrors.ipNotWhitelisted();
    // 7. rate_limit_per_min in the current epoch minute: every authenticated request counts,
    //    also one the endpoint then refuses; the 429 carries no rate headers
    if (!this.perKey.hit(key.keyId, key.rateLimitPerMin, nowMs).allowed) throw cpgErrors.rateLimited();
    return key;
  }

  /** Correctly signed requests seen (for one key, or all), whatever came after the signature check. */
  requestCount(keyId?: string): number {
    if (keyId !== undefined) return this.counts.get(keyId) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  get replayCacheSize(): number {
    return this.replays.size;
  }

  reset(): void {
    this.replays.clear();
    this.perKey.reset();
    this.counts.clear();
  }
}
