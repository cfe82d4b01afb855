/**
 * `npm start`: the three gateway emulators, a real Node-RED with this package, and one example
 * per gateway deployed and wired to its emulator (the Cryptopay invoice lifecycle, CPG deposits
 * and payouts, CryptoPay payment orders), callbacks and webhooks included.
 *
 * It never touches a program it did not start: every port is checked before anything starts,
 * and the flows go only to the Node-RED child that shows this run's token (node-red-runner).
 * The flows live in the demo's user directory; a later `npm start` keeps what the user changed
 * there, and `npm start -- --reset` deploys the examples afresh.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CpgEmulator, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, DEFAULT_WEBHOOK_SECRET } from '../emulator/cpg';
import { CryptopayEmulator } from '../emulator/cryptopay';
import { DEFAULT_PO_PASSWORD, DEFAULT_PO_USERNAME, DEFAULT_PO_WEBHOOK_SECRET, PaymentOrdersEmulator } from '../emulator/payment-orders';
import { EXAMPLE_PORTS, readExampleText, retargetUrls } from './example-flows';
import type { PortName, Ports } from './example-flows';
import { deployFlows, linkPackage, portIsFree, PortTakenError, startNodeRed } from './node-red-runner';
import type { FlowNode } from './node-red-runner';

const ROOT = path.resolve(__dirname, '..', '..');

/** What `npm start` listens on; each can be moved with its environment variable. */
const PORTS: Record<PortName, { variable: string; what: string }> = {
  editor: { variable: 'PAYWIRE_DEMO_PORT', what: 'Node-RED editor' },
  cryptopay: { variable: 'PAYWIRE_EMULATOR_PORT', what: 'Cryptopay emulator' },
  cpg: { variable: 'PAYWIRE_CPG_EMULATOR_PORT', what: 'CPG emulator' },
  paymentOrders: { variable: 'PAYWIRE_PO_EMULATOR_PORT', what: 'payment-orders emulator' },
};

const CRYPTOPAY = { apiKey: 'emu-key', apiSecret: 'emu-secret', callbackSecret: 'emu-callback-secret' };
const CPG = { apiKey: DEFAULT_KEY_ID, apiSecret: DEFAULT_KEY_SECRET, callbackSecret: DEFAULT_WEBHOOK_SECRET };
const PAYMENT_ORDERS = { username: DEFAULT_PO_USERNAME, password: DEFAULT_PO_PASSWORD, callbackSecret: DEFAULT_PO_WEBHOOK_SECRET };
/** The examples deployed, by file prefix, with what each tab shows. */
const DEMO_EXAMPLES: Array<{ prefix: string; shows: string }> = [
  { prefix: '03', shows: 'Cryptopay invoices: pay exactly, underpay, overpay, pay late, high-risk' },
  { prefix: '08', shows: 'CPG: a deposit address, the payer sends, a payout' },
  { prefix: '09', shows: 'CryptoPay payment orders: paid, failed, expired' },
];

/** Why the demo will not start, in one line for the person who ran it. */
class Refusal extends Error {}

function demoDir(): string {
  const configured = process.env.PAYWIRE_DEMO_DIR;
  return configured ? path.resolve(configured) : path.join(ROOT, '.demo');
}

function readPorts(): Ports {
  const ports = {} as Ports;
  for (const [name, setting] of Object.entries(PORTS) as Array<[PortName, (typeof PORTS)[PortName]]>) {
    const raw = process.env[setting.variable];
    const port = raw === undefined || raw === '' ? EXAMPLE_PORTS[name] : Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Refusal(`${setting.variable}=${raw ?? ''} is not a port number (1 to 65535).`);
    ports[name] = port;
  }
  const taken = new Map<number, PortName>();
  for (const [name, port] of Object.entries(ports) as Array<[PortName, number]>) {
    const other = taken.get(port);
    if (other) throw new Refusal(`${PORTS[other].variable} and ${PORTS[name].variable} are both ${port}; give each its own port.`);
    taken.set(port, name);
  }
  return ports;
}

