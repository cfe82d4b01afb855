import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import injectNode from '@node-red/nodes/core/common/20-inject';
import debugNode from '@node-red/nodes/core/common/21-debug';
import commentNode from '@node-red/nodes/core/common/90-comment';
import catchNode from '@node-red/nodes/core/common/25-catch';
import changeNode from '@node-red/nodes/core/function/15-change';
import httpRequestNode from '@node-red/nodes/core/network/21-httprequest';
import splitNodes from '@node-red/nodes/core/sequence/17-split';
import switchNode from '@node-red/nodes/core/function/10-switch';
import csvNode from '@node-red/nodes/core/parsers/70-CSV';
import fileNodes from '@node-red/nodes/core/storage/10-file';
import os from 'node:os';
import { collect, expectRouted, freePort, helper, loadFlow, waitUntil } from '../support/node-red';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import type { LoadedFlow } from '../support/node-red';
import { listExamples, readExample, retarget } from '../support/examples';
import type { FlowJson } from '../support/examples';
import { REPO_ROOT } from '../support/paths';
import { gatewayCredentials, startCryptopayEmulator } from '../support/emulator';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET } from '../emulator/po-helpers';
import { usePoNodeRed } from '../support/po-node-red';

type Msg = Record<string, any>;

const CORE_NODES = [injectNode, debugNode, commentNode, catchNode, changeNode, httpRequestNode, splitNodes, switchNode, csvNode, fileNodes];
const CORE_TYPES = new Set(['tab', 'comment', 'inject', 'debug', 'catch', 'change', 'http request', 'join', 'switch', 'csv', 'file']);

function paywireTypes(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.keys(pkg['node-red'].nodes);
}

describe('example flows', () => {
  const examples = listExamples();

  it('exist for every non-config node type (scorecard N02)', () => {
    const used = new Set(examples.flatMap((e) => e.flow.map((n) => n.type)));
    for (const type of paywireTypes().filter((t) => t !== 'paywire-gateway')) assert.ok(used.has(type), `${type} has no example`);
  });

  for (const { file, flow } of examples) {
    describe(file, () => {
      it('is a well-formed, importable flow without credentials', () => {
        const ids = new Set(flow.map((n) => n.id));
        assert.equal(ids.size, flow.length, 'ids are unique');
        const tabs = flow.filter((n) => n.type === 'tab');
        assert.equal(tabs.length, 1, 'one tab per example');
        assert.ok(flow.some((n) => n.type === 'comment'), 'a comment explains the example');
        for (const node of flow) {
          assert.ok(CORE_TYPES.has(node.type) || paywireTypes().includes(node.type), `unexpected node type ${node.type}`);
          assert.equal(node.credentials, undefined, `${node.id} carries credentials`);
          if (node.type !== 'tab' && node.type !== 'paywire-gateway') assert.equal(node.z, tabs[0]!.id, `${node.id} is on the tab`);
          for (const port of node.wires ?? []) for (const target of port) assert.ok(ids.has(target), `${node.id} wires to missing ${target}`);
          if (typeof node.gateway === 'string') {
            assert.equal(flow.find((n) => n.id === node.gateway)?.type, 'paywire-gateway', `${node.id} needs its gateway in the file`);
          }
        }
      });
    });
  }
});

describe('example "03 Invoice lifecycle on the emulator" runs end to end', () => {
  let emulator: CryptopayEmulator;
  let flow: LoadedFlow | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCryptopayEmulator();
  });
  after(async () => {
    await flow?.close();
    await helper.unload();
    await helper.stopServer();
    await emulator.stop();
  });

  it('creates an invoice, simulates the payment and routes every callback', async () => {
    // Debug nodes become helper nodes so the test can see what reaches them.
    const example: FlowJson = retarget(readExample('03'), emulator.url).map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n));
    const gateway = example.find((n) => n.type === 'paywire-gateway')!;
    flow = await loadFlow(example, { [gateway.id]: gatewayCredentials() }, { extraNodes: CORE_NODES, productionLike: true });
    emulator.setCallback(`${flow.httpUrl}/paywire/callback`);
    const byName = (name: string): string => example.find((n) => n.name === name)!.id;
    const created = collect(byName('invoice created'));
    const open = collect(byName('open'));
    const paid = collect(byName('paid'));
    const attention = collect(byName('needs attention'));
    const refunded = collect(byName('refunded'));
    const closed = collect(byName('closed'));
    const failures = collect(byName('invoice error'));

    helper.getNode(byName('pay exactly')).receive({});
    helper.getNode(byName('underpay')).receive({});
    const made = (await created.next(2)) as Msg[];
    assert.ok(made.every((m) => m.paywire.state === 'pending'));
    // Every callback routed once: two open events per invoice, one paid, one needing attention, nothing else.
    await expectRouted({ open: 4, paid: 1, attention: 1, refunded: 0, closed: 0, failures: 0 }, { open, paid, attention, refunded, closed, failures });
    const [done] = paid.messages as Msg[];
    const [stuck] = attention.messages as Msg[];
    assert.equal(done!.paywire.state, 'completed');
    assert.deepEqual([stuck!.paywire.state, stuck!.paywire.reason], ['action_required', 'underpaid']);
    assert.deepEqual(new Set([done!.payload.id, stuck!.payload.id]), new Set(made.map((m) => m.payload.id)));
  });
});

