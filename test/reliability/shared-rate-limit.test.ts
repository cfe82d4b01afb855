/**
 * One rate limit across instances: three real Node-RED instances create invoices with the same
 * API key against an emulator that allows 20 requests per 3 s. Each gateway is set to that
 * limit; alone, each instance keeps it, so together they send three times as much (the
 * baseline shows the 429s). With a paywire-redis selected in the gateway, they share it
 * through Redis and the emulator refuses none.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deployFlows, freePort, linkPackage, startNodeRed } from '../../scripts/node-red-runner';
import type { FlowNode, NodeRedProcess } from '../../scripts/node-red-runner';
import { REPO_ROOT } from '../support/paths';
import { EMU_KEY, EMU_SECRET, startCryptopayEmulator } from '../support/emulator';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { startRedisServer } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { delay } from '../support/node-red';

const PACKAGE = '@paywire/node-red-crypto-payments';
const LIMIT = 20;
const WINDOW_S = 3;
const REDIS_PASSWORD = 'srl-redis-pw-93ab1e';

function flow(emulatorUrl: string, shared: boolean): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'creates' },
    {
      id: 'gw',
      type: 'paywire-gateway',
      name: 'emulator',
      provider: 'cryptopay',
      environment: 'custom',
      baseUrl: emulatorUrl,
      timeout: 5,
      rateLimit: LIMIT,
      rateLimitWindow: WINDOW_S,
      redis: shared ? 'rd' : '',
    },
    { id: 'rd', type: 'paywire-redis', name: 'shared', prefix: 'srl:', version: 1 },
    // Flow nodes need x and y: Node-RED takes a node on a tab without them for a config node.
    { id: 'in', type: 'http in', z: 'tab', url: '/create', method: 'post', upload: false, x: 100, y: 100, wires: [['invoice']] },
    { id: 'invoice', type: 'paywire-invoice', z: 'tab', gateway: 'gw', operation: 'create', params: {}, listMode: 'all', maxRows: 10000, version: 2, x: 300, y: 100, wires: [['ok']] },
    { id: 'ok', type: 'http response', z: 'tab', statusCode: '200', headers: {}, x: 500, y: 100, wires: [] },
    { id: 'catch', type: 'catch', z: 'tab', scope: ['invoice'], uncaught: false, x: 100, y: 200, wires: [['failed']] },
    {
      id: 'failed',
      type: 'change',
      z: 'tab',
      rules: [
        { t: 'set', p: 'statusCode', pt: 'msg', to: '502', tot: 'num' },
        { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' },
      ],
      x: 300,
      y: 200,
      wires: [['ok']],
    },
  ];
}

describe('three Node-RED instances sharing one API key', function () {
  this.timeout(90_000);
  let workDir: string;
  let redis: RedisServer;
  let emulator: CryptopayEmulator;
  const nodeReds: NodeRedProcess[] = [];

  before(async function () {
    this.timeout(60_000);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-shared-limit-'));
    redis = await startRedisServer({ password: REDIS_PASSWORD });
    emulator = await startCryptopayEmulator({ rateLimitPerMinute: LIMIT, rateLimitWindowMs: WINDOW_S * 1000 });
    for (const name of ['A', 'B', 'C']) {
      const userDir = path.join(workDir, name);
      fs.mkdirSync(userDir);
      linkPackage(userDir, REPO_ROOT, PACKAGE);
    }
    nodeReds.push(
      ...(await Promise.all(
        ['A', 'B', 'C'].map(async (name) =>
          startNodeRed({ userDir: path.join(workDir, name), port: await freePort(), settings: { logging: { console: { level: 'info', metrics: false, audit: false } } } }),
        ),
      )),
    );
  });

  after(async () => {
    await Promise.all(nodeReds.map((n) => n.stop()));
    await emulator?.stop();
    await redis?.dispose();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function deployAll(shared: boolean): Promise<void> {
    const credentials = { gw: { apiKey: EMU_KEY, apiSecret: EMU_SECRET }, rd: { url: redis.url(0, `:${REDIS_PASSWORD}`) } };
    await Promise.all(nodeReds.map((n) => deployFlows(n.url, flow(emulator.url, shared), credentials)));
    // Let the emulator's window of any earlier requests run out.
    await delay(WINDOW_S * 1000 + 200);
  }

  /** `perInstance` creates on each instance at once; the HTTP statuses the flows answered. */
  async function createEverywhere(perInstance: number, tag: string): Promise<{ statuses: number[]; refused: number; ms: number }> {
    const refusedBefore = emulator.rateLimited();
    const started = performance.now();
    const statuses = await Promise.all(
      nodeReds.flatMap((nodeRed, n) =>
        Array.from({ length: perInstance }, async (_, i) => {
          const body = JSON.stringify({ price_amount: '10.00', price_currency: 'EUR', pay_currency: 'BTC', custom_id: `${tag}-${n}-${i}` });
          const res = await fetch(`${nodeRed.url}/create`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
          await res.arrayBuffer();
          return res.status;
        }),
      ),
    );
    return { statuses, refused: emulator.rateLimited() - refusedBefore, ms: performance.now() - started };
  }

  it('without Redis each instance keeps the limit alone, and together they meet 429s', async () => {
    await deployAll(false);
    const { statuses, refused, ms } = await createEverywhere(8, 'alone');
    console.log(`      alone: 24 creates from 3 instances in ${(ms / 1000).toFixed(1)} s, ${refused} answered 429 by the emulator`);
    assert.ok(refused > 0, 'three instances at the full limit each exceed the shared one');
    assert.equal(statuses.length, 24);
  });

  it('with a paywire-redis the three stay under the one limit: 90 creates, 0 answered 429', async () => {
    await deployAll(true);
    const { statuses, refused, ms } = await createEverywhere(30, 'shared');
    const seconds = ms / 1000;
    console.log(`      shared: 90 creates from 3 instances in ${seconds.toFixed(1)} s, ${refused} answered 429 by the emulator`);
    assert.equal(refused, 0, 'no request refused by the rate limit');
    assert.deepEqual(new Set(statuses), new Set([200]), 'every create succeeded');
    // 20 per 3 s, each slot held until 3 s after its answer: 90 creates take at least 4 windows.
    assert.ok(seconds >= 4 * WINDOW_S, `${seconds.toFixed(1)} s`);
    const keys = redis.cli('KEYS', 'srl:ratelimit:*');
    assert.ok(keys.length > 0 && !keys.includes(EMU_KEY), `keys hold a hash, not the API key: ${keys}`);
  });
});