/** A free port near `port` that none of the demo's own ports uses, to suggest in a refusal. */
async function suggestPort(port: number, ports: Ports): Promise<number | undefined> {
  const ours = new Set(Object.values(ports));
  for (let candidate = port + 1; candidate <= Math.min(port + 50, 65535); candidate++) {
    if (!ours.has(candidate) && (await portIsFree(candidate))) return candidate;
  }
  return undefined;
}

async function busyPortLine(name: PortName, ports: Ports): Promise<string> {
  const { variable, what } = PORTS[name];
  const free = await suggestPort(ports[name], ports);
  const example = free ? `, e.g. ${variable}=${free} npm start` : '';
  return `Port ${ports[name]} (${what}) is in use by another program, so the demo did not start and changed nothing there. Set ${variable} to a free port${example}.`;
}

/** Checked before anything starts, so a busy port stops the demo before it has done anything. */
async function checkPortsFree(ports: Ports): Promise<void> {
  const lines: string[] = [];
  for (const name of Object.keys(PORTS) as PortName[]) {
    if (!(await portIsFree(ports[name]))) lines.push(await busyPortLine(name, ports));
  }
  if (lines.length > 0) throw new Refusal(lines.join('\n'));
}

/** The demo examples with the addresses they were written for replaced by this run's. */
function demoFlows(ports: Ports): FlowNode[] {
  return DEMO_EXAMPLES.flatMap(({ prefix }) => JSON.parse(retargetUrls(readExampleText(prefix), EXAMPLE_PORTS, ports)) as FlowNode[]);
}

/** One line per demo tab, with its label as the editor shows it. */
function tabLines(): string {
  const tabs = DEMO_EXAMPLES.map(({ prefix, shows }) => {
    const tab = (JSON.parse(readExampleText(prefix)) as FlowNode[]).find((n) => n.type === 'tab');
    return { label: `"${String(tab?.label)}"`, shows };
  });
  const width = Math.max(...tabs.map((t) => t.label.length));
  return tabs.map((t) => `  ${t.label.padEnd(width)}  ${t.shows}`).join('\n');
}

/** Credentials of the demo's gateways, by gateway id, matched by provider. */
function gatewayCredentials(flows: FlowNode[]): Record<string, Record<string, string>> {
  const byProvider: Record<string, Record<string, string>> = { cryptopay: CRYPTOPAY, cpg: CPG, 'payment-orders': PAYMENT_ORDERS };
  const credentials: Record<string, Record<string, string>> = {};
  for (const node of flows) {
    if (node.type === 'paywire-gateway' && typeof node.provider === 'string' && byProvider[node.provider]) credentials[node.id] = byProvider[node.provider]!;
  }
  return credentials;
}

/** The user's flows from an earlier run, kept; `--reset` removes them. */
class DemoFlows {
  readonly flowsFile: string;
  private readonly stateFile: string;

  constructor(readonly dir: string) {
    this.flowsFile = path.join(dir, 'flows.json');
    this.stateFile = path.join(dir, 'paywire-demo.json');
  }

  exists(): boolean {
    return fs.existsSync(this.flowsFile);
  }

  reset(): void {
    for (const file of ['flows.json', 'flows_cred.json', '.flows.json.backup', '.flows_cred.json.backup', 'paywire-demo.json']) fs.rmSync(path.join(this.dir, file), { force: true });
  }

  /** Points the kept flows at this run's ports when they were saved for others. */
  retarget(ports: Ports): boolean {
    const before = this.savedPorts();
    const text = fs.readFileSync(this.flowsFile, 'utf8');
    const after = retargetUrls(text, before, ports);
    if (after === text) return false;
    fs.writeFileSync(this.flowsFile, after);
    return true;
  }

  remember(ports: Ports): void {
    fs.writeFileSync(this.stateFile, `${JSON.stringify({ ports }, null, 2)}\n`);
  }

  private savedPorts(): Ports {
    try {
      const saved = (JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as { ports?: Partial<Ports> }).ports ?? {};
      return { ...EXAMPLE_PORTS, ...saved };
    } catch {
      return { ...EXAMPLE_PORTS };
    }
  }
}

