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
import { collect, delay, expectRouted, freePort, helper, loadFlow, waitUntil } from '../support/node-red';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import type { LoadedFlow } from '../support/node-red';
import { listExamples, readExample, retarget } from '../support/examples';
import type { FlowJson } from '../support/examples';
import { REPO_ROOT } from '../support/paths';
import { gatewayCredentials, startCryptopayEmulator } from '../support/emulator';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { usePoNodeRed } from '../support/po-node-red';
import type { CpgEmulator } from '../../emulator/cpg';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { cpgCredentials, startCpgEmulator } from '../support/emulator';
import { EXAMPLE_PORTS, retargetUrls } from '../../scripts/example-flows';
import { deployFlows, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { NodeRedProcess } from '../../scripts/node-red-runner';
import { startRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';

type Msg = Record<string, any>;

const CORE_NODES = [injectNode, debugNode, commentNode, catchNode, changeNode, httpRequestNode, splitNodes, switchNode, csvNode, fileNodes];
const CORE_TYPES = new Set(['tab', 'comment', 'inject', 'debug', 'catch', 'change', 'http request', 'join', 'switch', 'csv', 'file']);
const PACKAGE = '@paywire/node-red-crypto-payments';

/** The example's debug nodes as helper nodes, so a test sees what reaches them. */
function debugAsHelper(flow: FlowJson): FlowJson {
  return flow.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, name: n.name } : n));
}

/** The node an http request node (by name) hands its answer to: the debug showing the emulator's answer. */
function answerNodeOf(flow: FlowJson, requestName: string): string {
  const request = flow.find((n) => n.type === 'http request' && n.name === requestName)!;
  const target = request.wires!.flat().map((id) => flow.find((n) => n.id === id)!).find((n) => n.name === 'emulator answer');
  assert.ok(target, `${requestName} shows its answer`);
  return target.id;
}

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

describe('the examples import together', () => {
  const examples = listExamples();
  const nodes = examples.flatMap(({ file, flow }) => flow.map((node) => ({ file, node })));

  it('share one gateway per provider and environment: the same id, name and settings in every example', () => {
    const gateways = nodes.filter(({ node }) => node.type === 'paywire-gateway');
    const byId = new Map<string, FlowJson[number]>();
    const idOf = new Map<string, string>();
    for (const { file, node } of gateways) {
      const first = byId.get(node.id);
      if (first) assert.deepEqual(node, first, `${file}: gateway ${node.id} differs from its copy in another example`);
      else byId.set(node.id, node);
      for (const [key, value] of [
        [`name ${String(node.name)}`, node.id],
        [`${String(node.provider)} ${String(node.environment)}`, node.id],
      ] as const) {
        assert.equal(idOf.get(key) ?? value, value, `${file}: ${key} is used by two gateways`);
        idOf.set(key, value);
      }
    }
    assert.deepEqual([...byId.keys()].sort(), ['pw-gateway-cpg-emulator', 'pw-gateway-cryptopay-emulator', 'pw-gateway-cryptopay-sandbox', 'pw-gateway-payment-orders-emulator']);
    // Every other node id is unique across the examples, so only the gateways meet on import.
    const others = nodes.filter(({ node }) => node.type !== 'paywire-gateway').map(({ node }) => node.id);
    assert.equal(new Set(others).size, others.length, 'node ids are unique across the examples');
  });

  it('listen on distinct callback paths', () => {
    const paths = nodes.filter(({ node }) => node.type === 'paywire-callback').map(({ file, node }) => `${String(node.path)} (${file})`);
    assert.equal(new Set(paths.map((p) => p.split(' ')[0])).size, paths.length, paths.join(', '));
  });

  it('write files under the Node-RED user directory, never /tmp', () => {
    for (const { file, flow } of examples) assert.ok(!JSON.stringify(flow).includes('/tmp'), `${file} names /tmp`);
    const ledger = readExample('06');
    const filename = ledger.find((n) => n.type === 'change' && (n.rules as Array<{ p: string }>).some((r) => r.p === 'filename'))!;
    assert.match(JSON.stringify(filename.rules), /\.node-red\/paywire-ledger/);
  });

  it('include a sandbox variant of the invoice and callback example: no credentials, the steps in the tab info', () => {
    const sandbox = readExample('sandbox');
    const gateway = sandbox.find((n) => n.type === 'paywire-gateway')!;
    assert.deepEqual([gateway.provider, gateway.environment, gateway.credentials], ['cryptopay', 'sandbox', undefined]);
    const info = String(sandbox.find((n) => n.type === 'tab')!.info);
    for (const step of ['https://business-sandbox.cryptopay.me/auth/signup', 'Test connection', 'Callback URL', '/paywire/sandbox', 'hosted_page_url']) assert.ok(info.includes(step), step);
    assert.deepEqual(
      sandbox.filter((n) => n.type.startsWith('paywire-') && n.type !== 'paywire-gateway').map((n) => n.type).sort(),
      ['paywire-callback', 'paywire-invoice', 'paywire-status'],
    );
  });
});

