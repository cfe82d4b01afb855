// Cursor pagination shared by every list (reference §2): newest first, 50 per page,
// `starting_after=<id>`, `meta {total, has_more}`.
//
// Records are kept oldest first in an array with an id → position map, so an unfiltered page is
// O(page) however long the list is; filtered lists scan (newest to oldest) and count every match.
import { errors } from './errors';
import { isUuid } from './ids';

export const PAGE_SIZE = 50;

export interface Page<T> {
  items: T[];
  total: number;
  hasMore: boolean;
}

export interface ListBody {
  data: Record<string, unknown>[];
  meta: { total: number; has_more: boolean };
}

/**
 * Reads `starting_after`. It must be a UUID (422 must_be_uuid) unless `uuidRequired` is false
 * (customers: their ids are merchant-chosen text).
 */
export function cursorParam(query: URLSearchParams, uuidRequired = true): string | null {
  const value = query.get('starting_after');
  if (value === null) return null;
  if (uuidRequired ? !isUuid(value) : value === '') {
    throw errors.invalid([{ code: 'must_be_uuid', target: 'starting_after', message: 'must match uuid format' }]);
  }
  return value;
}

/** Throws 422 invalid/must_be_uuid for a path parameter that must be a UUID. */
export function requireUuidParam(value: string, target: string): void {
  if (!isUuid(value)) throw errors.invalid([{ code: 'must_be_uuid', target, message: 'must match uuid format' }]);
}

/**
 * Unfiltered page. `items` oldest first; `cursorPos` is the cursor's position in `items`, null when
 * there is no cursor, -1 when the cursor is not in the list (→ empty page, README assumption 5).
 */
export function pageByPosition<T>(items: readonly T[], cursorPos: number | null): Page<T> {
  const total = items.length;
  if (cursorPos === -1) return { items: [], total, hasMore: false };
  const end = cursorPos === null ? total : cursorPos; // next items are at end-1, end-2, …
  const out: T[] = [];
  for (let i = end - 1; i >= 0 && out.length < PAGE_SIZE; i -= 1) {
    const item = items[i];
    if (item !== undefined) out.push(item);
  }
  return { items: out, total, hasMore: end - out.length > 0 };
}

/** Filtered page: scans newest to oldest; the cursor must be one of the matching items. */
export function pageByScan<T>(items: readonly T[], match: (item: T) => boolean, cursorId: string | null, idOf: (item: T) => string): Page<T> {
  const wanted = cursorId;
  let collecting = wanted === null;
  let total = 0;
  let hasMore = false;
  const out: T[] = [];
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item === undefined || !match(item)) continue;
    total += 1;
    if (!collecting) {
      if (idOf(item) === wanted) collecting = true;
      continue;
    }
    if (out.length < PAGE_SIZE) out.push(item);
    else hasMore = true;
  }
  return { items: out, total, hasMore };
}

export function listBody<T>(page: Page<T>, toJson: (item: T) => Record<string, unknown>): ListBody {
  return { data: page.items.map(toJson), meta: { total: page.total, has_more: page.hasMore } };
}

/**
 * Records of one resource type: creation order, lookup by id and by custom_id, paginated lists.
 * UUID ids are matched case-insensitively; `foldCase = false` for merchant-chosen ids (customers).
 */
export class Collection<T extends { id: string }> {
  private readonly items: T[] = [];
  private readonly positions = new Map<string, number>();
  private readonly customIds = new Map<string, T>();

  constructor(private readonly foldCase = true) {}

  private key(id: string): string {
    return this.foldCase ? id.toLowerCase() : id;
  }

  get size(): number {
    return this.items.length;
  }

  add(item: T, customId: string | null = null): void {
    this.positions.set(this.key(item.id), this.items.length);
    this.items.push(item);
    if (customId !== null) this.customIds.set(customId, item);
  }

  get(id: string): T | undefined {
    const pos = this.positions.get(this.key(id));
    return pos === undefined ? undefined : this.items[pos];
  }

  byCustomId(customId: string): T | undefined {
    return this.customIds.get(customId);
  }

  /** The item, or the API's 404 `not_found`. */
  require(id: string): T {
    const item = this.get(id);
    if (!item) throw errors.notFound();
    return item;
  }

  requireByCustomId(customId: string): T {
    const item = this.byCustomId(customId);
    if (!item) throw errors.notFound();
    return item;
  }

  hasCustomId(customId: string): boolean {
    return this.customIds.has(customId);
  }

  /** Oldest first (read-only view). */
  all(): readonly T[] {
    return this.items;
  }

  /** A page, newest first; `match` null = unfiltered (O(page)). */
  page(cursorId: string | null, match: ((item: T) => boolean) | null = null): Page<T> {
    if (match) return pageByScan(this.items, match, cursorId === null ? null : this.key(cursorId), (i) => this.key(i.id));
    if (cursorId === null) return pageByPosition(this.items, null);
    return pageByPosition(this.items, this.positions.get(this.key(cursorId)) ?? -1);
  }

  clear(): void {
    this.items.length = 0;
    this.positions.clear();
    this.customIds.clear();
  }
}
