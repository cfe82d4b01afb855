/** paywire-withdraw: payouts. Creates (never twice for one message), commits, reads and lists coin withdrawals. */
import { registerActionNode } from './shared/action-node';
import type { NodeAPI } from './shared/red';

export = function register(RED: NodeAPI): void {
  registerActionNode(RED, { type: 'paywire-withdraw', resource: 'withdrawal' });
};
