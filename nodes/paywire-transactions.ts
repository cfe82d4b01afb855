/** paywire-transactions: the ledger, filtered and streamed page by page with progress. */
import { registerActionNode } from './shared/action-node';
import type { NodeAPI } from './shared/red';

export = function register(RED: NodeAPI): void {
  registerActionNode(RED, { type: 'paywire-transactions', resource: 'transaction' });
};
