/**
 * The package as users get it: `npm pack`, install the tarball into a fresh Node-RED user
 * directory, start a real Node-RED, and check the nodes load, an example deploys, and
 * signed callbacks become exactly one message each while forged ones get 401.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { CryptopayClient } from '../../lib/providers/cryptopay';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { PACKAGE, installPacked, packModule } from '../support/packed';
import { readExample, retarget } from '../support/examples';
import { startCryptopayEmulator } from '../support/emulator';
import { waitUntil } from '../support/node-red';

// Recognisable values so any leak into flows or logs is found by a plain search.
const KEY = 'pack-key-3b91';
const SECRET = 'pack-secret-7f3a02';
const CALLBACK_SECRET = 'pack-callback-9c1e55';
const TYPES = ['paywire-gateway', 'paywire-invoice', 'paywire-withdraw', 'paywire-transactions', 'paywire-api', 'paywire-callback', 'paywire-status', 'paywire-redis', 'paywire-watch'];

describe('packaged module in a real Node-RED', function () {
  this.timeout(180_000);
  let workDir: string;
  let packedFiles: string[] = [];
  let nodeRed: NodeRedProcess | undefined;
  let emulator: CryptopayEmulator;
  let sink: http.Server;
  const received: Array<Record<string, any>> = [];

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-pack-'));
    packedFiles = packModule().files;
    const userDir = installPacked(workDir);

    emulator = await startCryptopayEmulator({ credentials: { [KEY]: SECRET }, callbackSecret: CALLBACK_SECRET });
    sink = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    nodeRed = await startNodeRed({ userDir, port: await freePort() });
  });

  after(async () => {
    await nodeRed?.stop();
    await emulator?.stop();
    sink?.closeAllConnections();
    await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('ships the runtime, editor files, examples and README, and no tests, sources or emulator', () => {
    const files = packedFiles;
    for (const type of TYPES) {
      for (const f of [`dist/nodes/${type}.js`, `dist/nodes/${type}.html`, `dist/nodes/icons/${type}.svg`, `dist/nodes/locales/en-US/${type}.json`, `dist/nodes/locales/en-US/${type}.html`]) {
        assert.ok(files.includes(f), `missing ${f}`);
      }
    }
    assert.ok(files.includes('resources/paywire-editor.js'), 'missing the shared editor script');
    // The German catalog texts are compiled with each provider; no loose file is needed any more.
    for (const provider of ['cryptopay', 'cpg', 'payment-orders']) assert.ok(files.includes(`dist/lib/providers/${provider}/texts.de.js`), `missing the German catalog texts of ${provider}`);
    assert.ok(!files.some((f) => f.includes('catalog-locales')), 'a stale catalog-locales file is packed');
    assert.ok(files.some((f) => f.startsWith('examples/')));
    assert.ok(files.includes('README.md'));
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('dist/emulator/') || f.endsWith('.ts') || f.startsWith('test/')), files.join('\n'));
  });

  it('registers every node type from the installed module', async () => {
    const res = await fetch(`${nodeRed!.url}/nodes`, { headers: { accept: 'application/json' } });
    const sets = (await res.json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = sets.filter((s) => s.module === PACKAGE);
    assert.deepEqual(ours.flatMap((s) => s.types).sort(), [...TYPES].sort());
    for (const set of ours) {
      assert.equal(set.err, undefined, set.err);
      assert.ok(set.enabled);
    }
    const editor = await (await fetch(`${nodeRed!.url}/nodes`, { headers: { accept: 'text/html' } })).text();
    for (const type of TYPES) assert.match(editor, new RegExp(`registerType\\(\\s*['"]${type}['"]`));
    // The editor script the node forms share is served from the module's resources folder.
    const shared = await fetch(`${nodeRed!.url}/resources/${PACKAGE}/paywire-editor.js`);
    assert.equal(shared.status, 200);
    assert.match(await shared.text(), /window\.PaywireEditor\s*=/);
    const catalog = (await (await fetch(`${nodeRed!.url}/paywire/catalog`)).json()) as { language: string; providers: Array<{ id: string; label: string }> };
    assert.deepEqual(catalog.providers.map((p) => p.id), ['cryptopay', 'cpg', 'payment-orders']);
    // The installed module finds its German catalog texts.
    const german = (await (await fetch(`${nodeRed!.url}/paywire/catalog?lng=de-DE`)).json()) as typeof catalog;
    assert.deepEqual([catalog.language, german.language], ['en', 'de']);
    assert.equal(german.providers.find((p) => p.id === 'payment-orders')!.label, 'CryptoPay-Zahlungsaufträge');
  });

  it('deploys an example flow; signed callbacks give exactly one message each, forged ones 401 and none', async () => {
    const example = retarget(readExample('03'), emulator.url) as FlowNode[];
    const gateway = example.find((n) => n.type === 'paywire-gateway')!;
    const callback = example.find((n) => n.type === 'paywire-callback')!;
    // Alongside the example: forward everything the callback node emits to a local sink.
    const probe: FlowNode[] = [
      { id: 'probe1', type: 'change', z: callback.z, name: 'probe', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"id": payload.id, "paywire": paywire}', tot: 'jsonata' }], x: 400, y: 600, wires: [['probe2']] },
      { id: 'probe2', type: 'http request', z: callback.z, name: 'sink', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`, tls: '', persist: false, proxy: '', authType: '', senderr: false, headers: [], x: 600, y: 600, wires: [[]] },
    ];
    callback.wires = [[...((callback.wires as string[][])[0] ?? []), 'probe1']];
    await deployFlows(nodeRed!.url, [...example, ...probe], { [gateway.id]: { apiKey: KEY, apiSecret: SECRET, callbackSecret: CALLBACK_SECRET } });
    const deployed = (await (await fetch(`${nodeRed!.url}/flows`, { headers: { accept: 'application/json' } })).json()) as FlowNode[];
    assert.ok(deployed.some((n) => n.type === 'paywire-invoice'));
    for (const value of [SECRET, CALLBACK_SECRET]) assert.equal(JSON.stringify(deployed).includes(value), false, 'credentials are not in the flow');

    const callbackUrl = `${nodeRed!.url}/paywire/callback`;
    emulator.setCallback(callbackUrl, CALLBACK_SECRET);
    const client = new CryptopayClient({ baseUrl: emulator.url, apiKey: KEY, apiSecret: SECRET });
    const invoice = await client.invoices.create({ price_amount: '40', price_currency: 'EUR', pay_currency: 'BTC' });
    await client.close();
    await emulator.pay(invoice.id, 'exact');
    await waitUntil(() => received.length >= 3, 10_000, 'three callback messages');

    const body = JSON.stringify({ type: 'Invoice', event: 'status_changed', data: { ...invoice, status: 'completed' } });
    const good = createHmac('sha256', CALLBACK_SECRET).update(body).digest('hex');
    const attempts: Array<[string, Record<string, string>]> = [
      [body, {}],
      [body.replace('"completed"', '"cancelled"'), { 'x-cryptopay-signature': good }],
      [body, { 'x-cryptopay-signature': createHmac('sha256', 'guess').update(body).digest('hex') }],
    ];
    for (const [text, headers] of attempts) {
      const res = await fetch(callbackUrl, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } });
      assert.equal(res.status, 401);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      received.map((m) => [m.id, m.paywire.event, m.paywire.state]),
      [
        [invoice.id, 'transaction_created', 'confirming'],
        [invoice.id, 'transaction_confirmed', 'confirming'],
        [invoice.id, 'status_changed', 'completed'],
      ],
    );
    assert.doesNotMatch(nodeRed!.output(), new RegExp(`${SECRET}|${CALLBACK_SECRET}`));
    const flowFile = fs.readFileSync(path.join(workDir, 'user', 'flows.json'), 'utf8');
    assert.doesNotMatch(flowFile, new RegExp(`${KEY}|${SECRET}|${CALLBACK_SECRET}`));
  });
});