describe('every example imported into ONE Node-RED at once', function () {
  this.timeout(120_000);
  let workDir: string;
  let nodeRed: NodeRedProcess | undefined;
  let cryptopay: CryptopayEmulator;
  let cpg: CpgEmulator;
  let orders: PaymentOrdersEmulator;
  let redis: RedisServer;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-examples-'));
    [cryptopay, cpg, orders, redis] = await Promise.all([startCryptopayEmulator(), startCpgEmulator(), startPoEmulator(), startRedisServer()]);
  });
  after(async () => {
    await nodeRed?.stop();
    await Promise.all([cryptopay?.stop(), cpg?.stop(), orders?.stop(), redis?.dispose()]);
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** Node-RED's warnings and errors logged since `from` (an offset into its output). */
  const problemsSince = (from: number): string[] =>
    nodeRed!
      .output()
      .slice(from)
      .split('\n')
      .filter((line) => /\[(warn|error)\]/.test(line));

  it('deploys with no error or warning in the log, and again without registering the webhook endpoint twice', async () => {
    const port = await freePort();
    const ports = { editor: port, cryptopay: new URL(cryptopay.url).port, cpg: new URL(cpg.url).port, paymentOrders: new URL(orders.url).port };
    const union = new Map<string, FlowJson[number]>();
    for (const { flow } of listExamples()) {
      const moved = JSON.parse(retargetUrls(JSON.stringify(flow), EXAMPLE_PORTS, { editor: port, cryptopay: +ports.cryptopay, cpg: +ports.cpg, paymentOrders: +ports.paymentOrders })) as FlowJson;
      for (const node of moved) union.set(node.id, node);
    }
    const flows = [...union.values()];
    const credentials: Record<string, Record<string, string>> = {};
    for (const gateway of flows.filter((n) => n.type === 'paywire-gateway' && n.environment === 'custom')) {
      credentials[gateway.id] =
        gateway.provider === 'cpg' ? cpgCredentials() : gateway.provider === 'payment-orders' ? { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET } : gatewayCredentials();
    }
    assert.equal(Object.keys(credentials).length, 3, 'three emulator gateways; the sandbox one has no credentials');
    // The Redis example's URL is left for the user; here it is a private redis-server.
    for (const store of flows.filter((n) => n.type === 'paywire-redis')) credentials[store.id] = { url: redis.url() };

    const userDir = path.join(workDir, 'user');
    linkPackage(userDir, REPO_ROOT, PACKAGE);
    // "Node-RED" writes the ledger example's files here (its LEDGER_DIR default is ~/.node-red).
    const running = await startNodeRed({ userDir, port, env: { HOME: workDir } });
    nodeRed = running;
    const endpoints = (method: string): Array<{ status: number }> => orders.requests().filter((r) => r.method === method && /^\/api\/webhook-endpoints\/?$/.test(r.path));
    const registrations = (): number => endpoints('POST').filter((r) => r.status === 201).length;
    const endpointLists = (): number => endpoints('GET').length;

    for (const round of [1, 2]) {
      const from = running.output().length;
      await deployFlows(running.url, flows, credentials);
      // The payment-orders example registers its endpoint on deploy (a list, then a create when missing).
      await waitUntil(() => endpointLists() >= round, 15_000, `the endpoint check of deploy ${round}`);
      await delay(1500);
      assert.match(running.output().slice(from), /Started flows/);
      assert.deepEqual(problemsSince(from), [], `deploy ${round} logged warnings or errors`);
      assert.equal(registrations(), 1, `after deploy ${round}: one webhook endpoint`);
    }
    const deployed = (await (await fetch(`${running.url}/flows`)).json()) as FlowJson;
    assert.equal(deployed.filter((n) => n.type === 'tab').length, listExamples().length, 'one tab per example');
    assert.equal(deployed.filter((n) => n.type === 'paywire-gateway').length, 4, 'one gateway per provider and environment');
  });
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
    const example = debugAsHelper(retarget(readExample('03'), emulator.url));
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
    const answers = collect(answerNodeOf(example, 'emulator: pay'));

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

    // The emulator's answers show in the debug sidebar, and so does a refusal: paying an invoice
    // that is already paid, as a second click on the wrong button would.
    const accepted = (await answers.next(2)) as Msg[];
    assert.deepEqual(accepted.map((m) => m.statusCode), [200, 200]);
    helper.getNode(example.find((n) => n.name === 'emulator: pay')!.id).receive({ invoiceId: done!.payload.id, payload: { scenario: 'exact' } });
    const [refused] = ((await answers.next(3)) as Msg[]).slice(2);
    assert.equal(refused!.statusCode, 422, JSON.stringify(refused!.payload));
    assert.match(JSON.stringify(refused!.payload), /only new invoices can be paid/);
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
    const example = debugAsHelper(JSON.parse(text) as FlowJson);
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

  it('06 writes each night’s ledger to a new CSV file under LEDGER_DIR, each file with its header, one line per row', async () => {
    const client = new CryptopayClient({ baseUrl: emulator.url, apiKey: 'emu-key', apiSecret: 'emu-secret' });
    for (let i = 0; i < 3; i++) {
      const invoice = await client.invoices.create({ price_amount: '10', price_currency: 'EUR', pay_currency: 'BTC' });
      await emulator.pay(invoice.id, 'exact');
    }
    await client.close();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-csv-'));
    try {
      // The tab's environment variable, as a user sets it in the tab's properties.
      const { byName } = await loadExample('06', (t) => {
        const flow = JSON.parse(t) as FlowJson;
        flow[0]!.env = [{ name: 'LEDGER_DIR', value: dir, type: 'str' }];
        return JSON.stringify(flow);
      });
      const csvFiles = (): string[] => fs.readdirSync(dir).filter((f) => /^ledger-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.csv$/.test(f));
      const lines = (file: string): string[] => fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n');
      const complete = (): boolean => csvFiles().length > 0 && csvFiles().every((f) => lines(f).filter((l) => l.includes(',Invoice,')).length === 3);
      helper.getNode(byName('every night at 02:00')).receive({ payload: Date.now() });
      await waitUntil(complete, 10_000, 'the first CSV file');
      // The next night's run (a second later here) writes a file of its own.
      await delay(1100);
      helper.getNode(byName('every night at 02:00')).receive({ payload: Date.now() });
      await waitUntil(() => csvFiles().length === 2 && complete(), 10_000, 'the second CSV file');
      for (const file of csvFiles()) {
        const rows = lines(file);
        assert.equal(rows[0], 'created_at,id,reference_type,reference_id,amount,currency,balance,fee,state', `${file} starts with its header`);
        assert.equal(rows.filter((l) => l.startsWith('created_at')).length, 1, `${file}: header once`);
        const invoiceLines = rows.slice(1).filter((l) => l.includes(',Invoice,'));
        assert.equal(invoiceLines.length, 3, rows.join('\n'));
        assert.ok(invoiceLines.every((l) => l.endsWith(',completed')), rows.join('\n'));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
    const example = debugAsHelper(JSON.parse(text) as FlowJson);
    const gateway = example.find((n) => n.type === 'paywire-gateway')!;
    assert.equal(gateway.provider, 'payment-orders');
    fx.flow = await loadFlow(example, { [gateway.id]: { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET } }, { extraNodes: CORE_NODES, productionLike: true, port });
    const byName = (name: string): string => example.find((n) => n.name === name)!.id;
    const errors = collect(byName('payment error'));
    const registered = collect(byName('endpoint registered'));
    const already = collect(byName('endpoint already registered'));
    // Deploying registers the endpoint by itself (the inject fires once).
    const [endpoint] = (await registered.next(1, 10_000)) as Msg[];
    assert.equal(endpoint!.payload.url, `http://127.0.0.1:${port}/paywire/payment-orders`);
    // Pressing it again (or deploying again) finds it registered and adds no second one.
    helper.getNode(byName('register endpoint')).receive({ payload: { url: endpoint!.payload.url } });
    const [found] = (await already.next(1)) as Msg[];
    assert.equal(found!.endpointUrl, endpoint!.payload.url);
    assert.equal(registered.messages.length, 1);

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

    // The emulator's answers show in the debug sidebar, refusals too: expiring the paid order.
    const expireAnswers = collect(answerNodeOf(example, 'emulator: expire'));
    helper.getNode(example.find((n) => n.name === 'emulator: expire')!.id).receive({ orderId: done!.paywire.id, payload: {} });
    const [refused] = (await expireAnswers.next(1)) as Msg[];
    assert.equal(refused!.statusCode, 409, JSON.stringify(refused!.payload));
  });
});
