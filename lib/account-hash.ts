/**
 * A short, stable stand-in for an account's identity (its API key or user name): the first 16
 * hex digits of its SHA-256. Rate-limiter keys and watch records name the account with it, so
 * neither ever holds the value.
 */
import { createHash } from 'node:crypto';

export function accountHash(identity: string): string {
  return createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 16);
}
