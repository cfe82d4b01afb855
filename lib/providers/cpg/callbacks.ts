/**
 * CPG webhooks (reference §7–9): `X-CPG-Signature` is the hex HMAC-SHA256 of
 * `X-CPG-Timestamp + "\n" + raw body` with the webhook's signing secret. A timestamp more
 * than 300 s from our clock is refused, so a captured delivery cannot be replayed later;
 * within the window, duplicates are suppressed on `X-CPG-Delivery` by the callback node.
 */
import { createHash } from 'node:crypto';
import { CallbackRejectedError } from '../../errors';
import { toMeta } from '../../operations';
import { mapStatus } from '../../status';
import { bodyDigest, headerValue as header, readVerifiedBody, sameHex, stringAt, unexpectedCallback } from '../callback-support';
import type { Credentials, HeaderMap, VerifiedCallback, VerifyOptions } from '../types';
import { webhookEnvelopeSchema } from './schemas';
import { webhookSignature } from './signing';
import { webhookEventTable } from './status';

export const WEBHOOK_WINDOW_SECONDS = 300;

const reject = (message: string): CallbackRejectedError => new CallbackRejectedError('bad_signature', message, 401);
const CPG = { id: 'cpg', label: 'CPG' };

export function verifyCpgWebhook(rawBody: Buffer, headers: HeaderMap, credentials: Credentials, options: VerifyOptions = {}): VerifiedCallback {
  const secret = credentials.callbackSecret;
  if (!secret) throw reject('No webhook signing secret is configured on the gateway; webhook refused');
  const timestamp = header(headers, 'x-cpg-timestamp');
  const signature = header(headers, 'x-cpg-signature');
  if (!timestamp || !signature) throw reject('Webhook has no X-CPG-Timestamp or X-CPG-Signature header');
  if (!/^\d{1,12}$/.test(timestamp)) throw reject('Webhook X-CPG-Timestamp is not Unix seconds');
  const nowSeconds = (options.now ?? Date.now()) / 1000;
  if (Math.abs(nowSeconds - Number(timestamp)) > WEBHOOK_WINDOW_SECONDS) {
    throw reject(`Webhook timestamp is more than ${WEBHOOK_WINDOW_SECONDS} s from this machine's clock (stale or replayed)`);
  }
  if (!sameHex(webhookSignature(secret, timestamp, rawBody), signature)) throw reject('Webhook signature does not match the body');

  const read = readVerifiedBody(rawBody, webhookEnvelopeSchema, 'a CPG event envelope');
  // Retries reuse the delivery id and the body; the header is the documented identity. Ids are
  // unique within one CPG webhook only, so the key also names the webhook by a digest of its
  // signing secret: another account or webhook behind the same path never looks like a retry.
  const envelopeId = (read.body as { id?: unknown } | null)?.id;
  const delivery = header(headers, 'x-cpg-delivery') || (typeof envelopeId === 'number' || typeof envelopeId === 'string' ? String(envelopeId) : `body-${bodyDigest(rawBody)}`);
  const dedupeKey = webhookDeliveryKey(secret, delivery);
  if (!read.ok) return unexpectedCallback(CPG, read.problem, read.body, dedupeKey, { event: stringAt(read.body, 'event') });
  const { event, data } = read.value;
  const eventHeader = header(headers, 'x-cpg-event');
  // The header is not signed, the body is: a disagreement goes to Catch rather than being dropped.
  if (eventHeader && eventHeader !== event) {
    return unexpectedCallback(CPG, `its X-CPG-Event header "${eventHeader}" does not match the body's event "${event}"`, read.body, dedupeKey, { event });
  }

  const isDeposit = event.startsWith('deposit.');
  const objectId = isDeposit ? data.deposit_request_id : (data.id ?? data.withdrawal_id);
  const id = typeof objectId === 'number' || typeof objectId === 'string' ? String(objectId) : null;
  const meta = toMeta('cpg', isDeposit ? 'deposit' : 'withdrawal', id, mapStatus(webhookEventTable, { status: null, event }));
  return { payload: data, meta: { ...meta, event }, dedupeKey };
}

/** The duplicate-store key of one delivery to the webhook signed with `secret` (no secret in it). */
export function webhookDeliveryKey(secret: string, delivery: string): string {
  const webhook = createHash('sha256').update(`paywire-cpg-webhook\n${secret}`).digest('hex').slice(0, 16);
  return `cpg:${webhook}:delivery:${delivery}`;
}