describe('examples 05 (payout with approval) and 06 (ledger to CSV) run end to end', () => {
  let emulator: CryptopayEmulator;
  let flow: LoadedFlow | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCryptopayEmulator();
  });
  afterEach(async () => {
    await flow?.close();
    flow = undefined;
    await helper.unload();
  });
  after(async () => {
    await helper.stopServer();
    await emulator.stop();
  });

  async function loadExample(name: string, edit: (text: string) => string = (t) => t): Promise<{ example: FlowJson; byName: (n: string) => string }> {
    const text = edit(JSON.stringify(retarget(readExample(name), emulator.url)));
    const example = (JSON.parse(text) as FlowJson).map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n));
    const gateway = example.find((n) => n.type === 'paywire-gateway')!;
    flow = await loadFlow(example, { [gateway.id]: gatewayCredentials() }, { extraNodes: CORE_NODES });
    return { example, byName: (n: string) => example.find((x) => x.name === n)!.id };
  }

  it('05 creates the payout in two steps, approves it on its fee and commits it', async () => {
    const { byName } = await loadExample('05');
    const sent = collect(byName('payout sent'));
    helper.getNode(byName('pay 100 EUR out in BTC')).receive({});
    const [msg] = (await sent.next(1)) as Msg[];
    assert.equal(msg!.payload.status, 'pending');
    assert.match(msg!.payload.custom_id, /^pw-/);
  });

  it('06 writes yesterday’s ledger to a CSV file, header once, one line per row', async () => {
    const client = new CryptopayClient({ baseUrl: emulator.url, apiKey: 'emu-key', apiSecret: 'emu-secret' });
    for (let i = 0; i < 3; i++) {
      const invoice = await client.invoices.create({ price_amount: '10', price_currency: 'EUR', pay_currency: 'BTC' });
      await emulator.pay(invoice.id, 'exact');
    }
    await client.close();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-csv-'));
    const { byName } = await loadExample('06', (t) => t.split('/tmp/paywire-ledger-').join(`${dir}/ledger-`));
    helper.getNode(byName('every night at 02:00')).receive({ payload: Date.now() });
    await waitUntil(() => fs.readdirSync(dir).length > 0 && fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), 'utf8').trim().split('\n').length >= 4, 10_000, 'CSV lines');
    const lines = fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'created_at,id,reference_type,reference_id,amount,currency,balance,fee,state');
    assert.equal(lines.filter((l) => l.startsWith('created_at')).length, 1, 'header once');
    const invoiceLines = lines.slice(1).filter((l) => l.includes(',Invoice,'));
    assert.equal(invoiceLines.length, 3, lines.join('\n'));
    assert.ok(invoiceLines.every((l) => l.endsWith(',completed')), lines.join('\n'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('example "09 CryptoPay payment orders on the emulator" runs end to end', () => {
  const fx = usePoNodeRed();

  it('registers the webhook endpoint, creates three orders, plays the payer and routes every webhook by state', async () => {
    const port = await freePort();
    const text = JSON.stringify(readExample('09'))
      .split('http://127.0.0.1:4030')
      .join(fx.emulator.url)
      .split('http://127.0.0.1:1880')
      .join(`http://127.0.0.1:${port}`);
    const example = (JSON.parse(text) as FlowJson).map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n));
    const gateway = example.find((n) => n.type === 'paywire-gateway')!;
    assert.equal(gateway.provider, 'payment-orders');
    fx.flow = await loadFlow(example, { [gateway.id]: { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET } }, { extraNodes: CORE_NODES, productionLike: true, port });
    const byName = (name: string): string => example.find((n) => n.name === name)!.id;
    const errors = collect(byName('payment error'));
    const registered = collect(byName('endpoint registered'));
    helper.getNode(byName('register webhook endpoint')).receive({});
    const [endpoint] = (await registered.next(1)) as Msg[];
    assert.equal(endpoint!.payload.url, `http://127.0.0.1:${port}/paywire/payment-orders`);

    const created = collect(byName('order created'));
    const open = collect(byName('open'));
    const paid = collect(byName('paid'));
    const closed = collect(byName('closed'));
    const attention = collect(byName('needs attention'));
    const refunded = collect(byName('refunded'));
    for (const name of ['order paid', 'order whose payment fails', 'order nobody pays']) helper.getNode(byName(name)).receive({});
    const orders = (await created.next(3)) as Msg[];
    assert.ok(orders.every((m) => m.paywire.state === 'pending' && typeof m.payload.nonce === 'number'));
    // Every webhook routed once: two payments seen, one paid, one failed and one expired, nothing else.
    await expectRouted({ open: 2, paid: 1, closed: 2, attention: 0, refunded: 0, errors: 0 }, { open, paid, closed, attention, refunded, errors }, 10_000);
    const [done] = paid.messages as Msg[];
    const ended = closed.messages as Msg[];
    assert.equal(done!.paywire.state, 'completed');
    assert.equal(done!.payload.amount, '25.00');
    assert.deepEqual(ended.map((m) => m.paywire.state).sort(), ['expired', 'failed']);
    assert.deepEqual(new Set([done, ...ended].map((m) => m!.paywire.id)), new Set(orders.map((m) => m.payload.order_id)));

    const lists: Record<string, number> = {};
    for (const [inject, debug] of [['list orders', 'orders'], ['list transactions', 'transactions'], ['list wallets', 'wallets']] as const) {
      const seen = collect(byName(debug));
      helper.getNode(byName(inject)).receive({});
      lists[debug] = ((await seen.next(1)) as Msg[])[0]!.payload.length;
    }
    assert.deepEqual(lists, { orders: 3, transactions: 2, wallets: 5 });
    assert.equal(errors.messages.length, 0);
  });
});
