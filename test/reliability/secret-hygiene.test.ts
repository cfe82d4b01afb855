/**
 * Secret hygiene, end to end: a real Node-RED (child process, trace logging, audit and
 * metrics on) with gateways for all three providers, every credential set to a distinct
 * recognisable value, drives every node type and every operation, and the failure paths:
 * wrong credentials, gateway faults (4xx/5xx, dropped connections, retries), bad inputs,
 * an unreachable port, missing credentials, forged and malformed callbacks, Redis with a
 * wrong password, an unreachable Redis and an invalid Redis URL. Then everything a person or
 * a log collector can see is scanned for every secret (and the login tokens the gateway got):
 * the exported flows, every file of the user directory, the logs, every debug message, every
 * status text, every error a Catch node got, and every HTTP answer. Zero occurrences.
 *
 * The scan is shown able to fail: a canary (a function node that logs, sets a status, errors
 * and sends a planted secret) must be found in every channel, the decrypted credentials file
 * must hold every configured secret, and planted copies in each encoding must be found.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CryptopayEmulator } from '../../emulator/cryptopay';
import { CpgEmulator } from '../../emulator/cpg';
import { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { catalog } from '../../lib/providers';
import { deployFlows, freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { cpgDepositWebhook, cryptopayInvoiceCallback } from '../support/callbacks';
import type { SignedCallback } from '../support/callbacks';
import { connectComms } from '../support/comms';
import type { CommsClient } from '../support/comms';
import { createOrder, login } from '../emulator/po-helpers';
import { delay, waitUntil } from '../support/node-red';
import { REPO_ROOT } from '../support/paths';
import { startRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { SecretScanner, deepText, makeSecret } from '../support/secret-scan';
import type { Artifact, Secret } from '../support/secret-scan';

const PACKAGE = '@paywire/node-red-crypto-payments';
const SEED = 'paywire-hygiene-1';
const CREDENTIAL_SECRET = 'hygiene-credential-secret';

const s = (name: string, shape?: (tag: string) => string): Secret => makeSecret(name, SEED, shape);
// Every credential a flow can hold, each recognisable; some with characters that encode.
const S = {
  cpApiKey: s('cpApiKey'),
  cpApiSecret: s('cpApiSecret'),
  cpCallbackSecret: s('cpCallbackSecret'),
  cpApiKey2: s('cpApiKey2'),
  cpApiSecret2: s('cpApiSecret2'),
  cpBadKey: s('cpBadKey'),
  cpBadSecret: s('cpBadSecret'),
  cpgApiKey: s('cpgApiKey'),
  cpgApiSecret: s('cpgApiSecret'),
  cpgCallbackSecret: s('cpgCallbackSecret'),
  cpgBadKey: s('cpgBadKey'),
  cpgBadSecret: s('cpgBadSecret'),
  // Not a secret (the editor shows it, as a text credential), but kept out of logs and messages.
  poUsername: s('poUsername', (tag) => `merchant-${tag}`),
  poPassword: s('poPassword', (tag) => `pw-SECRET-${tag}-poPassword/+&= ok`),
  poApiKey: s('poApiKey'),
  poCallbackSecret: s('poCallbackSecret'),
  poBadPassword: s('poBadPassword'),
  poBadApiKey: s('poBadApiKey'),
  redisPassword: s('redisPassword', (tag) => `pw-SECRET-${tag}-redisPassword/x+y`),
  redisUser: s('redisUser'),
  redisUserPassword: s('redisUserPassword'),
  redisBadPassword: s('redisBadPassword'),
  redisDownPassword: s('redisDownPassword'),
  redisInvalidPassword: s('redisInvalidPassword'),
  typedApiKey: s('typedApiKey'),
  typedApiSecret: s('typedApiSecret'),
};
const MARKER = 'pw-SECRET-';
const CANARY = s('canary', (tag) => `pw-CANARY-${tag}`);

type Creds = Record<string, string>;

function headerText(headers: Headers): string {
  const lines: string[] = [];
  headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join('\n');
}

/** Node-RED's credential file format (aes-256-ctr, key = sha256 of credentialSecret). */
function decryptCredentials(file: string): Record<string, Creds> {
  const { $: text } = JSON.parse(fs.readFileSync(file, 'utf8')) as { $: string };
  const key = createHash('sha256').update(CREDENTIAL_SECRET).digest();
  const decipher = createDecipheriv('aes-256-ctr', key, Buffer.from(text.slice(0, 32), 'hex'));
  return JSON.parse(decipher.update(text.slice(32), 'base64', 'utf8') + decipher.final('utf8')) as Record<string, Creds>;
}

