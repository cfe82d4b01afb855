import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import catchNode from '@node-red/nodes/core/common/25-catch';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { CONFIG_HISTORY, upgradeConfig } from '../../nodes/shared/config-version';
import { collect, helper, loadFlow, waitUntil } from '../support/node-red';
import type { FlowNode, LoadedFlow } from '../support/node-red';
import { gatewayCredentials, startCryptopayEmulator } from '../support/emulator';
import { REPO_ROOT } from '../support/paths';

type Msg = Record<string, any>;

describe('config versions', () => {
  describe('upgradeConfig', () => {
    it('has a history for every node type, and the editor saves the same current version', () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
      assert.deepEqual(Object.keys(CONFIG_HISTORY).sort(), Object.keys(pkg['node-red'].nodes).sort());
      for (const [type, history] of Object.entries(CONFIG_HISTORY)) {
        assert.equal(history.upgrades.length, history.current - 1, `${type}: one upgrade per version step`);
        const html = fs.readFileSync(path.join(REPO_ROOT, 'nodes', `${type}.html`), 'utf8');
        assert.match(html, new RegExp(`version: \\{ value: ${history.current} \\}`), `${type}.html defaults carry version ${history.current}`);
      }
    });

    it('reads a config without a version as v1 and upgrades a v1 gateway', () => {
      const saved = { id: 'gw', type: 'paywire-gateway', name: 'old', environment: 'custom', baseUrl: ' http://127.0.0.1:4010 ', timeout: '45' };
      const { config, from, problem } = upgradeConfig('paywire-gateway', saved);
      assert.equal(problem, undefined);
      assert.equal(from, 1);
      assert.deepEqual(config, { ...saved, provider: 'cryptopay', baseUrl: 'http://127.0.0.1:4010', timeout: 45, version: 2 });
      assert.equal(saved.timeout, '45', 'the saved config is not changed');
    });

    it('upgrades v1 action nodes: number types, a list mode, every field with a TypedInput type', () => {
      const saved = {
        id: 'n',
        type: 'paywire-transactions',
        operation: 'list',
        maxRows: '500',
        params: { currency: { value: 'EUR' }, status: 'completed', customer_id: { value: '', type: 'str' }, created_at_from: { value: 'from', type: 'msg' } },
      };
      const { config } = upgradeConfig('paywire-transactions', saved);
      assert.deepEqual(config, {
        ...saved,
        maxRows: 500,
        listMode: 'item',
        params: { currency: { value: 'EUR', type: 'str' }, status: { value: 'completed', type: 'str' }, created_at_from: { value: 'from', type: 'msg' } },
        version: 2,
      });
      assert.equal((upgradeConfig('paywire-invoice', { params: {} }).config as Msg).listMode, 'all');
    });

    it('leaves a current config as it is, and upgrading twice changes nothing', () => {
      for (const type of Object.keys(CONFIG_HISTORY)) {
        const once = upgradeConfig(type, { id: 'x', type }).config;
        assert.deepEqual(upgradeConfig(type, once).config, once, type);
        // An editor that saved the new shape without the version number: the upgrade is idempotent.
        const unversioned: Msg = { ...once };
        delete unversioned.version;
        assert.deepEqual(upgradeConfig(type, unversioned).config, once, type);
      }
    });

    it('refuses a config saved by a newer Paywire, or with a version that is not a number', () => {
      const newer = upgradeConfig('paywire-invoice', { version: 3, operation: 'create' });
      assert.match(newer.problem ?? '', /saved by a newer @paywire\/node-red-crypto-payments \(config version 3; this one reads up to 2\)\. Update the package\./);
      assert.deepEqual(newer.config, { version: 3, operation: 'create' });
      assert.match(upgradeConfig('paywire-status', { version: 'two' }).problem ?? '', /"two" is not a version number/);
      assert.equal(upgradeConfig('paywire-status', { version: '2' }).problem, undefined);
    });
  });

  describe('an old-shape flow in a running Node-RED', () => {
    let emulator: CryptopayEmulator;
    let flow: LoadedFlow | undefined;

    before(async () => {
      await helper.startServer();
      emulator = await startCryptopayEmulator();
    });
    after(async () => {
      await helper.stopServer();
      await emulator.stop();
    });
    afterEach(async () => {
      await flow?.close();
      flow = undefined;
      await helper.unload();
    });

    function oldFlow(invoice: Record<string, unknown>): FlowNode[] {
      // As deployed before configs had versions: no version anywhere, numbers saved as text,
      // a field saved without its TypedInput type, no list mode.
      return [
        { id: 'tab', type: 'tab' },
        { id: 'gw', type: 'paywire-gateway', name: 'v1', environment: 'custom', baseUrl: emulator.url, timeout: '5' },
        { id: 'inv', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', maxRows: '100', wires: [['out', 'status']], ...invoice },
        { id: 'status', type: 'paywire-status', z: 'tab', wires: [['open'], [], [], [], []] },
        { id: 'out', type: 'helper', z: 'tab' },
        { id: 'open', type: 'helper', z: 'tab' },
        { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'tab' },
      ];
    }

    it('runs unchanged: the gateway connects, the invoice is created, the status node routes it', async () => {
      flow = await loadFlow(oldFlow({ params: { price_amount: { value: '12.5' }, price_currency: { value: 'EUR' }, pay_currency: 'BTC' } }), { gw: gatewayCredentials() }, { extraNodes: [catchNode] });
      const out = collect('out');
      const open = collect('open');
      const caught = collect('caught');
      helper.getNode('inv').receive({ payload: {} });
      await waitUntil(() => out.messages.length + caught.messages.length > 0);
      assert.deepEqual(caught.messages.map((m: Msg) => m.error.message), []);
      const msg = out.messages[0] as Msg;
      assert.equal(msg.payload.price_currency, 'EUR');
      assert.equal(msg.payload.pay_currency, 'BTC');
      assert.match(msg.payload.price_amount, /^12\.50*$/);
      const [routed] = (await open.next(1)) as Msg[];
      assert.equal(routed!.paywire.state, 'pending');
    });

    it('a node saved by a newer version shows a red badge and tells Catch to update the package', async () => {
      flow = await loadFlow(oldFlow({ version: 7 }), { gw: gatewayCredentials() }, { extraNodes: [catchNode] });
      const node = helper.getNode('inv') as any;
      // Node.prototype.status is a spy shared by all nodes; keep this node's calls.
      const badges = (node.status.getCalls() as Array<{ thisValue: { id: string }; args: Msg[] }>).filter((c) => c.thisValue.id === 'inv').map((c) => c.args[0]);
      assert.deepEqual(badges.at(-1), { fill: 'red', shape: 'ring', text: 'newer config' });
      const caught = collect('caught');
      const requests = emulator.requestCount();
      node.receive({ payload: { price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC' } });
      const [error] = (await caught.next(1)) as Msg[];
      assert.match(error!.error.message, /config version 7; this one reads up to 2\)\. Update the package\./);
      assert.equal(emulator.requestCount(), requests, 'nothing was sent to the gateway');
    });
  });
});
