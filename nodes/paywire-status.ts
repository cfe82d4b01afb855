/**
 * paywire-status: routes a message by msg.paywire.state, one output per state group
 * (or per state), so flows branch on payment outcomes without a function node.
 */
import { GROUPS, STATES, STATE_INFO, isState } from '../lib/status';
import { InputError } from '../lib/errors';
import { upgradeConfig } from './shared/config-version';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from './shared/red';

interface StatusConfig extends NodeDef {
  granularity: 'group' | 'state';
}

/** A short, safe rendering of any value for an error message (BigInt and cycles included). */
function describeValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 59)}… (${text.length} characters)` : text;
}

function outputIndex(granularity: StatusConfig['granularity'], state: (typeof STATES)[number]): number {
  return granularity === 'state' ? STATES.indexOf(state) : GROUPS.indexOf(STATE_INFO[state].group);
}

export = function register(RED: NodeAPI): void {
  function PaywireStatusNode(this: Node, saved: StatusConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const { config, problem: versionProblem } = upgradeConfig('paywire-status', saved);
    if (versionProblem) {
      node.status({ fill: 'red', shape: 'ring', text: 'newer config' });
      node.error(versionProblem);
      node.on('input', (_msg: NodeMessageInFlow, _send: SendFn, done: DoneFn) => done(new InputError(versionProblem)));
      return;
    }
    const granularity = config.granularity === 'state' ? 'state' : 'group';
    const outputs = granularity === 'state' ? STATES.length : GROUPS.length;

    node.on('input', (msg: NodeMessageInFlow, send: SendFn, done: DoneFn) => {
      const state = (msg as { paywire?: { state?: unknown } }).paywire?.state;
      if (!isState(state)) {
        node.status({ fill: 'red', shape: 'ring', text: 'no msg.paywire.state' });
        done(
          new InputError(
            state === undefined || state === null
              ? 'msg.paywire.state is missing: connect this node after a Paywire node'
              : `msg.paywire.state ${describeValue(state)} is not a Paywire state`,
          ),
        );
        return;
      }
      const ports: Array<NodeMessageInFlow | null> = new Array<NodeMessageInFlow | null>(outputs).fill(null);
      ports[outputIndex(granularity, state)] = msg;
      send(ports);
      node.status({ fill: STATE_INFO[state].badge.fill, shape: 'dot', text: state.replace('_', ' ') });
      done();
    });
  }

  RED.nodes.registerType('paywire-status', PaywireStatusNode);
};
