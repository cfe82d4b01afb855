import assert from 'node:assert/strict';
import { GROUPS, STATES } from '../../lib/status';
import { collect, expectRouted, helper, loadFlow } from '../support/node-red';
import type { FlowNode, LoadedFlow } from '../support/node-red';

type Msg = Record<string, any>;

function flowFor(granularity: 'group' | 'state'): FlowNode[] {
  const names: readonly string[] = granularity === 'group' ? GROUPS : STATES;
  return [
    { id: 'tab', type: 'tab' },
    { id: 'router', type: 'paywire-status', z: 'tab', granularity, outputs: names.length, wires: names.map((n) => [`o-${n}`]) },
    ...names.map((n) => ({ id: `o-${n}`, type: 'helper', z: 'tab' })),
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
  ];
}

describe('paywire-status', () => {
  let flow: LoadedFlow | undefined;
  before(async () => {
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
  });
  afterEach(async () => {
    await flow?.close();
    flow = undefined;
    await helper.unload();
  });

  const groupOf: Record<string, string> = {
    pending: 'open',
    confirming: 'open',
    completed: 'paid',
    action_required: 'attention',
    refunded: 'refunded',
    cancelled: 'closed',
    expired: 'closed',
    failed: 'closed',
  };

  it('routes each state to its group output: exactly these messages on each output, none elsewhere, none to Catch', async () => {
    flow = await loadFlow(flowFor('group'));
    const outs = Object.fromEntries([...GROUPS.map((g) => [`o-${g}`, collect(`o-${g}`)]), ['caught', collect('caught')]]);
    for (const state of STATES) helper.getNode('router').receive({ payload: state, paywire: { state } });
    await expectRouted({ 'o-open': 2, 'o-paid': 1, 'o-attention': 1, 'o-refunded': 1, 'o-closed': 3, caught: 0 }, outs);
    for (const group of GROUPS) {
      assert.deepEqual(
        outs[`o-${group}`]!.messages.map((m: unknown) => (m as Msg).payload),
        STATES.filter((s) => groupOf[s] === group),
      );
    }
  });

  it('routes each state to its own output in state mode: one message each', async () => {
    flow = await loadFlow(flowFor('state'));
    const outs = Object.fromEntries([...STATES.map((s) => [`o-${s}`, collect(`o-${s}`)]), ['caught', collect('caught')]]);
    for (const state of [...STATES].reverse()) helper.getNode('router').receive({ paywire: { state } });
    await expectRouted({ ...Object.fromEntries(STATES.map((s) => [`o-${s}`, 1])), caught: 0 }, outs);
    for (const state of STATES) assert.equal((outs[`o-${state}`]!.messages[0] as Msg).paywire.state, state);
  });

  it('a prototype name or an unknown state goes to Catch only; no output gets it', async () => {
    flow = await loadFlow(flowFor('group'));
    const outs = Object.fromEntries([...GROUPS.map((g) => [`o-${g}`, collect(`o-${g}`)]), ['caught', collect('caught')]]);
    for (const state of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'on_hold', '']) helper.getNode('router').receive({ paywire: { state } });
    await expectRouted({ ...Object.fromEntries(GROUPS.map((g) => [`o-${g}`, 0])), caught: 6 }, outs);
    assert.ok(outs.caught!.messages.every((m: unknown) => (m as Msg).error.code === 'invalid_input'));
  });

  it('sends a message without a state to Catch', async () => {
    flow = await loadFlow(flowFor('group'));
    const caught = collect('caught');
    helper.getNode('router').receive({ payload: 1 });
    helper.getNode('router').receive({ paywire: { state: 'paid' } });
    const [a, b] = (await caught.next(2)) as Msg[];
    assert.match(a!.error.message, /msg\.paywire\.state is missing/);
    assert.match(b!.error.message, /"paid" is not a Paywire state/);
    assert.equal(a!.error.code, 'invalid_input');
  });

  it('a state that JSON cannot encode (BigInt, a cycle) or a huge one still reaches Catch, via done, with a short message (found by fuzzing)', async () => {
    flow = await loadFlow(flowFor('group'));
    const caught = collect('caught');
    const node = helper.getNode('router') as any;
    const completed: unknown[] = [];
    const complete = node._complete.bind(node);
    node._complete = (msg: Msg, err: unknown) => {
      completed.push(err);
      complete(msg, err);
    };
    const cycle: Msg = { name: 'cycle' };
    cycle.self = cycle;
    for (const state of [10n ** 30n, cycle, 'x'.repeat(1_000_000)]) node.receive({ paywire: { state } });
    const errors = ((await caught.next(3)) as Msg[]).map((m) => String(m.error.message));
    assert.equal(completed.length, 3, 'each message finished through done(err)');
    assert.match(errors[0]!, /msg\.paywire\.state 1000000000000000000000000000000n is not a Paywire state/);
    assert.match(errors[1]!, /msg\.paywire\.state \[object Object\] is not a Paywire state/);
    assert.match(errors[2]!, /msg\.paywire\.state "x+… \(1000002 characters\) is not a Paywire state/);
    assert.ok(errors.every((e) => e.length < 200), 'messages stay short');
  });
});
