// API keys as the dashboard creates them (reference §2.1): key id, secret, permissions, a per-key
// rate limit and an optional list of allowed source IPs; a revoked key stays known but refused.
import { randomBytes } from 'node:crypto';

export const PERMISSIONS = [
  'request_deposit_address',
  'request_withdrawal_funding_address',
  'withdraw',
  'read_balance',
  'read_deposit_status',
  'read_withdrawal_status',
  'list_transactions',
  'list_currencies',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface ApiKey {
  keyId: string;
  secret: string;
  permissions: Permission[];
  rateLimitPerMin: number;
  /** Empty = any source address. */
  ipWhitelist: string[];
  revoked: boolean;
}

/** What a caller may give; everything but the key id has a default. */
export interface ApiKeySpec {
  keyId?: string;
  secret?: string;
  permissions?: readonly string[];
  rateLimitPerMin?: number;
  ipWhitelist?: readonly string[];
  revoked?: boolean;
}

export const DEFAULT_KEY_ID = 'cpg-emu-key';
export const DEFAULT_KEY_SECRET = 'cpg-emu-secret';
export const DEFAULT_RATE_LIMIT_PER_MIN = 300;

/** Key, as listed by the controls: everything but the secret. */
export type PublicKey = Omit<ApiKey, 'secret'>;

export class KeyStore {
  private readonly keys = new Map<string, ApiKey>();

  constructor(specs: readonly ApiKeySpec[]) {
    for (const spec of specs) this.add(spec);
  }

  /** Adds (or replaces) a key; throws RangeError for a bad permission, limit or IP list. */
  add(spec: ApiKeySpec): ApiKey {
    const unknown = (spec.permissions ?? []).filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
    if (unknown.length > 0) throw new RangeError(`unknown permission(s): ${unknown.join(', ')}; known: ${PERMISSIONS.join(', ')}`);
    const limit = spec.rateLimitPerMin ?? DEFAULT_RATE_LIMIT_PER_MIN;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('rate_limit_per_min must be an integer >= 1');
    if (spec.ipWhitelist && !spec.ipWhitelist.every((ip) => typeof ip === 'string' && ip.length > 0)) throw new RangeError('ip_whitelist must be a list of addresses');
    const key: ApiKey = {
      keyId: spec.keyId ?? `cpg_${randomBytes(8).toString('hex')}`,
      secret: spec.secret ?? randomBytes(24).toString('hex'),
      permissions: [...((spec.permissions ?? PERMISSIONS) as readonly Permission[])],
      rateLimitPerMin: limit,
      ipWhitelist: (spec.ipWhitelist ?? []).map(normalizeIp),
      revoked: spec.revoked ?? false,
    };
    this.keys.set(key.keyId, key);
    return { ...key, permissions: [...key.permissions], ipWhitelist: [...key.ipWhitelist] };
  }

  get(keyId: string): ApiKey | undefined {
    return this.keys.get(keyId);
  }

  /** false when the key id is unknown. */
  revoke(keyId: string): boolean {
    const key = this.keys.get(keyId);
    if (!key) return false;
    key.revoked = true;
    return true;
  }

  list(): PublicKey[] {
    return [...this.keys.values()].map(({ secret: _secret, ...rest }) => ({ ...rest, permissions: [...rest.permissions], ipWhitelist: [...rest.ipWhitelist] }));
  }
}

/** "::ffff:127.0.0.1" (an IPv4 peer on a dual-stack socket) is 127.0.0.1. */
export function normalizeIp(ip: string): string {
  const trimmed = ip.trim().toLowerCase();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}
