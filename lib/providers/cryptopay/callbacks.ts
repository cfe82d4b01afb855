/**
 * Cryptopay callbacks (reference §7): `X-Cryptopay-Signature` is the hex HMAC-SHA256 of
 * the raw body with the callback secret. Verified over the exact bytes before parsing,
 * compared in constant time; a bad signature is a rejection. A verified callback of a type,
 * status or shape Paywire does not know is handed to Catch (`unexpected`), never dropped.
 */
import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import { CallbackRejectedError } from '../../errors';
import { toMeta } from '../../operations';
import { ownValue } from '../../lookup';
import { mapStatusOrNull } from '../../status';
import type { StatusTable } from '../../status';
import { bodyDigest, headerValue, readVerifiedBody, sameHex, stringAt, unexpectedCallback } from '../callback-support';
import type { Credentials, HeaderMap, VerifiedCallback } from '../types';
import { callbackEnvelopeSchema, channelPaymentSchema, coinWithdrawalSchema, invoiceSchema, subscriptionSchema } from './schemas';
import { channelPaymentStatusTable, coinWithdrawalStatusTable, invoiceStatusTable, subscriptionStatusTable } from './status';
import { checkOnly } from '../../check-only';

export const SIGNATURE_HEADER = 'x-cryptopay-signature';

const CRYPTOPAY = { id: 'cryptopay', label: 'Cryptopay' };

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

  // Cryptopay sends no delivery id; the exact signed body identifies a delivery.
  const dedupeKey = `cryptopay:${bodyDigest(rawBody)}`;
  const read = readVerifiedBody(rawBody, callbackEnvelopeSchema, '{type, event, data}');
  if (!read.ok) return unexpectedCallback(CRYPTOPAY, read.problem, read.body, dedupeKey, { event: stringAt(read.body, 'event') });
  const { type, event, data } = read.value;
  const body = read.body;
  const kind = ownValue(CALLBACK_TYPES, type);
  if (!kind) return unexpectedCallback(CRYPTOPAY, `Paywire does not know the type "${type}"`, body, dedupeKey, { id: data.id, event });
  const about = { resource: kind.resource, id: data.id, event };
  const parsed = checkOnly(kind.schema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return unexpectedCallback(CRYPTOPAY, `its ${type} data is not valid (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`, body, dedupeKey, about);
  }
  const record = data as Record<string, unknown>;
  const status = mapStatusOrNull(kind.table, {
    status: typeof record.status === 'string' ? record.status : null,
    context: kind.contextKey ? (record[kind.contextKey] as string | null | undefined) : undefined,
    event,
    object: data,
  });
  if (!status) {
    const context = kind.contextKey && typeof record[kind.contextKey] === 'string' ? ` (context "${String(record[kind.contextKey])}")` : '';
    return unexpectedCallback(CRYPTOPAY, `Paywire does not know the ${type} status "${String(record.status)}"${context} with event "${event}"`, body, dedupeKey, about);
  }
  return { payload: data, meta: { ...toMeta('cryptopay', kind.resource, data.id, status), event }, dedupeKey };
}
