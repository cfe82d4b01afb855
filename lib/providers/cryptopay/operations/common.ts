/** Helpers shared by the Cryptopay operations: result shapes, id lookups, safe replays. */
import { z } from 'zod';
import { GatewayError } from '../../../errors';
import { fields, toMeta } from '../../../operations';
import type { OperationContext, OperationResult, ResultItem } from '../../../operations';
import type { AutoPager } from '../../../pagination';
import { UnmappedStatusError, mapStatus } from '../../../status';
import type { MappedStatus, StatusTable } from '../../../status';
import { createOrReplay as replay } from '../../../replay';
import type { ReplayFields } from '../../../replay';
import { pagedResult as pagesOf } from '../../../results';

export { arrayResult, objectResult as object, replayedItem } from '../../../results';

export const PROVIDER = 'cryptopay';

/** An item whose object has no payment state (rates, customers, channels …). */
export function plainItem(resource: string, payload: unknown): ResultItem {
  const id = (payload as { id?: unknown } | null)?.id;
  return { payload, meta: toMeta(PROVIDER, resource, typeof id === 'string' ? id : null, null) };
}

export function mappedItem(resource: string, table: StatusTable, payload: { id: string; status?: string | null }, context?: string | null, event?: string): ResultItem {
  const status = mapStatus(table, { status: payload.status ?? null, context, event, object: payload });
  return { payload, meta: toMeta(PROVIDER, resource, payload.id, status) };
}

export function committedItem(resource: string, payload: { id: string }, committed: boolean | undefined): ResultItem {
  const status: MappedStatus | null =
    committed === undefined
      ? null
      : committed
        ? { state: 'completed', reason: null, final: true }
        : { state: 'pending', reason: 'awaiting_commit', final: false };
  return { payload, meta: toMeta(PROVIDER, resource, payload.id, status) };
}

/**
 * A row of a list: a status Paywire does not know gives `state: null` rather than failing the
 * whole list (a single create or get fails loudly instead).
 */
function asRow<T>(resource: string, toItem: (item: T) => ResultItem): (item: T) => ResultItem {
  return (item) => {
    try {
      return toItem(item);
    } catch (err) {
      if (!(err instanceof UnmappedStatusError)) throw err;
      return plainItem(resource, item);
    }
  };
}

/** A paginated list as the node's list result, converting one page at a time. */
export function pagedResult<T>(resource: string, pager: AutoPager<T>, toItem: (item: T) => ResultItem): OperationResult {
  return pagesOf(resource, pager, asRow(resource, toItem));
}

/** `id` read from msg.payload.<resource>_id, or msg.payload.id when the payload is the object itself. */
export function idField(resource: string, label: string) {
  return fields.string({
    label,
    help: `From msg.payload.${resource}_id, or msg.payload.id when the payload is the ${resource.replace(/_/g, ' ')} itself.`,
    payloadKeys: [`${resource}_id`, 'id'],
  });
}

/** Input of a "get" that takes the gateway id or the merchant's custom_id. */
export function idOrCustomId(resource: string, label: string) {
  const key = `${resource}_id`;
  return z
    .object({
      [key]: idField(resource, label).optional(),
      custom_id: fields.string({ label: 'Custom id', help: 'Look it up by your own reference instead.' }).optional(),
    })
    .refine((v) => v[key] !== undefined || v.custom_id !== undefined, {
      message: `needs ${key} (or msg.payload.id) or custom_id`,
      path: [key],
    });
}

export const customIdField = (help: string) => fields.string({ label: 'Custom id', help });

/**
 * Create with a merchant reference: when a retried request meets `duplicate_custom_id`, return
 * what the first attempt created (`replayed: true`), but only if it is the same request in the
 * declared fields (lib/replay.ts); otherwise `idempotency_conflict` naming both values.
 * `findExisting` looks the object up by custom_id, or throws when Cryptopay cannot.
 */
export async function createOrReplay<Request, T extends { id: string }>(spec: {
  what: string;
  customId: string | undefined;
  request: Request;
  fields: ReplayFields<Request, T>;
  create: () => Promise<T>;
  findExisting: (customId: string, refusal: GatewayError) => Promise<T>;
}): Promise<{ value: T; replayed: boolean }> {
  const customId = spec.customId;
  if (!customId) return { value: await spec.create(), replayed: false };
  return replay<Request, T>({
    provider: 'Cryptopay',
    keyField: 'custom_id',
    key: customId,
    request: spec.request,
    fields: spec.fields,
    describe: (existing) => `${spec.what} ${existing.id}`,
    create: spec.create,
    keyTaken: (err) => err instanceof GatewayError && err.code === 'duplicate_custom_id',
    findExisting: (err) => spec.findExisting(customId, err as GatewayError),
    unverifiable: (existing, unknown) =>
      new GatewayError({
        provider: 'Cryptopay',
        httpStatus: 409,
        code: 'duplicate_custom_id',
        message:
          `custom_id "${customId}" already belongs to ${spec.what} ${existing.id}, which does not show its ${unknown.join(', ')}, ` +
          `so Paywire cannot tell whether it is this request and does not report it as done. Nothing was created again; ` +
          `look it up with "Get ${spec.what}" by custom_id`,
      }),
  });
}

/** The refusal for a duplicate custom_id whose object Cryptopay offers no way to find. */
export function notFindable(what: string, customId: string, refusal: GatewayError, why: string): GatewayError {
  return new GatewayError({
    provider: 'Cryptopay',
    httpStatus: refusal.httpStatus,
    code: 'duplicate_custom_id',
    message: `a ${what} with custom_id "${customId}" already exists, and ${why}; nothing was done twice`,
    requestId: refusal.requestId,
  });
}

export type Ctx = OperationContext;
