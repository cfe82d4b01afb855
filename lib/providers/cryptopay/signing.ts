/**
 * Cryptopay request signing (reference §3.1):
 *   METHOD \n MD5(body) \n Content-Type \n Date \n request-target
 * signed with HMAC-SHA1 and the API secret, base64-encoded.
 * The MD5 field is empty (not the MD5 of "") when there is no body.
 */
import { createHash, createHmac } from 'node:crypto';

export const CONTENT_TYPE = 'application/json';

export interface SignableRequest {
  method: string;
  /** Path plus `?query` exactly as sent. */
  target: string;
  body?: Buffer | undefined;
  contentType: string;
  /** The exact `Date` header value. */
  date: string;
}

export function bodyMd5(body: Buffer | undefined): string {
  return body && body.length > 0 ? createHash('md5').update(body).digest('hex') : '';
}

export function stringToSign(req: SignableRequest): string {
  return [req.method.toUpperCase(), bodyMd5(req.body), req.contentType, req.date, req.target].join('\n');
}

export function signature(apiSecret: string, req: SignableRequest): string {
  return createHmac('sha1', apiSecret).update(stringToSign(req), 'utf8').digest('base64');
}

export function authorizationHeader(apiKey: string, apiSecret: string, req: SignableRequest): string {
  return `HMAC ${apiKey}:${signature(apiSecret, req)}`;
}
