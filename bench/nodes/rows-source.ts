/**
 * paywire-bench-rows: a bench-only node that emits `msg.payload.rows` ledger-shaped rows one
 * message per row through the same emitList as paywire-transactions, from memory: no HTTP, no
 * JSON parsing, no validation. The ledger bench runs it into the same switch as the real export,
 * which gives the floor under any per-row export in Node-RED: its own message passing and the
 * pace of a queueing node downstream.
 */
import { ledgerRow } from '../support/ledger-row';
import { emitList } from '../../nodes/shared/list-output';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, SendFn, DoneFn } from '../../nodes/shared/red';
import type { ResultItem, ResultPage } from '../../lib/operations';

const PAGE = 50;

/** A row shaped like the emulator's GET /api/transactions rows, with its mapped meta. */
function row(n: number): ResultItem {
  const payload = ledgerRow(n);
  return { payload, meta: { provider: 'cryptopay', resource: 'transaction', id: payload.id, state: 'completed', reason: null, final: true } };
}

/** Pages built one at a time, as a gateway would hand them over (emitList takes an async iterable). */
// eslint-disable-next-line @typescript-eslint/require-await -- nothing to wait for: the rows come from memory
async function* pages(rows: number): AsyncGenerator<ResultPage> {
  for (let first = 0; first < rows; first += PAGE) {
    const items: ResultItem[] = [];
    for (let n = first; n < Math.min(rows, first + PAGE); n += 1) items.push(row(n));
    yield { items, hasMore: first + PAGE < rows };
  }
}

export = function register(RED: NodeAPI): void {
  function RowsSourceNode(this: Node, config: NodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    node.on('input', (msg: NodeMessageInFlow, send: SendFn, done: DoneFn) => {
      const rows = Number((msg.payload as { rows?: unknown } | undefined)?.rows);
      if (!Number.isInteger(rows) || rows < 1) return done(new Error('msg.payload.rows must be a positive integer'));
      emitList(RED, { kind: 'list', resource: 'transaction', pages: pages(rows) }, msg as NodeMessage, (m) => send(m), {
        mode: 'item',
        maxRows: rows,
        provider: 'cryptopay',
        // Like paywire-transactions: a status update per page.
        onProgress: (n) => node.status({ fill: 'blue', shape: 'dot', text: `${n} rows…` }),
      }).then(
        () => done(),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    });
  }
  RED.nodes.registerType('paywire-bench-rows', RowsSourceNode);
};
