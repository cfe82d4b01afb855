/**
 * The seam between providers and nodes: Tollgate, a provider defined only under test/support,
 * is registered with one line and then works through the unchanged nodes — listed in the
 * editor's catalog, an invoice created through paywire-invoice, a signed webhook verified by
 * paywire-callback, its statuses mapped into the shared vocabulary by its own status table.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerProvider } from '../../lib/providers';
import { collect, helper, loadFlow, waitUntil } from '../support/node-red';
import type { LoadedFlow } from '../support/node-red';
import { tollgateProvider } from '../support/tollgate';
import { tollgateSignature } from '../support/tollgate/callbacks';

const TOKEN = 'tollgate-token';
const SECRET = 'tollgate-webhook-secret';

/** A loopback Tollgate: POST /bills with the bearer token makes an open bill. */
function startTollgate(): Promise<{ url: string; bills: unknown[]; close(): Promise<void> }> {
  const bills: unknown[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return res.writeHead(401).end('{"error":"unauthorized"}');
      if (req.method !== 'POST' || req.url !== '/bills') return res.writeHead(404).end('{"error":"not found"}');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { amount: string; currency: string };
      const bill = { id: `bill_${bills.length + 1}`, status: 'open', amount: body.amount, currency: body.currency };
      bills.push(body);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(bill));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        bills,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

describe('a fourth provider, registered from outside nodes/ and resources/', function () {
  let unregister: () => void;
  let tollgate: Awaited<ReturnType<typeof startTollgate>>;
  let flow: LoadedFlow | undefined;

  before(async () => {
    unregister = registerProvider(tollgateProvider);
    tollgate = await startTollgate();
    await helper.startServer();
  });
  after(async () => {
    await flow?.close();
    await helper.unload();
    await helper.stopServer();
    await tollgate.close();
    unregister();
  });

  it('appears in the editor catalog, creates through paywire-invoice, verifies through paywire-callback and maps its statuses', async () => {
    flow = await loadFlow(
      [
        { id: 'tab', type: 'tab' },
        { id: 'gw', type: 'paywire-gateway', provider: 'tollgate', environment: 'custom', baseUrl: tollgate.url, timeout: 5, version: 2 },
        { id: 'inv', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', params: {}, version: 2, wires: [['created']] },
        { id: 'created', type: 'helper', z: 'tab' },
        { id: 'cb', type: 'paywire-callback', z: 'tab', gateway: 'gw', path: '/tollgate/webhook', version: 2, wires: [['webhooks']] },
        { id: 'webhooks', type: 'helper', z: 'tab' },
        { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'tab' },
      ],
      { gw: { apiKey: TOKEN, callbackSecret: SECRET } },
    );

    // The editor's catalog lists it, with its own credentials and operations.
    const catalog = (await helper.request().get('/paywire/catalog').expect(200)).body as { providers: Array<Record<string, any>> };
    const listed = catalog.providers.find((p) => p.id === 'tollgate');
    assert.ok(listed, 'tollgate is in the catalog');
    assert.deepEqual(listed.credentials.map((c: { name: string }) => c.name), ['apiKey', 'callbackSecret']);
    assert.deepEqual(listed.resources.invoice.map((op: { name: string }) => op.name), ['create']);
    assert.deepEqual(listed.resources.invoice[0].fields.map((f: { name: string; kind: string }) => [f.name, f.kind]), [['amount', 'decimal'], ['currency', 'string']]);

    // In German, with the texts its own folder carries (texts.de.ts); the rest stays English.
    const german = (await helper.request().get('/paywire/catalog?lng=de').expect(200)).body as { language: string; providers: Array<Record<string, any>> };
    assert.equal(german.language, 'de');
    const listedDe = german.providers.find((p) => p.id === 'tollgate')!;
    assert.equal(listedDe.label, 'Tollgate (nur zum Testen)');
    assert.equal(listedDe.resources.invoice[0].label, 'Rechnung stellen');
    assert.equal(listedDe.resources.invoice[0].nodeLabel, 'Rechnung stellen');
    assert.equal(listedDe.resources.invoice[0].description, 'Bills the customer an amount.');
    assert.equal(listedDe.credentials[0].label, 'Access token');
    // Its texts are its own: another provider's "Create invoice" is still German in its part.
    assert.equal(german.providers.find((p) => p.id === 'cryptopay')!.resources.invoice[0].label, 'Rechnung erstellen');

    // An operation through paywire-invoice, amounts kept as decimal strings.
    const created = collect('created');
    const caught = collect('caught');
    helper.getNode('inv').receive({ payload: { amount: '12.50', currency: 'EUR' } });
    await waitUntil(() => created.messages.length + caught.messages.length > 0, 5000, 'the create answer');
    assert.deepEqual(caught.messages, []);
    const msg = created.messages[0] as Record<string, any>;
    assert.deepEqual(tollgate.bills, [{ amount: '12.50', currency: 'EUR' }]);
    assert.deepEqual(msg.paywire, { provider: 'tollgate', resource: 'invoice', id: 'bill_1', state: 'pending', reason: null, final: false });

    // A signed webhook through paywire-callback, its status mapped; a forged one is refused.
    const webhooks = collect('webhooks');
    const url = `${flow.httpUrl}/tollgate/webhook`;
    const body = JSON.stringify({ id: 'bill_1', status: 'settled', amount: '12.50', currency: 'EUR' });
    const forged = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-tollgate-signature': tollgateSignature('guess', body) } });
    assert.equal(forged.status, 401);
    const signed = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-tollgate-signature': tollgateSignature(SECRET, body) } });
    assert.equal(signed.status, 200);
    await waitUntil(() => webhooks.messages.length > 0, 5000, 'the settled bill');
    assert.equal(webhooks.messages.length, 1, 'the forged webhook did not reach the flow');
    const settled = webhooks.messages[0] as Record<string, any>;
    assert.deepEqual(settled.payload, JSON.parse(body));
    assert.deepEqual(settled.paywire, { provider: 'tollgate', resource: 'invoice', id: 'bill_1', state: 'completed', reason: null, final: true, event: 'bill.settled' });
  });
});
