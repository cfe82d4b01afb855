/**
 * CPG request signing (reference §2.3): hex HMAC-SHA256 over five lines —
 * timestamp, method, path, query, hex SHA-256 of the body — with no trailing newline.
 * The query is signed exactly as sent (no leading `?`); a missing body hashes as "".
 */
import { createHash, createHmac } from 'node:crypto';

export interface CpgRequestParts {
  /** Unix seconds, as sent in X-CPG-Timestamp. */
  timestamp: string;
  method: string;
  /** Path including the /v1 prefix (and any base-URL prefix), without the query. */
  path: string;
  /** Query string as sent, without `?`; '' when there is none. */
  query: string;
  body?: Buffer | undefined;
}

export function bodyHash(body: Buffer | undefined): string {
  return createHash('sha256')
    .update(body ?? Buffer.alloc(0))
    .digest('hex');
}

export function canonicalString(parts: CpgRequestParts): string {
  return [parts.timestamp, parts.method.toUpperCase(), parts.path, parts.query, bodyHash(parts.body)].join('\n');
}

export function requestSignature(secret: string, parts: CpgRequestParts): string {
  return createHmac('sha256', secret).update(canonicalString(parts), 'utf8').digest('hex');
}

/** Webhooks sign `timestamp + "\n" + raw body` (reference §9): two parts, not five. */
export function webhookSignature(secret: string, timestamp: string, rawBody: Buffer): string {
  return createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`${timestamp}\n`, 'utf8'), rawBody]))
    .digest('hex');
}
