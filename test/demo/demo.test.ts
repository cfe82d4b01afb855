/**
 * `npm start` as a newcomer meets it: the demo never deploys into a program it did not start
 * (a foreign HTTP server or a real Node-RED on its port), says in one line which port is busy
 * and which variable moves it, keeps the user's edits across restarts, and `--reset` brings
 * the example flows back. The demo runs as its own process, as `npm start` runs it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, PortTakenError, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { demoEnv, running, runDemo, stopDemo } from '../support/demo';
import type { Demo } from '../support/demo';

/** An HTTP server that answers every request 200 with JSON (as a Node-RED's /settings would) and keeps a list of them. */
async function foreignServer(): Promise<{ server: http.Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ httpNodeRoot: '/', version: '4.1.0' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

function close(server: net.Server): Promise<void> {
  (server as http.Server).closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The refusal: exactly one line, naming the port, what it is for and the variable to set. */
function assertOneRefusal(demo: Demo, port: number, what: string, variable: string): void {
  const lines = demo.stderr().trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${demo.stderr()}`);
  assert.match(lines[0]!, new RegExp(`^Port ${port} \\(${what}\\) is in use by another program`));
  assert.match(lines[0]!, new RegExp(`Set ${variable} to a free port, e\\.g\\. ${variable}=\\d+ npm start\\.$`));
  assert.doesNotMatch(demo.stderr(), /EADDRINUSE|at .*\.js:\d+/, 'no raw error or stack');
  assert.doesNotMatch(demo.stdout(), /Paywire demo is running/);
}

describe('npm start (scripts/demo.ts)', function () {
  this.timeout(150_000);
  let workDir: string;

  beforeEach(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-demo-'));
  });
  afterEach(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('refuses a foreign HTTP server on the editor port in one line, and sends it nothing', async () => {
    const foreign = await foreignServer();
    try {
      const demo = runDemo(await demoEnv(path.join(workDir, 'demo'), { PAYWIRE_DEMO_PORT: String(foreign.port) }));
      assert.equal(await demo.exited, 1);
      assertOneRefusal(demo, foreign.port, 'Node-RED editor', 'PAYWIRE_DEMO_PORT');
      assert.deepEqual(foreign.requests.filter((r) => r.startsWith('POST')), [], 'nothing was posted to it');
      assert.equal(fs.existsSync(path.join(workDir, 'demo', 'flows.json')), false);
    } finally {
      await close(foreign.server);
    }
  });

  it('refuses a real Node-RED without admin auth on the editor port: its flows stay as they were', async () => {
    const port = await freePort();
    // Audit logging lists every admin call, so each deploy it received shows in its log.
    const theirs = await startNodeRed({ userDir: path.join(workDir, 'theirs'), port, settings: { logging: { console: { level: 'info', audit: true } } } });
    try {
      const mine: FlowNode[] = [
        { id: 'their-tab', type: 'tab', label: 'their own flow' },
        { id: 'their-inject', type: 'inject', z: 'their-tab', name: 'theirs', props: [], wires: [] },
      ];
      await deployFlows(theirs.url, mine);
      const before = (await (await fetch(`${theirs.url}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } })).json()) as { rev: string; flows: FlowNode[] };
      const deploys = (): number => theirs.output().split('"event":"flows.set"').length - 1;
      assert.equal(deploys(), 1, 'the audit log counts deploys');

      const demo = runDemo(await demoEnv(path.join(workDir, 'demo'), { PAYWIRE_DEMO_PORT: String(port) }));
      assert.equal(await demo.exited, 1);
      assertOneRefusal(demo, port, 'Node-RED editor', 'PAYWIRE_DEMO_PORT');
      const after = (await (await fetch(`${theirs.url}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } })).json()) as { rev: string; flows: FlowNode[] };
      assert.equal(after.rev, before.rev);
      assert.deepEqual(after.flows, before.flows);
      assert.equal(deploys(), 1, 'no deploy reached it');
    } finally {
      await theirs.stop();
    }
  });

  it('names a busy emulator port and its variable in one line (no bare EADDRINUSE), before starting anything', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const busy = (holder.address() as AddressInfo).port;
    try {
      for (const [variable, what] of [
        ['PAYWIRE_EMULATOR_PORT', 'Cryptopay emulator'],
        ['PAYWIRE_CPG_EMULATOR_PORT', 'CPG emulator'],
        ['PAYWIRE_PO_EMULATOR_PORT', 'payment-orders emulator'],
      ] as const) {
        const env = await demoEnv(path.join(workDir, 'demo'), { [variable]: String(busy) });
        const demo = runDemo(env);
        assert.equal(await demo.exited, 1);
        assertOneRefusal(demo, busy, what, variable);
        // Nothing was left listening: the editor port is still free.
        const probe = net.createServer();
        await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(Number(env.PAYWIRE_DEMO_PORT), '127.0.0.1', resolve));
        await close(probe);
      }
    } finally {
      await close(holder);
    }
  });

  it('refuses a port variable that is not a port, in one line', async () => {
    const demo = runDemo(await demoEnv(path.join(workDir, 'demo'), { PAYWIRE_PO_EMULATOR_PORT: 'eighty' }));
    assert.equal(await demo.exited, 1);
    assert.equal(demo.stderr().trim(), 'PAYWIRE_PO_EMULATOR_PORT=eighty is not a port number (1 to 65535).');
  });

  it('keeps the edits a user deployed across a restart (on other ports too); --reset brings the examples back', async () => {
    const dir = path.join(workDir, 'demo');
    const flowsOf = async (env: Record<string, string>): Promise<FlowNode[]> =>
      (await (await fetch(`http://127.0.0.1:${env.PAYWIRE_DEMO_PORT}/flows`, { headers: { accept: 'application/json' } })).json()) as FlowNode[];
    const cryptopayGateway = (flows: FlowNode[]): FlowNode => flows.find((n) => n.type === 'paywire-gateway' && n.provider === 'cryptopay')!;

    const firstEnv = await demoEnv(dir);
    const first = runDemo(firstEnv);
    await running(first);
    const deployed = await flowsOf(firstEnv);
    const inject = deployed.find((n) => n.type === 'inject' && n.name === 'pay exactly');
    assert.ok(inject, 'the demo deployed the invoice lifecycle example');
    // The user renames a node and deploys, as the editor does (credentials stay stored).
    inject.name = 'pay exactly (my edit)';
    await deployFlows(`http://127.0.0.1:${firstEnv.PAYWIRE_DEMO_PORT}`, deployed);
    await stopDemo(first);

    // Again, with every port moved: the edit is kept and the flows follow the new ports.
    const secondEnv = await demoEnv(dir);
    const second = runDemo(secondEnv);
    await running(second);
    assert.match(second.stdout(), /Your flows from the last run were kept .*pointed at this run’s ports/);
    const kept = await flowsOf(secondEnv);
    assert.ok(kept.some((n) => n.name === 'pay exactly (my edit)'), 'the edit survived the restart');
    assert.equal(cryptopayGateway(kept).baseUrl, `http://127.0.0.1:${secondEnv.PAYWIRE_EMULATOR_PORT}`);
    assert.ok(!JSON.stringify(kept).includes(`127.0.0.1:${firstEnv.PAYWIRE_EMULATOR_PORT}`), 'no address of the old ports is left');
    // The kept flows still work: the stored credentials reach the emulator on its new port.
    const test = await fetch(`http://127.0.0.1:${secondEnv.PAYWIRE_DEMO_PORT}/paywire/gateways/${cryptopayGateway(kept).id}/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'cryptopay', environment: 'custom', baseUrl: cryptopayGateway(kept).baseUrl, credentials: { apiKey: '__PWRD__', apiSecret: '__PWRD__' } }),
    });
    assert.equal(((await test.json()) as { ok: boolean }).ok, true);
    await stopDemo(second);

    const resetEnv = await demoEnv(dir);
    const reset = runDemo(resetEnv, ['--reset']);
    await running(reset);
    assert.doesNotMatch(reset.stdout(), /were kept/);
    const fresh = await flowsOf(resetEnv);
    assert.ok(fresh.some((n) => n.name === 'pay exactly') && !fresh.some((n) => n.name === 'pay exactly (my edit)'), 'the examples are back');
    await stopDemo(reset);
  });
});

describe('scripts/node-red-runner: deploys only to the Node-RED it started', function () {
  this.timeout(90_000);
  let workDir: string;
  let started: NodeRedProcess | undefined;

  beforeEach(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-runner-'));
  });
  afterEach(async () => {
    await started?.stop();
    started = undefined;
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  // The demo checks its ports first; this is the case where another program takes the port
  // between that check and Node-RED's listen, and answers there instead.
  for (const [what, answer] of [
    ['answers /settings like a Node-RED', undefined],
    ['even claims a token, not ours', { token: 'guessed' }],
  ] as const) {
    it(`refuses a server that took the port first and ${what}`, async () => {
      const requests: string[] = [];
      const server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer ?? { httpNodeRoot: '/', version: '4.1.0' }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      try {
        await assert.rejects(
          async () => {
            started = await startNodeRed({ userDir: path.join(workDir, 'user'), port });
          },
          (err: unknown) => err instanceof PortTakenError && err.port === port,
        );
        assert.ok(requests.length > 0, 'it was asked who it is');
        assert.deepEqual(
          requests.filter((r) => !r.startsWith('GET ')),
          [],
          'only questions, no deploy',
        );
      } finally {
        await close(server);
      }
    });
  }

  it('answers its own token, readable only by this user', async () => {
    started = await startNodeRed({ userDir: path.join(workDir, 'user'), port: await freePort() });
    await started.confirmOwn();
    assert.equal(fs.statSync(path.join(workDir, 'user', 'settings.js')).mode & 0o077, 0);
  });
});
