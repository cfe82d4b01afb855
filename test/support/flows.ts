/** A one-action-node flow with a Catch, loaded against an emulator, reused by the node tests. */
import { collect, helper, loadFlow, waitUntil } from './node-red';
import type { FlowNode, LoadedFlow } from './node-red';
import { gatewayConfig, gatewayCredentials } from './emulator';

export type Msg = Record<string, any>;

export interface ActionHarness {
  flow: LoadedFlow;
  /** Sends one message and waits for either an output or a caught error. */
  send(msg: Msg, timeoutMs?: number): Promise<{ out?: Msg; error?: Msg }>;
  /** Sends one message and waits for `count` outputs (list modes). */
  sendMany(msg: Msg, count: number, timeoutMs?: number): Promise<Msg[]>;
  statuses: Array<Record<string, unknown>>;
  /** Everything the node sent, and everything Catch got, so far. */
  outputs: Msg[];
  errors: Msg[];
  close(): Promise<void>;
}

/**
 * Mocha hooks for a suite that opens one action node per test: the helper's server for the
 * suite, and the test's node (`suite.node`) closed after each test.
 */
export function actionNodeSuite(): { node: ActionHarness | undefined } {
  const suite: { node: ActionHarness | undefined } = { node: undefined };
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(async () => {
    await suite.node?.close();
    suite.node = undefined;
  });
  return suite;
}

/** The message a Catch → back-into-the-node retry would send: the caught one without `error`. */
export function retryOf(caught: Msg): Msg {
  const retry = { ...caught };
  delete retry.error;
  return retry;
}

export async function actionNode(
  emulator: { url: string },
  type: string,
  config: Record<string, unknown>,
  creds = gatewayCredentials(),
  provider = 'cryptopay',
  /** Gateway settings on top of the defaults, e.g. `{ deadline: 0 }` for single attempts. */
  gateway: Record<string, unknown> = {},
): Promise<ActionHarness> {
  const nodes: FlowNode[] = [
    { id: 'tab', type: 'tab' },
    { ...gatewayConfig(emulator, 'gw', provider), ...gateway },
    { id: 'act', type, z: 'tab', gateway: 'gw', wires: [['out']], ...config },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ];
  const flow = await loadFlow(nodes, { gw: creds });
  const out = collect('out');
  const caught = collect('caught');
  const statuses: Array<Record<string, unknown>> = [];
  (helper.getNode('act') as unknown as NodeJS.EventEmitter).on('call:status', (call: { args: Array<Record<string, unknown>> }) => statuses.push(call.args[0]!));
  return {
    flow,
    statuses,
    outputs: out.messages,
    errors: caught.messages,
    async send(msg, timeoutMs = 5000) {
      const outBefore = out.messages.length;
      const errBefore = caught.messages.length;
      helper.getNode('act').receive(msg);
      await waitUntil(() => out.messages.length > outBefore || caught.messages.length > errBefore, timeoutMs, `${type} answer`);
      return out.messages.length > outBefore ? { out: out.messages[outBefore] } : { error: caught.messages[errBefore] };
    },
    async sendMany(msg, count, timeoutMs = 15000) {
      const before = out.messages.length;
      helper.getNode('act').receive(msg);
      await waitUntil(() => out.messages.length - before >= count || caught.messages.length > 0, timeoutMs, `${count} messages`);
      if (caught.messages.length > 0) throw new Error(String((caught.messages[0] as Msg).error.message));
      return out.messages.slice(before, before + count);
    },
    async close() {
      await flow.close();
      await helper.unload();
    },
  };
}
