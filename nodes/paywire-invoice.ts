/** paywire-invoice: create, read, list, refund and recalculate invoices on any provider that has them. */
import { registerActionNode } from './shared/action-node';
import type { NodeAPI } from './shared/red';

export = function register(RED: NodeAPI): void {
  registerActionNode(RED, { type: 'paywire-invoice', resource: 'invoice' });
};
