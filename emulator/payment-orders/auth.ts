// Bearer authentication (reference §2): login tokens with a lifetime on the emulator clock, and
// API keys accepted directly as bearer tokens (they never expire).
import { timingSafeEqual } from 'node:crypto';
import type { PoApiError } from './errors';
import { poErrors } from './errors';
import { randomHex } from './util';

export type AuthKind = 'token' | 'apikey' | 'none';

export interface PoUser {
  username: string;
  password: string;
}

interface IssuedToken {
  username: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

export interface Identity {
  kind: AuthKind;
  /** Username or API key; null when unauthenticated. */
  principal: string | null;
  /** Why a given Authorization header was refused (undefined when none was sent). */
  error?: PoApiError;
}

export interface LoginResult {
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  expires_at: string;
  username: string;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export class TokenAuthority {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly users: readonly PoUser[],
    private readonly apiKeys: readonly string[],
    private readonly ttlSeconds: number,
  ) {}

  /** Checks the credentials; null when they do not match a user. */
  login(username: string, password: string, nowMs: number): { token: string; expiresAtMs: number; username: string } | null {
    let matched: PoUser | undefined;
    for (const u of this.users) if (u.username === username && safeEqual(u.password, password)) matched = u;
    if (!matched) return null;
    const token = randomHex(20); // 40 hex characters, like DRF's authtoken keys
    const expiresAtMs = nowMs + this.ttlSeconds * 1000;
    this.tokens.set(token, { username: matched.username, issuedAtMs: nowMs, expiresAtMs });
    return { token, expiresAtMs, username: matched.username };
  }

  /** Reads `Authorization: Bearer <token-or-api-key>`. */
  identify(authorization: string | undefined, nowMs: number): Identity {
    if (authorization === undefined || authorization.trim() === '') return { kind: 'none', principal: null };
    const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m?.[1]) return { kind: 'none', principal: null, error: poErrors.invalidToken() };
    const credential = m[1];
    const issued = this.tokens.get(credential);
    if (issued) {
      if (nowMs >= issued.expiresAtMs) return { kind: 'none', principal: null, error: poErrors.expiredToken() };
      return { kind: 'token', principal: issued.username };
    }
    for (const key of this.apiKeys) if (safeEqual(key, credential)) return { kind: 'apikey', principal: key };
    return { kind: 'none', principal: null, error: poErrors.invalidToken() };
  }

  /** Every token issued so far expires at `nowMs` (API keys are not affected). Returns how many were live. */
  expireAll(nowMs: number): number {
    let live = 0;
    for (const t of this.tokens.values()) {
      if (t.expiresAtMs > nowMs) {
        live += 1;
        t.expiresAtMs = nowMs;
      }
    }
    return live;
  }

  /** Every login token issued since the last reset, oldest first. */
  issued(): string[] {
    return [...this.tokens.keys()];
  }

  clear(): void {
    this.tokens.clear();
  }
}
