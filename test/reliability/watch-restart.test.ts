/**
 * A watch whose list lives in a persistent context store (localfilesystem) resumes after a
 * real Node-RED restart: an invoice watched before the restart and paid while Node-RED was
 * down is reported once after it, and a further restart reports nothing again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { connect, getProvider } from '../../lib/providers';
import { deployFlows, freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { EMU_KEY, EMU_SECRET, startCryptopayEmulator } from '../support/emulator';
import { delay, waitUntil } from '../support/node-red';
import { REPO_ROOT } from '../support/paths';

const PACKAGE = '@paywire/node-red-crypto-payments';

interface Reported {
  id: string;
  state: string;
  previous: string | null;
  event: string;
}

function flow(emulatorUrl: string, sinkUrl: string): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'watch' },
    { id: 'gw', type: 'paywire-gateway', name: 'emulator', provider: 'cryptopay', environment: 'custom', baseUrl: emulatorUrl, timeout: 5, rateLimit: 6000, rateLimitWindow: 60 },
    { id: 'in', type: 'http in', z: 'tab', url: '/watch', method: 'post', upload: false, wires: [['unwrap', 'ok']] },
    { id: 'ok', type: 'http response', z: 'tab', statusCode: '204', headers: {}, wires: [] },
    {
      id: 'unwrap',
      type: 'change',
      z: 'tab',
      rules: [
        { t: 'set', p: 'paywire', pt: 'msg', to: 'payload.paywire', tot: 'msg' },
        { t: 'set', p: 'payload', pt: 'msg', to: 'payload.payload', tot: 'msg' },
        { t: 'delete', p: 'req', pt: 'msg' },
        { t: 'delete', p: 'res', pt: 'msg' },
      ],
      wires: [['watch']],
    },
    { id: 'watch', type: 'paywire-watch', z: 'tab', gateway: 'gw', interval: 0.1, timeout: 48, store: 'context', contextStore: 'file', wires: [['report']] },
    {
      id: 'report',
      type: 'change',
      z: 'tab',
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"id": paywire.id, "state": paywire.state, "previous": paywire.previous, "event": paywire.event}', tot: 'jsonata' }],
      wires: [['sink']],
    },
    { id: 'sink', type: 'http request', z: 'tab', method: 'POST', ret: 'txt', paytoqs: 'ignore', url: sinkUrl, tls: '', persist: false, proxy: '', authType: '', senderr: false, headers: [], wires: [[]] },
  ];
}

describe('paywire-watch across a Node-RED restart', function () {
  this.timeout(90_000);
  let workDir: string;
  let emulator: CryptopayEmulator;
  let sink: http.Server;
  let sinkUrl: string;
  let nodeRed: NodeRedProcess | undefined;
  const reported: Reported[] = [];

  const start = async (port: number): Promise<NodeRedProcess> => {
    nodeRed = await startNodeRed({
      userDir: path.join(workDir, 'user'),
      port,
      settings: { contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem', config: { flushInterval: 1 } } } },
    });
    return nodeRed;
  };

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-watch-restart-'));
    linkPackage(path.join(workDir, 'user'), REPO_ROOT, PACKAGE);
    emulator = await startCryptopayEmulator({ rateLimitPerMinute: 100_000 });
    sink = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        reported.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reported);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  });

  after(async () => {
    await nodeRed?.stop();
    sink?.closeAllConnections();
    await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
    await emulator?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('resumes the watch list from a localfilesystem context store and reports the change made while it was down, once', async () => {
    const conn = connect(getProvider('cryptopay')!, { baseUrl: emulator.url, credentials: { apiKey: EMU_KEY, apiSecret: EMU_SECRET }, timeoutMs: 5000 });
    const created = await conn.run('invoice', 'create', { price_amount: '100.00', price_currency: 'EUR', pay_currency: 'BTC' }, {});
    await conn.close();
    assert.equal(created.kind, 'object');
    if (created.kind !== 'object') return;
    const id = created.meta.id!;

    const port = await freePort();
    let running = await start(port);
    await deployFlows(running.url, flow(emulator.url, sinkUrl), { gw: { apiKey: EMU_KEY, apiSecret: EMU_SECRET } });
    // The deploy answers before the flow's routes are up.
    const send = (): Promise<Response> => fetch(`${running.url}/watch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload: created.payload, paywire: created.meta }) });
    let answer = await send();
    for (let i = 0; i < 50 && answer.status === 404; i++) {
      await delay(100);
      answer = await send();
    }
    assert.equal(answer.status, 204);
    const before = emulator.requestCount();
    await waitUntil(() => emulator.requestCount() >= before + 3, 10_000, 'a few polls before the restart');
    // The file store writes every second; let it write the list.
    await delay(1500);
    await running.stop();
    assert.deepEqual(reported, [], 'nothing changed while it ran');

    // Paid while Node-RED is down: only the watch can tell the flow.
    await emulator.pay(id, 'exact');
    const stored = fs.readdirSync(path.join(workDir, 'user', 'context'), { recursive: true }).map(String);
    assert.ok(stored.some((f) => f.endsWith('.json')), `the file store holds the list: ${stored.join(', ')}`);

    running = await start(port);
    await waitUntil(() => reported.length >= 1, 15_000, 'the change reported after the restart');
    await delay(500);
    assert.deepEqual(reported, [{ id, state: 'completed', previous: 'pending', event: 'status_changed' }]);
    const polls = emulator.requestCount();
    await delay(500);
    assert.equal(emulator.requestCount(), polls, 'final: no longer polled');
    await delay(1000);
    await running.stop();

    // Once more: the object was final, so nothing is watched, polled or reported again.
    running = await start(port);
    await delay(1500);
    assert.equal(reported.length, 1, 'reported once across restarts');
    assert.equal(emulator.requestCount(), polls, 'not polled after the second restart');
    assert.doesNotMatch(running.output(), /\[(error|warn)\].*paywire-watch/);
  });
});