function parseArgs(argv: string[]): { reset: boolean } {
  let reset = false;
  for (const arg of argv) {
    if (arg === '--reset') reset = true;
    else throw new Refusal(`Unknown option ${arg}; the demo knows only --reset (npm start -- --reset deploys the example flows afresh).`);
  }
  return { reset };
}

async function startEmulator(name: PortName, ports: Ports, start: () => Promise<{ url: string }>): Promise<string> {
  try {
    return (await start()).url;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Refusal(await busyPortLine(name, ports));
    throw err;
  }
}

async function main(): Promise<void> {
  const { reset } = parseArgs(process.argv.slice(2));
  const ports = readPorts();
  await checkPortsFree(ports);
  const flows = new DemoFlows(demoDir());
  if (reset) flows.reset();
  const keep = flows.exists();
  const moved = keep && flows.retarget(ports);

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
  const stopEmulators = (): Promise<unknown> => Promise.all(emulators.map((e) => e.stop().catch(() => undefined)));
  let nodeRed: Awaited<ReturnType<typeof startNodeRed>> | undefined;
  try {
    const cryptopayUrl = await startEmulator('cryptopay', ports, () => cryptopay.start(ports.cryptopay));
    const cpgUrl = await startEmulator('cpg', ports, () => cpg.start(ports.cpg));
    const paymentOrdersUrl = await startEmulator('paymentOrders', ports, () => paymentOrders.start(ports.paymentOrders));

    linkPackage(flows.dir, ROOT, pkg.name);
    try {
      nodeRed = await startNodeRed({ userDir: flows.dir, port: ports.editor, settings: { logging: { console: { level: 'error' } } }, echo: process.stderr });
    } catch (err) {
      if (err instanceof PortTakenError) throw new Refusal(await busyPortLine('editor', ports));
      throw err;
    }
    // Callbacks go to the callback nodes' paths in examples 03 and 08; CPG registers webhooks
    // on its dashboard, and the emulator's control stands in for it. Example 09 registers its
    // own webhook endpoint when it is deployed.
    cryptopay.setCallback(`${nodeRed.url}/paywire/callback`, CRYPTOPAY.callbackSecret);
    cpg.registerWebhook({ url: `${nodeRed.url}/cpg/webhook`, secret: CPG.callbackSecret });
    if (!keep) {
      const examples = demoFlows(ports);
      // The last check before anything is sent: the Node-RED on the port is still our child.
      await nodeRed.confirmOwn().catch(async (err: unknown) => {
        throw err instanceof PortTakenError ? new Refusal(await busyPortLine('editor', ports)) : err;
      });
      await deployFlows(nodeRed.url, examples, gatewayCredentials(examples));
    }
    flows.remember(ports);

    const kept = keep
      ? `\nYour flows from the last run were kept (${path.relative(process.cwd(), flows.flowsFile) || flows.flowsFile}${moved ? ', pointed at this run\u2019s ports' : ''}).\nnpm start -- --reset deploys the example flows afresh.\n`
      : '';
    console.log(`
Paywire demo is running.

  Node-RED editor                ${nodeRed.url}/
  Cryptopay emulator             ${cryptopayUrl}  (key emu-key, secret emu-secret, callback secret emu-callback-secret)
  CPG emulator                   ${cpgUrl}  (key id ${CPG.apiKey}, secret ${CPG.apiSecret})
  Payment-orders emulator        ${paymentOrdersUrl}  (user ${PAYMENT_ORDERS.username}, password ${PAYMENT_ORDERS.password})
${kept}
Open the editor. Three tabs, one per gateway, each with inject buttons on the left:
${tabLines()}
Click one and watch the debug sidebar: the request, the emulator's answer, then the signed
callbacks as they arrive, routed by payment state.

Press Ctrl+C to stop.`);
  } catch (err) {
    await nodeRed?.stop();
    await stopEmulators();
    throw err;
  }

  let stopping = false;
  const running = nodeRed;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running.stop();
    await stopEmulators();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  running.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`Node-RED stopped (exit code ${String(code)})`);
      void stopEmulators().then(() => process.exit(1));
    }
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Refusal ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
