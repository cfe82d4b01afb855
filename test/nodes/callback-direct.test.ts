/**
 * paywire-callback answers from its raw-body capture, ahead of Express's routing. In a real
 * Node-RED: that path still verifies and answers like the routed one, and when httpNodeAuth is
 * set the request goes through Node-RED's basic auth first.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { NodeRedProcess } from '../../scripts/node-red-runner';
import { cryptopayInvoiceCallback } from '../support/callbacks';
import { REPO_ROOT } from '../support/paths';

const CALLBACK_SECRET = 'direct-callback-secret';

async function startWith(settings: Record<string, unknown>, probeHeaders: Record<string, string> = {}): Promise<{ nodeRed: NodeRedProcess; userDir: string }> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-direct-'));
  linkPackage(userDir, REPO_ROOT, '@paywire/node-red-crypto-payments');
  const nodeRed = await startNodeRed({ userDir, port: await freePort(), settings: { logging: { console: { level: 'error' } }, ...settings } });
  await deployFlows(
    nodeRed.url,
    [
      { id: 'tab', type: 'tab', label: 'direct' },
      { id: 'gw', type: 'paywire-gateway', provider: 'cryptopay', environment: 'sandbox', baseUrl: '', timeout: 30 },
      { id: 'cb', type: 'paywire-callback', z: 'tab', x: 100, y: 100, gateway: 'gw', path: '/hooks/cryptopay', wires: [[]] },
    ],
    { gw: { callbackSecret: CALLBACK_SECRET } },
  );
  // The deploy may answer before the flows have started: wait for the route (an unsigned POST
  // gets 401 once it exists, 404 before; with basic auth the probe carries the credentials).
  const started = Date.now();
  while ((await fetch(`${nodeRed.url}/hooks/cryptopay`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', ...probeHeaders } })).status === 404) {
    if (Date.now() - started > 15_000) throw new Error(`the callback route never appeared:\n${nodeRed.output().slice(-1500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { nodeRed, userDir };
}

function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}/hooks/cryptopay`, { method: 'POST', body, headers });
}

describe('paywire-callback answered ahead of Express routing (real Node-RED)', function () {
  this.timeout(60_000);

  it('verifies and answers from the capture: 200 for a signed callback, 401 for a forged one, 200 again for its duplicate', async () => {
    const { nodeRed, userDir } = await startWith({});
    try {
      const callback = cryptopayInvoiceCallback(CALLBACK_SECRET, 'direct-1');
      const ok = await post(nodeRed.url, callback.body, callback.headers);
      assert.equal(ok.status, 200);
      assert.match(ok.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await ok.json(), { received: true });
      const forged = await post(nodeRed.url, callback.body, { ...callback.headers, 'x-cryptopay-signature': '0'.repeat(64) });
      assert.equal(forged.status, 401);
      assert.deepEqual(await forged.json(), { error: 'bad_signature' });
      const again = await post(nodeRed.url, callback.body, callback.headers);
      assert.equal(again.status, 200);
      // Anything but a POST to the path still goes through Express (404 from Node-RED).
      assert.equal((await fetch(`${nodeRed.url}/hooks/cryptopay`)).status, 404);
    } finally {
      await nodeRed.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });

  it('with httpNodeAuth set, a callback without the credentials gets Node-RED’s 401 and one with them is taken', async () => {
    // A 32-hex password is Node-RED's legacy MD5 form of httpNodeAuth.pass.
    const pass = createHash('md5').update('hook-password').digest('hex');
    const authorization = `Basic ${Buffer.from('hook:hook-password').toString('base64')}`;
    const { nodeRed, userDir } = await startWith({ httpNodeAuth: { user: 'hook', pass } }, { authorization });
    try {
      const callback = cryptopayInvoiceCallback(CALLBACK_SECRET, 'direct-auth-1');
      const anonymous = await post(nodeRed.url, callback.body, callback.headers);
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/);
      const authorized = await post(nodeRed.url, callback.body, { ...callback.headers, authorization });
      assert.equal(authorized.status, 200);
      assert.deepEqual(await authorized.json(), { received: true });
    } finally {
      await nodeRed.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });
});
