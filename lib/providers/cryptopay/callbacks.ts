/**
 * Cryptopay callbacks (reference §7): `X-Cryptopay-Signature` is the hex HMAC-SHA256 of
 * the raw body with the callback secret. Verified over the exact bytes before parsing,
 * compared in constant time; any doubt is a rejection.
 */
import { createHash, createHmac } from 'node:crypto';
import type { z } from 'zod';
import { CallbackRejectedError } from '../../errors';
import { toMeta } from '../../operations';
import { mapStatus } from '../../status';
import type { StatusTable } from '../../status';
import { headerValue, sameHex } from '../callback-support';
import type { Credentials, HeaderMap, VerifiedCallback } from '../types';
import { callbackEnvelopeSchema, channelPaymentSchema, coinWithdrawalSchema, invoiceSchema, subscriptionSchema } from './schemas';
import { channelPaymentStatusTable, coinWithdrawalStatusTable, invoiceStatusTable, subscriptionStatusTable } from './status';

export const SIGNATURE_HEADER = 'x-cryptopay-signature';

interface CallbackType {
  resource: string;
  schema: z.ZodType;
  table: StatusTable;
  contextKey?: string;
}

const CALLBACK_TYPES: Record<string, CallbackType> = {
  Invoice: { resource: 'invoice', schema: invoiceSchema, table: invoiceStatusTable, contextKey: 'status_context' },
  ChannelPayment: { resource: 'channel_payment', schema: channelPaymentSchema, table: channelPaymentStatusTable, contextKey: 'status_context' },
  CoinWithdrawal: { resource: 'withdrawal', schema: coinWithdrawalSchema, table: coinWithdrawalStatusTable },
  Subscription: { resource: 'subscription', schema: subscriptionSchema, table: subscriptionStatusTable },
};

export function callbackSignature(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export function verifyCryptopayCallback(rawBody: Buffer, headers: HeaderMap, credentials: Credentials): VerifiedCallback {
  const secret = credentials.callbackSecret;
  if (!secret) {
    throw new CallbackRejectedError('bad_signature', 'No callback secret is configured on the gateway; callback refused', 401);
  }
  const received = headerValue(headers, SIGNATURE_HEADER);
  if (!received) throw new CallbackRejectedError('bad_signature', 'Callback has no X-Cryptopay-Signature header', 401);
  if (!sameHex(callbackSignature(secret, rawBody), received)) {
    throw new CallbackRejectedError('bad_signature', 'Callback signature does not match the body', 401);
  }

  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new CallbackRejectedError('malformed_callback', 'Callback body is not valid JSON', 400);
  }
  const envelope = callbackEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new CallbackRejectedError('malformed_callback', 'Callback is not {type, event, data}', 400);
  }
  const { type, event, data } = envelope.data;
  const kind = CALLBACK_TYPES[type];
  if (!kind) {
    throw new CallbackRejectedError('malformed_callback', `Callback type "${type}" is not one Paywire knows`, 400);
  }
  const parsed = kind.schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CallbackRejectedError(
      'malformed_callback',
      `${type} callback data is not valid (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
      400,
    );
  }
  const record = data as Record<string, unknown>;
  const status = mapStatus(kind.table, {
    status: typeof record.status === 'string' ? record.status : null,
    context: kind.contextKey ? (record[kind.contextKey] as string | null | undefined) : undefined,
    event,
    object: data,
  });
  // Cryptopay sends no delivery id; the exact signed body identifies a delivery.
  const dedupeKey = `cryptopay:${createHash('sha256').update(rawBody).digest('hex')}`;
  return { payload: data, meta: { ...toMeta('cryptopay', kind.resource, data.id, status), event }, dedupeKey };
}
