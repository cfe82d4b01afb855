/** paywire-api: every other gateway operation (channels, customers, rates, accounts …), picked in the editor. */
import { registerActionNode } from './shared/action-node';
import type { NodeAPI } from './shared/red';

export = function register(RED: NodeAPI): void {
  registerActionNode(RED, { type: 'paywire-api' });
};
