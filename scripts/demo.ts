/**
 * `npm start`: the Cryptopay emulator, a real Node-RED with this package, and the
 * "invoice lifecycle" example deployed and wired to the emulator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CryptopayEmulator } from '../emulator/cryptopay';
import { deployFlows, linkPackage, startNodeRed } from './node-red-runner';
import type { FlowNode } from './node-red-runner';

const ROOT = path.resolve(__dirname, '..', '..');
const USER_DIR = path.join(ROOT, '.demo');
const EDITOR_PORT = Number(process.env.PAYWIRE_DEMO_PORT ?? 1880);
const EMULATOR_PORT = Number(process.env.PAYWIRE_EMULATOR_PORT ?? 4010);
const CREDENTIALS = { apiKey: 'emu-key', apiSecret: 'emu-secret', callbackSecret: 'emu-callback-secret' };
const EXAMPLE = path.join(ROOT, 'examples', '03 Invoice lifecycle on the emulator.json');

async function main(): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string };
  const emulator = new CryptopayEmulator({
    credentials: { [CREDENTIALS.apiKey]: CREDENTIALS.apiSecret },
    callbackSecret: CREDENTIALS.callbackSecret,
    // Payment events arrive a second apart so they can be watched in the debug sidebar.
    eventSpacingMs: 1000,
  });
  const { url: emulatorUrl } = await emulator.start(EMULATOR_PORT);

  linkPackage(USER_DIR, ROOT, pkg.name);
  const nodeRed = await startNodeRed({ userDir: USER_DIR, port: EDITOR_PORT, settings: { logging: { console: { level: 'warn' } } }, echo: process.stderr });

  const flow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8').split('http://127.0.0.1:4010').join(emulatorUrl)) as FlowNode[];
  const gateway = flow.find((n) => n.type === 'paywire-gateway');
  if (!gateway) throw new Error('the demo example has no gateway');
  await deployFlows(nodeRed.url, flow, { [gateway.id]: CREDENTIALS });
  emulator.setCallback(`${nodeRed.url}/paywire/callback`, CREDENTIALS.callbackSecret);

  console.log(`
Paywire demo is running.

  Node-RED editor      ${nodeRed.url}/
  Cryptopay emulator   ${emulatorUrl}  (key emu-key, secret emu-secret, callback secret emu-callback-secret)

Open the tab "Paywire: invoice lifecycle (emulator)", click one of the inject buttons
(pay exactly, underpay, overpay, pay late, high-risk) and watch the debug sidebar:
the invoice is created, the emulator simulates the payment, and its signed callbacks
arrive at the callback node and are routed by payment state.

Press Ctrl+C to stop.`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await nodeRed.stop();
    await emulator.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  nodeRed.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`Node-RED stopped (exit code ${String(code)})`);
      void emulator.stop().then(() => process.exit(1));
    }
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