/** Sample inputs per provider, by field name; anything else gets a plain string. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  cryptopay: {
    price_amount: '10', price_currency: 'EUR', pay_currency: 'BTC', invoice_id: 'no-such-invoice', recalculation_id: 'r1',
    address: '2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm', charged_currency: 'EUR', received_currency: 'BTC', withdrawal_id: 'w1',
    account_id: 'a1', base_currency: 'BTC', quote_currency: 'EUR', currency: 'BTC', type: 'source_of_funds', name: 'hygiene',
    receiver_currency: 'EUR', channel_id: 'c1', channel_payment_id: 'p1', id: 'customer-1', customer_id: 'customer-1',
    amount: '10', period: 'month', period_quantity: 1, starts_at: '2030-01-01', payer_email: 'payer@example.com',
    subscription_id: 's1', exchange_transfer_id: 'e1',
  },
  cpg: { currency: 'USDT', network: 'ETH', to_address: `0x${'ab'.repeat(20)}`, amount: '1.5', request_id: 1, withdrawal_id: 1 },
  'payment-orders': {
    amount: '10.00', currency: 'USDC', blockchain: 'base', order_info: { product: 'hygiene' }, order_id: 'no-such-order',
    transaction_hash: `0x${'cd'.repeat(32)}`, address: `0x${'ef'.repeat(20)}`, wallet_id: 1, url: 'http://127.0.0.1:9/hook', webhook_endpoint_id: 1,
  },
};

interface Scenario {
  inject: string;
  /** On the tab without a Catch: the error is logged and shown in the debug sidebar, from this node. */
  uncaught?: string;
  payload: unknown;
  /** 'str' sends the payload as a plain string (a bad input). */
  type?: 'json' | 'str';
  before?: () => void | Promise<void>;
  after?: () => void | Promise<void>;
}

