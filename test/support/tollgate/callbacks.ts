/** Tollgate webhooks: `X-Tollgate-Signature` is the hex HMAC-SHA256 of the raw body. */
import { createHmac } from 'node:crypto';
import { CallbackRejectedError } from '../../../lib/errors';
import { toMeta } from '../../../lib/operations';
import { mapStatus } from '../../../lib/status';
import { headerValue, sameHex } from '../../../lib/providers/callback-support';
import type { Credentials, HeaderMap, VerifiedCallback } from '../../../lib/providers/types';
import { TOLLGATE_ID, invoiceStatusTable } from './status';
import type { TollgateBill } from './client';

export function tollgateSignature(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function verifyTollgateWebhook(rawBody: Buffer, headers: HeaderMap, credentials: Credentials): VerifiedCallback {
  const secret = credentials.callbackSecret;
  const received = headerValue(headers, 'x-tollgate-signature');
  if (!secret || !received || !sameHex(tollgateSignature(secret, rawBody), received)) {
    throw new CallbackRejectedError('bad_signature', 'Tollgate webhook signature does not match', 401);
  }
  const bill = JSON.parse(rawBody.toString('utf8')) as TollgateBill;
  const meta = toMeta(TOLLGATE_ID, 'invoice', bill.id, mapStatus(invoiceStatusTable, { status: bill.status }));
  return { payload: bill, meta: { ...meta, event: `bill.${bill.status}` }, dedupeKey: `${TOLLGATE_ID}:${bill.id}:${bill.status}` };
}
