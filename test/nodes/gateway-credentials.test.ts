/**
 * The payment-orders username is not a secret: it is a `text` credential (shown in the
 * editor, still kept out of flow exports), while every secret stays a `password` one. A
 * gateway saved before this change (when the username was a password credential) needs no
 * config upgrade: Node-RED's credentials file has the same shape for both types. Here such a
 * file is written as an earlier release left it, and a real Node-RED must show the username,
 * still hide the secrets, and log in with what it stored.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { NodeRedProcess } from '../../scripts/node-red-runner';
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { PO_PASSWORD, PO_USER, PO_WEBHOOK_SECRET, startPoEmulator } from '../emulator/po-helpers';
import { REPO_ROOT } from '../support/paths';

/** The secret node-red-runner gives every Node-RED it starts (its settings.js). */
const CREDENTIAL_SECRET = 'paywire-local-only';

/** flows_cred.json as Node-RED writes it: AES-256-CTR under sha256(credentialSecret), IV in hex first. */
function writeCredentials(file: string, credentials: Record<string, Record<string, string>>): void {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(CREDENTIAL_SECRET).digest(), iv);
  const text = iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64');
  fs.writeFileSync(file, JSON.stringify({ $: text }));
}

describe('paywire-gateway: the payment-orders username is plain text, the secrets stay masked', function () {
  this.timeout(60_000);
  let workDir: string;
  let emulator: PaymentOrdersEmulator;
  let nodeRed: NodeRedProcess | undefined;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-gw-creds-'));
    emulator = await startPoEmulator();
  });
  after(async () => {
    await nodeRed?.stop();
    await emulator.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('reads a gateway saved by an earlier release: shows its username, hides the secrets, and logs in with them', async () => {
    const userDir = path.join(workDir, 'user');
    linkPackage(userDir, REPO_ROOT, '@paywire/node-red-crypto-payments');
    // The flow and credentials files an earlier release left (config version 2; all five credentials were password ones).
    fs.writeFileSync(
      path.join(userDir, 'flows.json'),
      JSON.stringify([{ id: 'gw-po', type: 'paywire-gateway', name: 'orders', version: 2, provider: 'payment-orders', environment: 'custom', baseUrl: emulator.url, timeout: 30 }]),
    );
    writeCredentials(path.join(userDir, 'flows_cred.json'), { 'gw-po': { username: PO_USER, password: PO_PASSWORD, callbackSecret: PO_WEBHOOK_SECRET } });
    nodeRed = await startNodeRed({ userDir, port: await freePort() });

    // What the edit dialog loads: the username as text, the secrets only as "one is set".
    const shown = (await (await fetch(`${nodeRed.url}/credentials/paywire-gateway/gw-po`)).json()) as Record<string, unknown>;
    assert.deepEqual(shown, { username: PO_USER, has_password: true, has_callbackSecret: true, has_apiKey: false, has_apiSecret: false });

    // "Test connection" as the dialog now sends it: the username as typed, the password untouched.
    const test = await fetch(`${nodeRed.url}/paywire/gateways/gw-po/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'payment-orders', environment: 'custom', baseUrl: emulator.url, timeout: 5, credentials: { username: PO_USER, password: '__PWRD__' } }),
    });
    const verdict = (await test.json()) as { ok: boolean; message: string };
    assert.equal(verdict.ok, true, verdict.message);
    assert.ok(emulator.requests().some((r) => r.path.startsWith('/api/auth/login') && r.status === 200), 'it logged in with the stored password');

    // The flow export still carries no credential at all, the username included.
    const flows = await (await fetch(`${nodeRed.url}/flows`)).text();
    for (const value of [PO_USER, PO_PASSWORD, PO_WEBHOOK_SECRET]) assert.ok(!flows.includes(`"${value}"`), `${value} is not in the flows`);
  });
});