describe('secret hygiene: every credential set, every node and failure path, nothing leaks', function () {
  this.timeout(90_000);
  let workDir: string;
  let userDir: string;
  let cp: CryptopayEmulator;
  let cpg: CpgEmulator;
  let po: PaymentOrdersEmulator;
  let redis: RedisServer;
  let nodeRed: NodeRedProcess;
  let comms: CommsClient;
  const answers: Artifact[] = [];
  const artifacts: Artifact[] = [];
  let scenarios = 0;
  let callbacks = 0;
  let outcomes = 0;
  let scanner: SecretScanner;

  const flowNodes: FlowNode[] = [];
  const credentials: Record<string, Creds> = {};
  const scenarioList: Scenario[] = [];
  const injectFor = new Map<string, string>();

  function node(n: FlowNode): FlowNode {
    flowNodes.push({ z: 'tab', ...n });
    return n;
  }
  function gateway(id: string, provider: string, baseUrl: string, creds: Creds | undefined, extra: Record<string, unknown> = {}): void {
    flowNodes.push({ id, type: 'paywire-gateway', name: `gateway ${id}`, provider, environment: 'custom', baseUrl, timeout: 3, ...extra });
    if (creds) credentials[id] = creds;
  }
  /** An action node with its own inject in front, wired to the outputs (and the status router for invoices). */
  function action(id: string, type: string, gw: string, config: Record<string, unknown>, z = 'tab'): string {
    const wires = type === 'paywire-invoice' ? ['dbg-out', 'st'] : ['dbg-out'];
    node({ id, type, gateway: gw, listMode: 'all', maxRows: 5, params: {}, ...config, wires: [wires], z });
    node({ id: `inj-${id}`, type: 'inject', props: [{ p: 'payload' }], repeat: '', once: false, payload: '', payloadType: 'date', wires: [[id]], z });
    injectFor.set(id, `inj-${id}`);
    return id;
  }
  function run(id: string, payload: unknown, extra: Omit<Scenario, 'inject' | 'payload'> = {}): void {
    scenarioList.push({ inject: injectFor.get(id) ?? id, payload, ...extra });
  }

  async function admin(method: string, target: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(`${nodeRed.url}${target}`, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    answers.push({ name: `${method} ${target} (${res.status})`, text });
    return { status: res.status, text };
  }

  async function post(target: string, callback: SignedCallback | { body: string; headers: Record<string, string> }): Promise<number> {
    const res = await fetch(`${nodeRed.url}${target}`, { method: 'POST', body: callback.body, headers: callback.headers });
    answers.push({ name: `callback POST ${target} (${res.status})`, text: `${headerText(res.headers)}\n${await res.text()}` });
    callbacks++;
    return res.status;
  }

  const debugFrom = (ids: string[]): Array<{ id: string; topic?: unknown; msg?: unknown }> =>
    comms.events.filter((e) => e.topic === 'debug').map((e) => e.data as { id: string; topic?: unknown; msg?: unknown }).filter((d) => ids.includes(d.id));

  async function trigger(sc: Scenario): Promise<void> {
    const topic = `sc-${++scenarios}`;
    await sc.before?.();
    const value = sc.type === 'str' ? String(sc.payload) : JSON.stringify(sc.payload);
    const res = await admin('POST', `/inject/${sc.inject}`, {
      __user_inject_props__: [
        { p: 'payload', v: value, vt: sc.type ?? 'json' },
        { p: 'topic', v: topic, vt: 'str' },
      ],
    });
    if (res.status !== 200 && process.env.HYGIENE_DEBUG) console.log(nodeRed.output().slice(-8000));
    assert.equal(res.status, 200, `inject ${sc.inject}: ${res.text}`);
    try {
      const seen = sc.uncaught ? debugFrom([sc.uncaught]).length : 0;
      await waitUntil(
        () => (sc.uncaught ? debugFrom([sc.uncaught]).length > seen : debugFrom(['dbg-out', 'dbg-err']).some((d) => d.topic === topic)),
        8000,
        `an outcome of ${sc.inject}`,
      );
      outcomes++;
    } catch (err) {
      if (process.env.HYGIENE_DEBUG) console.log(nodeRed.output().slice(-6000), JSON.stringify(comms.events.slice(-10), null, 1));
      throw err;
    } finally {
      await sc.after?.();
    }
  }

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-hygiene-'));
    userDir = path.join(workDir, 'user');
    fs.mkdirSync(userDir);
    linkPackage(userDir, REPO_ROOT, PACKAGE);

    cp = new CryptopayEmulator({
      credentials: { [S.cpApiKey.value]: S.cpApiSecret.value, [S.cpApiKey2.value]: S.cpApiSecret2.value },
      callbackSecret: S.cpCallbackSecret.value,
      timeScale: 0.001,
    });
    await cp.start(0);
    cpg = new CpgEmulator({ keys: [{ keyId: S.cpgApiKey.value, secret: S.cpgApiSecret.value }], timeScale: 0.001 });
    await cpg.start(0);
    po = new PaymentOrdersEmulator({
      users: [{ username: S.poUsername.value, password: S.poPassword.value }],
      apiKeys: [S.poApiKey.value],
      webhookSecret: S.poCallbackSecret.value,
      timeScale: 0.001,
    });
    await po.start(0);
    redis = await startRedisServer({
      password: S.redisPassword.value,
      aclUsers: [`user ${S.redisUser.value} on >${S.redisUserPassword.value} ~* &* +@all`],
    });
    const closedPort = await freePort();
    const down = `http://127.0.0.1:${closedPort}`;
    const redisUrl = (auth: string, port = redis.port): string => `redis://${auth}@127.0.0.1:${port}/2`;

    flowNodes.push({ id: 'tab', type: 'tab', label: 'hygiene' });
    // Gateways: working ones for every provider and every login style, then every broken kind.
    // paywire-redis configurations: a password, an ACL user, and every broken kind. Gateways use
    // them for the shared rate limit (one working, one unreachable), callbacks for their claims.
    const enc = encodeURIComponent;
    const redisNode = (id: string, url: string): void => {
      flowNodes.push({ id, type: 'paywire-redis', name: `redis ${id}`, prefix: 'hy:', version: 1 });
      credentials[id] = { url };
    };
    redisNode('rd-pw', redisUrl(`:${enc(S.redisPassword.value)}`));
    redisNode('rd-user', redisUrl(`${enc(S.redisUser.value)}:${enc(S.redisUserPassword.value)}`));
    redisNode('rd-badpw', redisUrl(`:${S.redisBadPassword.value}`));
    redisNode('rd-down', redisUrl(`:${S.redisDownPassword.value}`, closedPort));
    redisNode('rd-invalid', `redis://:${S.redisInvalidPassword.value}@127.0.0.1:notaport/x?y#z`);
    gateway('gw-cp', 'cryptopay', cp.url, { apiKey: S.cpApiKey.value, apiSecret: S.cpApiSecret.value, callbackSecret: S.cpCallbackSecret.value }, { deadline: 1, redis: 'rd-pw' });
    gateway('gw-cp-rl', 'cryptopay', cp.url, { apiKey: S.cpApiKey2.value, apiSecret: S.cpApiSecret2.value }, { rateLimit: 1, rateLimitWindow: 60, rateLimitQueue: 0, redis: 'rd-down' });
    gateway('gw-cp-bad', 'cryptopay', cp.url, { apiKey: S.cpBadKey.value, apiSecret: S.cpBadSecret.value }, { deadline: 0 });
    gateway('gw-cp-wrongsecret', 'cryptopay', cp.url, { apiKey: S.cpApiKey.value, apiSecret: S.cpBadSecret.value }, { deadline: 0 });
    gateway('gw-cp-half', 'cryptopay', cp.url, { apiKey: S.cpApiKey.value });
    gateway('gw-cp-down', 'cryptopay', down, { apiKey: S.cpApiKey.value, apiSecret: S.cpApiSecret.value, callbackSecret: S.cpCallbackSecret.value }, { deadline: 0 });
    gateway('gw-cp-none', 'cryptopay', cp.url, undefined);
    gateway('gw-cpg', 'cpg', cpg.url, { apiKey: S.cpgApiKey.value, apiSecret: S.cpgApiSecret.value, callbackSecret: S.cpgCallbackSecret.value }, { deadline: 1 });
    gateway('gw-cpg-bad', 'cpg', cpg.url, { apiKey: S.cpgBadKey.value, apiSecret: S.cpgBadSecret.value }, { deadline: 0 });
    gateway('gw-cpg-wrongsecret', 'cpg', cpg.url, { apiKey: S.cpgApiKey.value, apiSecret: S.cpgBadSecret.value }, { deadline: 0 });
    gateway('gw-cpg-down', 'cpg', down, { apiKey: S.cpgApiKey.value, apiSecret: S.cpgApiSecret.value }, { deadline: 0 });
    gateway('gw-cpg-none', 'cpg', cpg.url, undefined);
    gateway('gw-po', 'payment-orders', po.url, { username: S.poUsername.value, password: S.poPassword.value, callbackSecret: S.poCallbackSecret.value }, { deadline: 1 });
    gateway('gw-po-key', 'payment-orders', po.url, { apiKey: S.poApiKey.value }, { deadline: 0 });
    gateway('gw-po-bad', 'payment-orders', po.url, { username: S.poUsername.value, password: S.poBadPassword.value }, { deadline: 0 });
    gateway('gw-po-badkey', 'payment-orders', po.url, { apiKey: S.poBadApiKey.value }, { deadline: 0 });
    gateway('gw-po-half', 'payment-orders', po.url, { username: S.poUsername.value });
    gateway('gw-po-down', 'payment-orders', down, { username: S.poUsername.value, password: S.poPassword.value }, { deadline: 0 });
    gateway('gw-po-none', 'payment-orders', po.url, undefined);

    // Every operation of every provider on its working gateway, through the node made for it.
    const dedicated: Record<string, string> = { invoice: 'paywire-invoice', withdrawal: 'paywire-withdraw', transaction: 'paywire-transactions' };
    const good: Record<string, string> = { cryptopay: 'gw-cp', cpg: 'gw-cpg', 'payment-orders': 'gw-po' };
    for (const provider of catalog().providers) {
      for (const [resource, ops] of Object.entries(provider.resources)) {
        for (const op of ops) {
          const type = dedicated[resource] ?? 'paywire-api';
          const id = action(`${provider.id}-${resource}-${op.name}`, type, good[provider.id]!, type === 'paywire-api' ? { resource, operation: op.name } : { operation: op.name });
          const payload: Record<string, unknown> = {};
          for (const f of op.fields) if (!f.generated) payload[f.name] = SAMPLES[provider.id]![f.name] ?? 'hygiene';
          run(id, payload);
        }
      }
    }
    // The same create and list on every broken gateway.
    for (const [gw, provider] of [
      ['gw-cp-bad', 'cryptopay'], ['gw-cp-wrongsecret', 'cryptopay'], ['gw-cp-half', 'cryptopay'], ['gw-cp-down', 'cryptopay'], ['gw-cp-none', 'cryptopay'],
      ['gw-cpg-bad', 'cpg'], ['gw-cpg-wrongsecret', 'cpg'], ['gw-cpg-down', 'cpg'], ['gw-cpg-none', 'cpg'],
      ['gw-po-key', 'payment-orders'], ['gw-po-bad', 'payment-orders'], ['gw-po-badkey', 'payment-orders'], ['gw-po-half', 'payment-orders'], ['gw-po-down', 'payment-orders'], ['gw-po-none', 'payment-orders'],
    ] as const) {
      const create = action(`${gw}-create`, 'paywire-invoice', gw, { operation: 'create' });
      const sample = SAMPLES[provider]!;
      run(create, provider === 'cryptopay' ? { price_amount: '10', price_currency: 'EUR', pay_currency: 'BTC' } : provider === 'cpg' ? { currency: sample.currency, network: sample.network } : { amount: '10.00', currency: 'USDC', blockchain: 'base', order_info: { a: 1 } });
      run(action(`${gw}-list`, 'paywire-transactions', gw, { operation: 'list' }), {});
    }
    // Bad inputs into working nodes.
    run('cryptopay-invoice-create', 'not an object', { type: 'str' });
    run('cryptopay-invoice-create', { price_amount: { nested: true }, price_currency: 12, pay_currency: null });
    run('cryptopay-withdrawal-create', { address: '', charged_currency: 'EUR', received_currency: 'BTC', amount: '-1' });
    run('cpg-withdrawal-create', { currency: 'USDT', network: 'NOPE', to_address: 'x', amount: 'lots' });
    run('payment-orders-invoice-create', { amount: '-5', currency: 'MATIC', blockchain: 'base', order_info: 'x' });
    run('payment-orders-invoice-get', { order_id: '../../etc/passwd' });
    // Gateway faults: 4xx/5xx answers, dropped connections, retries that give up, rate limits.
    // A 429 holds the key's queue until its reset: the last call on those keys.
    const faultRuns = (status: number): void => {
      run('cryptopay-invoice-list', {}, { before: () => void cp.injectFault({ method: 'GET', path: '^/api/invoices', mode: 'status', status, times: 100 }), after: () => cp.clearFaults() });
      run('payment-orders-invoice-list', {}, { before: () => void po.injectFault({ method: 'GET', path: '^/api/payment-orders', mode: 'status', status, times: 100 }), after: () => po.clearFaults() });
    };
    for (const status of [400, 401, 403, 404, 422, 500, 503]) faultRuns(status);
    for (const mode of ['drop_before', 'drop_after_commit'] as const) {
      run('cryptopay-invoice-create', SAMPLES.cryptopay, { before: () => void cp.injectFault({ method: 'POST', path: '^/api/invoices', mode, times: 100 }), after: () => cp.clearFaults() });
      run('payment-orders-invoice-create', SAMPLES['payment-orders'], { before: () => void po.injectFault({ method: 'POST', path: '^/api/payment-orders', mode, times: 100 }), after: () => po.clearFaults() });
      run('payment-orders-invoice-list', {}, { before: () => void po.injectFault({ method: 'POST', path: '^/api/auth/login', mode, times: 100 }), after: () => po.clearFaults() });
    }
    run('payment-orders-invoice-list', {}, { before: () => void po.expireTokens() });
    run('payment-orders-invoice-list', {}, { before: () => void po.injectFault({ method: 'POST', path: '^/api/auth/login', mode: 'status', status: 500, times: 100 }), after: () => po.clearFaults() });
    run('cpg-balance-list', {}, { before: () => cpg.setAuthServiceDown(true), after: () => cpg.setAuthServiceDown(false) });
    const rl = action('gw-cp-rl-list', 'paywire-api', 'gw-cp-rl', { resource: 'rate', operation: 'all' });
    run(rl, {});
    run(rl, {});
    faultRuns(429);

    // Failures nobody catches: Node-RED logs them and shows them in the debug sidebar.
    flowNodes.push({ id: 'tab2', type: 'tab', label: 'uncaught' });
    for (const [gw, payload] of [
      ['gw-cp-bad', SAMPLES.cryptopay], ['gw-cp-down', SAMPLES.cryptopay], ['gw-cp-none', SAMPLES.cryptopay], ['gw-cp', { price_amount: 'lots' }],
      ['gw-cpg-bad', SAMPLES.cpg], ['gw-cpg-down', SAMPLES.cpg], ['gw-po-bad', SAMPLES['payment-orders']], ['gw-po-down', SAMPLES['payment-orders']], ['gw-po-badkey', SAMPLES['payment-orders']],
    ] as const) {
      const id = action(`u-${gw}-${scenarioList.length}`, 'paywire-invoice', gw, { operation: 'create' }, 'tab2');
      run(id, payload, { uncaught: id });
    }
    node({ id: 'u-st', type: 'paywire-status', granularity: 'group', z: 'tab2', wires: [[], [], [], [], []] });
    node({ id: 'inj-u-st', type: 'inject', props: [{ p: 'payload' }], payload: '', payloadType: 'date', z: 'tab2', wires: [['u-st']] });
    run('inj-u-st', {}, { uncaught: 'u-st' });

    // Routing by state, with messages that have none.
    node({ id: 'st', type: 'paywire-status', granularity: 'state', wires: Array.from({ length: 20 }, () => ['dbg-out']) });
    node({ id: 'inj-st', type: 'inject', props: [{ p: 'payload' }], payload: '', payloadType: 'date', wires: [['st']] });
    run('inj-st', { paywire: 'none' });

    // Callback endpoints: each dedupe store, Redis with and without a user, broken Redis settings.
    const callback = (id: string, gw: string, urlPath: string, dedupe: Record<string, unknown>, redisCred?: string): void => {
      node({ id, type: 'paywire-callback', gateway: gw, path: urlPath, ...dedupe, wires: [['dbg-out', 'st']] });
      if (redisCred) credentials[id] = { redisUrl: redisCred };
    };
    const viaRedis = (rd: string): Record<string, unknown> => ({ dedupe: 'redis', redis: rd, version: 3 });
    callback('cb-cp', 'gw-cp', '/hy/cp', viaRedis('rd-pw'));
    callback('cb-cpg', 'gw-cpg', '/hy/cpg', viaRedis('rd-user'));
    callback('cb-po', 'gw-po', '/hy/po', { dedupe: 'context', contextStore: 'default' });
    callback('cb-badpw', 'gw-cp', '/hy/badpw', viaRedis('rd-badpw'));
    callback('cb-redisdown', 'gw-cp', '/hy/redisdown', viaRedis('rd-down'));
    callback('cb-invalid', 'gw-cp', '/hy/invalid', viaRedis('rd-invalid'));
    // A node saved before paywire-redis, with its own URL credential (config version 2).
    callback('cb-legacy', 'gw-cp', '/hy/legacy', { dedupe: 'redis', redisPrefix: 'hy:', version: 2 }, redisUrl(`:${enc(S.redisPassword.value)}`));
    callback('cb-none', 'gw-cp-none', '/hy/none', {});
    callback('cb-nogw', '', '/hy/nogw', {});

    // The canary: everything a node may do with a string, done with a planted secret.
    node({
      id: 'fn-canary',
      type: 'function',
      name: 'canary',
      func: `const c = ${JSON.stringify(CANARY.value)};\nnode.warn('canary ' + c);\nnode.status({ fill: 'red', shape: 'ring', text: c });\nnode.error('canary ' + c, msg);\nmsg.payload = c;\nreturn msg;`,
      outputs: 1,
      wires: [['dbg-out']],
    });
    node({ id: 'inj-canary', type: 'inject', props: [{ p: 'payload' }], payload: '', payloadType: 'date', wires: [['fn-canary']] });

    node({ id: 'cat', type: 'catch', scope: null, uncaught: false, wires: [['dbg-err']] });
    node({ id: 'cst', type: 'status', scope: null, wires: [['dbg-stat']] });
    for (const id of ['dbg-out', 'dbg-err', 'dbg-stat']) {
      node({ id, type: 'debug', name: `debug ${id}`, active: true, tosidebar: true, console: id === 'dbg-err', tostatus: false, complete: 'true', targetType: 'full', wires: [] });
    }

    nodeRed = await startNodeRed({
      userDir,
      port: await freePort(),
      settings: {
        credentialSecret: CREDENTIAL_SECRET,
        debugMaxLength: 1_000_000,
        logging: { console: { level: 'trace', metrics: true, audit: true } },
      },
    });
    comms = await connectComms(nodeRed.url);
    const started = (): number => nodeRed.output().split('Started flows').length;
    const before = started();
    await deployFlows(nodeRed.url, flowNodes, credentials);
    await waitUntil(() => started() > before, 15_000, 'the deployed flows to start');
  });

  after(async () => {
    comms?.close();
    await nodeRed?.stop();
    await Promise.all([cp?.stop(), cpg?.stop(), po?.stop(), redis?.dispose()]);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('drives every node, operation and failure path', async () => {
    for (const sc of scenarioList) await trigger(sc);
    await trigger({ inject: 'inj-canary', payload: {} });

    // The editor's "Test connection", with stored and with typed (unsaved) credentials.
    const keep = '__PWRD__';
    for (const [id, provider, baseUrl] of [
      ['gw-cp', 'cryptopay', cp.url], ['gw-cp-bad', 'cryptopay', cp.url], ['gw-cp-down', 'cryptopay', 'http://127.0.0.1:9'], ['gw-cp-none', 'cryptopay', cp.url],
      ['gw-cpg', 'cpg', cpg.url], ['gw-cpg-bad', 'cpg', cpg.url], ['gw-po', 'payment-orders', po.url], ['gw-po-bad', 'payment-orders', po.url], ['gw-po-key', 'payment-orders', po.url],
    ] as const) {
      const res = await admin('POST', `/paywire/gateways/${id}/test`, { provider, environment: 'custom', baseUrl, timeout: 3, credentials: { apiKey: keep, apiSecret: keep, username: keep, password: keep, callbackSecret: keep } });
      assert.equal(res.status, 200, res.text);
    }
    await admin('POST', '/paywire/gateways/gw-cp/test', { provider: 'cryptopay', environment: 'custom', baseUrl: cp.url, credentials: { apiKey: S.typedApiKey.value, apiSecret: S.typedApiSecret.value } });
    await admin('POST', '/paywire/gateways/new/test', { provider: 'payment-orders', environment: 'custom', baseUrl: po.url, credentials: { username: S.poUsername.value, password: S.poBadPassword.value } });
    await admin('POST', '/paywire/gateways/new/test', { provider: 'cpg', environment: 'custom', baseUrl: `http://127.0.0.1:9/${S.typedApiKey.value}`, credentials: { apiKey: S.typedApiKey.value, apiSecret: S.typedApiSecret.value } });

    // Callbacks: valid, duplicate, forged, unsigned, malformed, oversized, wrong type, broken stores.
    const cpValid = cryptopayInvoiceCallback(S.cpCallbackSecret.value, 'hy-invoice-1');
    assert.equal(await post('/hy/cp', cpValid), 200);
    assert.equal(await post('/hy/cp', cpValid), 200);
    assert.equal(await post('/hy/cp', cryptopayInvoiceCallback('guessed', 'hy-invoice-2')), 401);
    assert.equal(await post('/hy/cp', { body: cpValid.body, headers: { 'content-type': 'application/json' } }), 401);
    assert.equal(await post('/hy/cp', { body: cpValid.body, headers: { ...cpValid.headers, 'content-type': 'text/plain' } }), 415);
    const broken = '{"type": "Invoice", "data": ';
    const brokenSig = createHmac('sha256', S.cpCallbackSecret.value).update(broken).digest('hex');
    // Correctly signed but not JSON: acknowledged and handed to Catch as unexpected_callback.
    assert.equal(await post('/hy/cp', { body: broken, headers: { 'content-type': 'application/json', 'x-cryptopay-signature': brokenSig } }), 200);
    assert.equal(await post('/hy/cp', { body: 'x'.repeat(1024 * 1024 + 10), headers: { 'content-type': 'application/json' } }), 413);
    const cpgValid = cpgDepositWebhook(S.cpgCallbackSecret.value, 901);
    assert.equal(await post('/hy/cpg', cpgValid), 200);
    assert.equal(await post('/hy/cpg', cpgValid), 200);
    assert.equal(await post('/hy/cpg', cpgDepositWebhook('guessed', 902)), 401);
    assert.notEqual(await post('/hy/cpg', cpgDepositWebhook(S.cpgCallbackSecret.value, 903, Date.now() - 3600_000)), 200);
    // A real payment-order webhook from the emulator, then a forged one.
    const token = await login(po.url, S.poUsername.value, S.poPassword.value);
    const order = await createOrder(po.url, token, { webhook_url: `${nodeRed.url}/hy/po` });
    po.detectPayment(String(order.order_id));
    await po.waitForDeliveries((list) => list.some((d) => d.delivered));
    const forged = JSON.stringify({ event: 'payment.confirmed', data: { order_id: String(order.order_id) } });
    assert.equal(await post('/hy/po', { body: forged, headers: { 'content-type': 'application/json', 'x-webhook-signature': createHmac('sha256', 'guess').update(forged).digest('hex') } }), 401);
    assert.equal(await post('/hy/badpw', cryptopayInvoiceCallback(S.cpCallbackSecret.value, 'hy-invoice-3')), 503);
    assert.equal(await post('/hy/redisdown', cryptopayInvoiceCallback(S.cpCallbackSecret.value, 'hy-invoice-4')), 503);
    assert.equal(await post('/hy/invalid', cpValid), 404);
    assert.equal(await post('/hy/legacy', cryptopayInvoiceCallback(S.cpCallbackSecret.value, 'hy-invoice-5')), 200);
    assert.equal(await post('/hy/none', cpValid), 401);
    assert.equal(await post('/hy/nogw', cpValid), 404);
    await waitUntil(() => debugFrom(['dbg-out']).filter((d) => /hy-invoice-1|deposit_request_id|order_id/.test(String(d.msg))).length >= 3, 8000, 'the three verified callbacks');
    await delay(300);
  });

  it('collects every artifact a person or a log collector sees', async () => {
    await admin('GET', '/flows');
    await admin('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2' });
    await admin('GET', '/flow/tab');
    for (const n of flowNodes.filter((f) => credentials[f.id])) await admin('GET', `/credentials/${n.type}/${n.id}`);
    await admin('GET', '/paywire/catalog');
    for (const n of flowNodes.filter((f) => f.type === 'paywire-redis')) await admin('GET', `/paywire/redis/${n.id}/state`);
    await admin('GET', '/settings');
    await admin('GET', '/context/global');
    await admin('GET', '/nodes', undefined, { accept: 'application/json' });
    for (const n of flowNodes.filter((f) => f.type.startsWith('paywire-callback'))) await admin('GET', `/context/node/${n.id}`);

    const files: Artifact[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.name === 'node_modules') continue;
        if (entry.isDirectory()) walk(full);
        else files.push({ name: `file ${path.relative(userDir, full)}`, text: fs.readFileSync(full, 'utf8') });
      }
    };
    walk(userDir);
    assert.ok(files.some((f) => f.name === 'file flows.json') && files.some((f) => f.name === 'file flows_cred.json'), 'the flow and credential files exist');

    const debug = comms.events.filter((e) => e.topic === 'debug').map((e) => e.data as { id: string });
    const channel = (name: string, items: unknown[]): Artifact => ({ name: `${name} (${items.length})`, text: items.map((i) => deepText(i)).join('\n') });
    const statusEvents = comms.events.filter((e) => e.topic.startsWith('status/'));
    artifacts.push(
      { name: 'log (stdout+stderr)', text: nodeRed.output() },
      channel('debug messages', debug.filter((d) => d.id === 'dbg-out')),
      channel('errors (catch)', debug.filter((d) => d.id === 'dbg-err')),
      channel('status texts', [...statusEvents.map((e) => e.data), ...debug.filter((d) => d.id === 'dbg-stat')]),
      channel('notifications', comms.events.filter((e) => !e.topic.startsWith('status/') && e.topic !== 'debug')),
      { name: 'comms frames', text: comms.frames.join('\n') },
      ...files,
      ...answers,
      { name: 'redis keys', text: redis.cli('-n', '2', 'KEYS', '*') },
    );
    assert.ok(statusEvents.length > 50, `status events (${statusEvents.length})`);
    assert.ok(debug.filter((d) => d.id === 'dbg-err').length > 50, 'errors reached Catch');
    assert.ok(debug.filter((d) => d.id === 'dbg-out').length > 20, `messages reached the output (${debug.filter((d) => d.id === 'dbg-out').length})`);
  });

  it('finds none of the secrets, or the login tokens, in any of them', () => {
    const tokens = [...new Set(po.issuedTokens())].map((value, i) => ({ name: `po login token ${i + 1}`, value }));
    assert.ok(tokens.length >= 3, `the payment-orders gateway logged in (${tokens.length} tokens)`);
    scanner = new SecretScanner([...Object.values(S).filter((secret) => secret !== S.poUsername), ...tokens], [MARKER]);
    // The username reaches the editor's dialog through GET /credentials, and nothing else.
    const editorCredentials = (a: Artifact): boolean => a.name.startsWith('GET /credentials/paywire-gateway/');
    assert.ok(artifacts.some((a) => editorCredentials(a) && a.text.includes(S.poUsername.value)), 'the editor sees the payment-orders username');
    const findings = [...scanner.scan(artifacts), ...new SecretScanner([S.poUsername]).scan(artifacts.filter((a) => !editorCredentials(a)))];
    if (process.env.HYGIENE_DUMP) fs.writeFileSync(process.env.HYGIENE_DUMP, artifacts.map((a) => `===== ${a.name}\n${a.text}`).join('\n'));
    const bytes = artifacts.reduce((n, a) => n + Buffer.byteLength(a.text), 0);
    assert.deepEqual(
      findings.map((f) => `${f.secret} (${f.encoding}) in ${f.artifact}: …${f.context}…`),
      [],
      'no secret anywhere',
    );
    const debug = comms.events.filter((e) => e.topic === 'debug').length;
    const statuses = comms.events.filter((e) => e.topic.startsWith('status/')).length;
    console.log(
      `      secret hygiene: ${scenarios} node runs (${outcomes} with an outcome) + ${callbacks} callbacks + ${answers.length} admin/HTTP answers; ` +
        `${artifacts.length} artifacts, ${(bytes / 1024).toFixed(0)} KiB (log ${(nodeRed.output().length / 1024).toFixed(0)} KiB, ${debug} debug messages, ${statuses} status events); ` +
        `${scanner.secrets.length} secrets × encodings = ${scanner.needleCount} patterns; occurrences = ${findings.length}`,
    );
  });

  it('the context duplicate store on "default" raises no "Unknown context store" warning (settings.js configures none)', () => {
    assert.match(nodeRed.output(), /Context store {2}: 'default' \[module=memory\]/);
    assert.doesNotMatch(nodeRed.output(), /Unknown context store/);
  });

  it('is able to fail: the canary is found in every channel, the credential file holds every secret, planted encodings are found', () => {
    const canary = new SecretScanner([CANARY]);
    const found = new Set(canary.scan(artifacts).map((f) => f.artifact.replace(/ \(\d+\)$/, '')));
    for (const channel of ['log (stdout+stderr)', 'debug messages', 'errors (catch)', 'status texts', 'file flows.json', 'GET /flows']) {
      assert.ok(found.has(channel), `the canary is found in ${channel} (found in: ${[...found].join(', ')})`);
    }
    // The credential file holds them all, only encrypted.
    const stored = decryptCredentials(path.join(userDir, 'flows_cred.json'));
    const storedText = JSON.stringify(stored);
    const configured = new Set(Object.values(credentials).flatMap((c) => Object.values(c)));
    for (const value of configured) assert.ok(storedText.includes(value), 'every configured credential is in the decrypted file');
    assert.equal(new SecretScanner(Object.values(S)).scan([{ name: 'decrypted', text: storedText }]).length > 0, true);

    // Planted copies in every encoding, in the middle of other text, are all found.
    const secret = S.poPassword;
    const key = createHash('sha256').update('x').digest();
    const plants: Record<string, string> = {
      plain: secret.value,
      upper: secret.value.toUpperCase(),
      url: encodeURIComponent(secret.value),
      basic: Buffer.from(`user:${secret.value}`).toString('base64'),
      base64url: Buffer.from(`ab${secret.value}`).toString('base64url'),
      hex: Buffer.from(secret.value).toString('hex'),
      json: JSON.stringify({ nested: JSON.stringify({ p: secret.value }) }),
      truncated: `${secret.value.slice(0, 31)}…`,
    };
    for (const [how, text] of Object.entries(plants)) {
      const hits = scanner.scan([{ name: how, text: `before ${text} after` }]);
      assert.ok(hits.length > 0, `a ${how} copy is found`);
    }
    // And encrypted text is not (the scan does not cry wolf).
    const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    assert.equal(scanner.scan([{ name: 'cipher', text: cipher.update(secret.value, 'utf8', 'base64') + cipher.final('base64') }]).length, 0);
  });
});
