/**
 * `npm start`: the three gateway emulators, a real Node-RED with this package, and one example
 * per gateway deployed and wired to its emulator (the Cryptopay invoice lifecycle, CPG deposits
 * and payouts, CryptoPay payment orders), callbacks and webhooks included.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CpgEmulator, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, DEFAULT_WEBHOOK_SECRET } from '../emulator/cpg';
import { CryptopayEmulator } from '../emulator/cryptopay';
import { DEFAULT_PO_PASSWORD, DEFAULT_PO_USERNAME, DEFAULT_PO_WEBHOOK_SECRET, PaymentOrdersEmulator } from '../emulator/payment-orders';
import { deployFlows, linkPackage, startNodeRed } from './node-red-runner';
import type { FlowNode } from './node-red-runner';

const ROOT = path.resolve(__dirname, '..', '..');
const USER_DIR = path.join(ROOT, '.demo');
const EDITOR_PORT = Number(process.env.PAYWIRE_DEMO_PORT ?? 1880);
const PORTS = {
  cryptopay: Number(process.env.PAYWIRE_EMULATOR_PORT ?? 4010),
  cpg: Number(process.env.PAYWIRE_CPG_EMULATOR_PORT ?? 4020),
  paymentOrders: Number(process.env.PAYWIRE_PO_EMULATOR_PORT ?? 4030),
};
const CRYPTOPAY = { apiKey: 'emu-key', apiSecret: 'emu-secret', callbackSecret: 'emu-callback-secret' };
const CPG = { apiKey: DEFAULT_KEY_ID, apiSecret: DEFAULT_KEY_SECRET, callbackSecret: DEFAULT_WEBHOOK_SECRET };
const PAYMENT_ORDERS = { username: DEFAULT_PO_USERNAME, password: DEFAULT_PO_PASSWORD, callbackSecret: DEFAULT_PO_WEBHOOK_SECRET };

/** An example flow with the addresses it was written for replaced by the running ones. */
function example(prefix: string, replace: Record<string, string>): FlowNode[] {
  const file = fs.readdirSync(path.join(ROOT, 'examples')).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no example ${prefix}`);
  let text = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return JSON.parse(text) as FlowNode[];
}

function gatewayOf(flow: FlowNode[]): string {
  const gateway = flow.find((n) => n.type === 'paywire-gateway');
  if (!gateway) throw new Error('a demo example has no gateway');
  return gateway.id;
}

async function main(): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string };
  const cryptopay = new CryptopayEmulator({
    credentials: { [CRYPTOPAY.apiKey]: CRYPTOPAY.apiSecret },
    callbackSecret: CRYPTOPAY.callbackSecret,
    // Payment events arrive a second apart so they can be watched in the debug sidebar.
    eventSpacingMs: 1000,
  });
  const cpg = new CpgEmulator();
  const paymentOrders = new PaymentOrdersEmulator();
  const emulators = [cryptopay, cpg, paymentOrders];
  const stopEmulators = (): Promise<unknown> => Promise.all(emulators.map((e) => e.stop()));
  const cryptopayUrl = (await cryptopay.start(PORTS.cryptopay)).url;
  const cpgUrl = (await cpg.start(PORTS.cpg)).url;
  const paymentOrdersUrl = (await paymentOrders.start(PORTS.paymentOrders)).url;

  linkPackage(USER_DIR, ROOT, pkg.name);
  const nodeRed = await startNodeRed({ userDir: USER_DIR, port: EDITOR_PORT, settings: { logging: { console: { level: 'warn' } } }, echo: process.stderr });

  const invoices = example('03', { 'http://127.0.0.1:4010': cryptopayUrl });
  const deposits = example('08', { 'http://127.0.0.1:4020': cpgUrl });
  // Example 09 registers its own webhook endpoint at the editor's address.
  const orders = example('09', { 'http://127.0.0.1:4030': paymentOrdersUrl, 'http://127.0.0.1:1880': nodeRed.url });
  await deployFlows(nodeRed.url, [...invoices, ...deposits, ...orders], {
    [gatewayOf(invoices)]: CRYPTOPAY,
    [gatewayOf(deposits)]: CPG,
    [gatewayOf(orders)]: PAYMENT_ORDERS,
  });
  cryptopay.setCallback(`${nodeRed.url}/paywire/callback`, CRYPTOPAY.callbackSecret);
  // CPG registers webhooks on its dashboard; the emulator's control stands in for it.
  cpg.registerWebhook({ url: `${nodeRed.url}/cpg/webhook`, secret: CPG.callbackSecret });

  console.log(`
Paywire demo is running.

  Node-RED editor                ${nodeRed.url}/
  Cryptopay emulator             ${cryptopayUrl}  (key emu-key, secret emu-secret, callback secret emu-callback-secret)
  CPG emulator                   ${cpgUrl}  (key id ${CPG.apiKey}, secret ${CPG.apiSecret})
  Payment-orders emulator        ${paymentOrdersUrl}  (user ${PAYMENT_ORDERS.username}, password ${PAYMENT_ORDERS.password})

Open the tab "Paywire: invoice lifecycle (emulator)", click one of the inject buttons
(pay exactly, underpay, overpay, pay late, high-risk) and watch the debug sidebar:
the invoice is created, the emulator simulates the payment, and its signed callbacks
arrive at the callback node and are routed by payment state. The tabs for CPG and
CryptoPay payment orders work the same way against their own emulators.

Press Ctrl+C to stop.`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await nodeRed.stop();
    await stopEmulators();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  nodeRed.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`Node-RED stopped (exit code ${String(code)})`);
      void stopEmulators().then(() => process.exit(1));
    }
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
