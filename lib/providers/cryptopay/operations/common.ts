/** Helpers shared by the Cryptopay operations: result shapes, id lookups, safe replays. */
import { z } from 'zod';
import { GatewayError } from '../../../errors';
import { fields, singlePage, toMeta } from '../../../operations';
import type { OperationContext, OperationResult, ResultItem, ResultPage } from '../../../operations';
import type { AutoPager } from '../../../pagination';
import { mapStatus } from '../../../status';
import type { MappedStatus, StatusTable } from '../../../status';

export const PROVIDER = 'cryptopay';

export const object = (item: ResultItem): OperationResult => ({ kind: 'object', ...item });

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

/** A paginated list as the node's list result, converting one page at a time. */
export function pagedResult<T>(resource: string, pager: AutoPager<T>, toItem: (item: T) => ResultItem): OperationResult {
  async function* pages(): AsyncGenerator<ResultPage> {
    for await (const page of pager.pages()) {
      yield { items: page.items.map(toItem), hasMore: page.hasMore, total: page.total };
    }
  }
  return { kind: 'list', resource, pages: pages() };
}

export function arrayResult<T>(resource: string, items: T[], toItem: (item: T) => ResultItem): OperationResult {
  return { kind: 'list', resource, pages: singlePage({ items: items.map(toItem), hasMore: false, total: items.length }) };
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
 * Create with a merchant reference: when a retried request meets `duplicate_custom_id`,
 * return what the first attempt created, but only if it is the same request.
 */
export async function createOrReplay<T extends { id: string }>(
  customId: string | undefined,
  create: () => Promise<T>,
  findExisting: ((customId: string) => Promise<T>) | undefined,
  sameRequest: (existing: T) => boolean,
  describe: string,
): Promise<{ value: T; replayed: boolean }> {
  try {
    return { value: await create(), replayed: false };
  } catch (err) {
    if (!(err instanceof GatewayError && err.code === 'duplicate_custom_id' && customId)) throw err;
    if (!findExisting) {
      throw new GatewayError({
        provider: 'Cryptopay',
        httpStatus: err.httpStatus,
        code: 'duplicate_custom_id',
        message: `a ${describe} with custom_id "${customId}" already exists; nothing was done twice`,
        requestId: err.requestId,
      });
    }
    const existing = await findExisting(customId);
    if (!sameRequest(existing)) {
      throw new GatewayError({
        provider: 'Cryptopay',
        httpStatus: err.httpStatus,
        code: 'duplicate_custom_id',
        message: `custom_id "${customId}" already belongs to ${describe} ${existing.id} with different details`,
        requestId: err.requestId,
      });
    }
    return { value: existing, replayed: true };
  }
}

export function replayedItem(item: ResultItem, replayed: boolean): ResultItem {
  return replayed ? { ...item, meta: { ...item.meta, replayed: true } } : item;
}

export type Ctx = OperationContext;
