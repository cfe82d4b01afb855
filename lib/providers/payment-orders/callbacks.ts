/**
 * CryptoPay payment-order webhooks (reference §8): `X-Webhook-Signature` is the lower-case
 * hex HMAC-SHA256 of the raw body with the webhook secret, with no timestamp. Verified over
 * the exact bytes before parsing, compared in constant time; a bad signature is a rejection,
 * a verified webhook Paywire cannot read goes to Catch (`unexpected`).
 */
import { createHmac } from 'node:crypto';
import { CallbackRejectedError } from '../../errors';
import { toMeta } from '../../operations';
import { mapStatus } from '../../status';
import { bodyDigest, headerValue, readVerifiedBody, sameHex, stringAt, unexpectedCallback } from '../callback-support';
import type { Credentials, HeaderMap, VerifiedCallback } from '../types';
import { webhookEnvelopeSchema } from './schemas';
import { PROVIDER_ID, webhookEventTable } from './status';

export const SIGNATURE_HEADER = 'x-webhook-signature';

export function webhookSignature(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

const reject = (message: string): CallbackRejectedError => new CallbackRejectedError('bad_signature', message, 401);
const PO = { id: PROVIDER_ID, label: 'CryptoPay payment orders' };

export function verifyPaymentOrdersWebhook(rawBody: Buffer, headers: HeaderMap, credentials: Credentials): VerifiedCallback {
  const secret = credentials.callbackSecret;
  if (!secret) throw reject('No webhook secret is configured on the gateway; webhook refused');
  const received = headerValue(headers, SIGNATURE_HEADER);
  if (!received) throw reject('Webhook has no X-Webhook-Signature header');
  if (!sameHex(webhookSignature(secret, rawBody), received)) throw reject('Webhook signature does not match the body');

  const read = readVerifiedBody(rawBody, webhookEnvelopeSchema, 'a payment-order event');
  if (!read.ok) {
    const data = (read.body as { data?: unknown } | null)?.data;
    const about = { resource: 'invoice', id: stringAt(data, 'order_id'), event: stringAt(read.body, 'event') };
    return unexpectedCallback(PO, read.problem, read.body, `${PROVIDER_ID}:unexpected:${bodyDigest(rawBody)}`, about);
  }
  const { event, data } = read.value;
  const meta = toMeta(PROVIDER_ID, 'invoice', data.order_id, mapStatus(webhookEventTable, { status: null, event }));
  // Each order goes through each event once (per payment transaction), whatever webhook_id a
  // retry carries, so the fact itself identifies the delivery.
  const dedupeKey = `${PROVIDER_ID}:${data.order_id}:${event}:${data.transaction_hash ?? ''}`;
  return { payload: data, meta: { ...meta, event }, dedupeKey };
}
