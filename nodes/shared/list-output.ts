/**
 * How a list operation's results leave a node: all rows in one message (capped), one
 * message per page, or one message per row streamed as pages arrive. Per-page and
 * per-row messages carry msg.parts, so a core join node can reassemble them.
 */
import { randomUUID } from 'node:crypto';
import { InputError } from '../../lib/errors';
import type { OperationResult, PaywireMeta, ResultItem } from '../../lib/operations';
import type { NodeAPI, NodeMessage } from './red';

export type ListMode = 'all' | 'page' | 'item';
export const LIST_MODES: readonly ListMode[] = ['all', 'page', 'item'];
export const DEFAULT_MAX_ROWS = 10_000;

export interface ListOutputOptions {
  mode: ListMode;
  maxRows: number;
  provider: string;
  /** Reports rows emitted so far, for the node status. */
  onProgress(rows: number): void;
}

type ListResult = Extract<OperationResult, { kind: 'list' }>;

export type SendOne = (msg: NodeMessage) => void;

/**
 * Node-RED has no back-pressure: a node that queues its input (switch, file, split …) handles
 * one message per event-loop turn, so a list sent faster than that piles up in its queue.
 * Waiting one turn after each message keeps such a flow's memory flat on long exports.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function listMeta(options: ListOutputOptions, resource: string, extra: Record<string, unknown>): PaywireMeta & Record<string, unknown> {
  return { provider: options.provider, resource, id: null, state: null, reason: null, final: null, ...extra };
}

/** Sends the list's messages; returns the number of rows. */
export async function emitList(
  RED: NodeAPI,
  result: ListResult,
  msg: NodeMessage,
  send: SendOne,
  options: ListOutputOptions,
): Promise<number> {
  // Copies of the incoming message for each output, without cloning its (replaced) payload.
  const base = { ...msg, payload: undefined } as NodeMessage;
  const copy = (payload: unknown, paywire: unknown, parts?: Record<string, unknown>): NodeMessage => {
    const out = RED.util.cloneMessage(base) as NodeMessage & Record<string, unknown>;
    out.payload = payload;
    out.paywire = paywire;
    if (parts) out.parts = parts;
    return out;
  };

  if (options.mode === 'all') {
    const rows: unknown[] = [];
    let total: number | undefined;
    for await (const page of result.pages) {
      total = page.total ?? total;
      if (rows.length + page.items.length > options.maxRows) {
        throw new InputError(
          `The list has more than ${options.maxRows} rows (max rows). Raise "max rows", add filters, or output one message per page or per row.`,
        );
      }
      for (const item of page.items) rows.push(item.payload);
      options.onProgress(rows.length);
    }
    const out = msg as NodeMessage & Record<string, unknown>;
    out.payload = rows;
    out.paywire = listMeta(options, result.resource, { count: rows.length, ...(total !== undefined ? { total } : {}) });
    send(out);
    return rows.length;
  }

  const sequence = randomUUID();
  let index = 0;
  let rows = 0;
  // One message is held back so the last one can carry parts.count, which join needs.
  let held: { payload: unknown; paywire: unknown } | undefined;
  const release = (last: boolean): void => {
    if (!held) return;
    const parts: Record<string, unknown> = { id: sequence, index, type: 'array', len: 1 };
    if (last) parts.count = index + 1;
    send(copy(held.payload, held.paywire, parts));
    index += 1;
    held = undefined;
  };
  const hold = (payload: unknown, paywire: unknown): void => {
    release(false);
    held = { payload, paywire };
  };

  let pageNumber = 0;
  for await (const page of result.pages) {
    pageNumber += 1;
    if (options.mode === 'page') {
      if (page.items.length > 0 || pageNumber === 1) {
        await nextTurn();
        hold(
          page.items.map((i: ResultItem) => i.payload),
          listMeta(options, result.resource, {
            page: pageNumber,
            count: page.items.length,
            hasMore: page.hasMore,
            ...(page.total !== undefined ? { total: page.total } : {}),
          }),
        );
      }
      rows += page.items.length;
    } else {
      for (const item of page.items) {
        await nextTurn();
        hold(item.payload, { ...item.meta, index: rows });
        rows += 1;
      }
    }
    options.onProgress(rows);
  }
  release(true);
  return rows;
}
