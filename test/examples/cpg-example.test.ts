import assert from 'node:assert/strict';
import injectNode from '@node-red/nodes/core/common/20-inject';
import debugNode from '@node-red/nodes/core/common/21-debug';
import commentNode from '@node-red/nodes/core/common/90-comment';
import catchNode from '@node-red/nodes/core/common/25-catch';
import changeNode from '@node-red/nodes/core/function/15-change';
import httpRequestNode from '@node-red/nodes/core/network/21-httprequest';
import type { CpgEmulator } from '../../emulator/cpg';
import { collect, helper, loadFlow } from '../support/node-red';
import type { LoadedFlow } from '../support/node-red';
import { readExample, retarget } from '../support/examples';
import type { FlowJson } from '../support/examples';
import { CPG_WEBHOOK_SECRET, cpgCredentials, startCpgEmulator } from '../support/emulator';

type Msg = Record<string, any>;

describe('example "08 CPG deposits and payouts" runs end to end on the CPG emulator', () => {
  let emulator: CpgEmulator;
  let flow: LoadedFlow | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCpgEmulator();
  });
  after(async () => {
    await flow?.close();
    await helper.unload();
    await helper.stopServer();
    await emulator.stop();
  });

  it('allocates an address, sees the deposit arrive and confirm, pays out, confirms the payout and shows the balances', async () => {
    // Debug nodes become helper nodes so the test can see what reaches them.
    const example: FlowJson = retarget(readExample('08'), emulator.url, 'http://127.0.0.1:4020').map((n) =>
      n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n,
    );
    const gateway = example.find((n) => n.type === 'paywire-gateway')!;
    flow = await loadFlow(example, { [gateway.id]: cpgCredentials() }, { extraNodes: [injectNode, debugNode, commentNode, catchNode, changeNode, httpRequestNode], productionLike: true });
    emulator.registerWebhook({ url: `${flow.httpUrl}/cpg/webhook`, secret: CPG_WEBHOOK_SECRET });
    const byName = (name: string): string => example.find((n) => n.name === name)!.id;
    const press = (name: string): void => helper.getNode(byName(name)).receive({ payload: Date.now() });
    const address = collect(byName('show this address to user-42'));
    const onItsWay = collect(byName('on its way (detected / broadcast)'));
    const done = collect(byName('done: credit the user / mark paid out'));
    const payout = collect(byName('payout broadcast'));
    const balances = collect(byName('balance per currency and network'));
    const errors = collect(byName('error (insufficient balance, address, permission …)'));

    press('address for user-42');
    const [allocated] = (await address.next(1)) as Msg[];
    assert.match(allocated!.payload.address, /^0x[0-9a-f]{40}$/);
    assert.equal(allocated!.payload.user_identifier, 'user-42');

    press('payer sends 25 USDT');
    const [detected] = (await onItsWay.next(1)) as Msg[];
    assert.deepEqual([detected!.paywire.event, detected!.paywire.state, detected!.payload.amount], ['deposit.detected', 'confirming', '25.000000']);
    assert.equal(detected!.payload.deposit_request_id, allocated!.payload.request_id);

    press('deposit confirmed');
    const [credited] = (await done.next(1)) as Msg[];
    assert.deepEqual([credited!.paywire.event, credited!.paywire.state], ['deposit.confirmed', 'completed']);

    press('pay out 50 USDT');
    const [sent] = (await payout.next(1)) as Msg[];
    assert.deepEqual([sent!.payload.status, sent!.paywire.state], ['broadcasted', 'confirming']);
    assert.match(sent!.payload.client_reference, /^pw-/);
    await onItsWay.next(2); // withdrawal.broadcasted

    press('payout confirmed');
    const finished = (await done.next(2)) as Msg[];
    assert.deepEqual([finished[1]!.paywire.event, finished[1]!.paywire.id], ['withdrawal.confirmed', String(sent!.payload.withdrawal_id)]);

    // Every answer of the emulator's controls reaches the debug sidebar, a refusal too: the
    // payout is confirmed already, so pressing "payout confirmed" again is answered 409.
    const answerOf = (request: string): string => {
      const node = example.find((n) => n.name === request)!;
      return node.wires![0]!.map((id) => example.find((n) => n.id === id)!).find((n) => n.name === 'emulator answer')!.id;
    };
    const payoutAnswers = collect(answerOf('emulator: confirm payout'));
    press('payout confirmed');
    const [refused] = (await payoutAnswers.next(1)) as Msg[];
    assert.equal(refused!.statusCode, 409, JSON.stringify(refused!.payload));
    assert.match(JSON.stringify(refused!.payload), /only a broadcasted withdrawal can be confirmed/);
    for (const request of ['emulator: deposit', 'emulator: confirm']) assert.ok(answerOf(request), `${request} shows its answer`);

    press('balances');
    const [shown] = (await balances.next(1)) as Msg[];
    const usdt = shown!.payload.find((b: Msg) => b.currency === 'USDT' && b.network === 'ETH');
    assert.deepEqual([usdt.total, usdt.held], ['9970.000000', '0.000000'], '10000 + 25 deposited − 50 paid out − 5 fee');
    assert.equal(errors.messages.length, 0);
    assert.ok(emulator.deliveries().every((d) => d.state === 'delivered'));
  });
});
