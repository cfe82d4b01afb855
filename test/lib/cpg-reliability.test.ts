import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CpgClient } from '../../lib/providers/cpg';
import { TransportError } from '../../lib/errors';
import { systemClock } from '../../lib/http/clock';
import type { Clock } from '../../lib/http/clock';

const KEY = 'cpg-key';
const SECRET = 'cpg-secret';

interface Seen {
  method: string;
  url: string;
  timestamp: number;
  signature: string;
  body: string;
}

/**
 * A small CPG stand-in on loopback: checks every signature independently of lib/ (reference
 * §2.3), refuses a signature it has seen, and answers as each test's `behaviour` says.
 */
class FakeCpg {
  readonly seen: Seen[] = [];
  private readonly signatures = new Set<string>();
  readonly withdrawals = new Map<string, { withdrawal_id: number; status: string; tx_hash: string; amount_decimal: string; fee_decimal: string }>();
  behaviour: (req: Seen, res: http.ServerResponse) => void = (_req, res) => this.ok(res, { pong: true });
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
  });
  url = '';

  constructor(readonly now: () => number) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  ok(res: http.ServerResponse, data: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, message: 'ok', data }));
  }

  fail(res: http.ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, message }));
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const [path, query = ''] = req.url!.split('?');
    const timestamp = String(req.headers['x-cpg-timestamp'] ?? '');
    const canonical = [timestamp, req.method, path, query, createHash('sha256').update(body).digest('hex')].join('\n');
    const expected = createHmac('sha256', SECRET).update(canonical).digest('hex');
    const signature = String(req.headers['x-cpg-signature'] ?? '');
    if (req.headers['x-cpg-key'] !== KEY || signature !== expected) return this.fail(res, 401, 'Invalid signature');
    if (Math.abs(Number(timestamp) - this.now() / 1000) > 300) return this.fail(res, 401, 'Request timestamp is outside the allowed window');
    if (this.signatures.has(signature)) return this.fail(res, 401, 'Request signature has already been used');
    this.signatures.add(signature);
    const seen = { method: req.method!, url: req.url!, timestamp: Number(timestamp), signature, body: body.toString() };
    this.seen.push(seen);
    this.behaviour(seen, res);
  }

  /** POST /v1/withdrawals with client_reference as the idempotency key (same key → the original result). */
  withdraw(req: Seen, res: http.ServerResponse, then: 'answer' | 'drop'): void {
    const params = JSON.parse(req.body) as { client_reference?: string; amount: string };
    const key = params.client_reference ?? `anonymous-${this.withdrawals.size}`;
    let w = this.withdrawals.get(key);
    if (!w) {
      w = { withdrawal_id: this.withdrawals.size + 1, status: 'broadcasted', tx_hash: `0x${this.withdrawals.size + 1}`, amount_decimal: params.amount, fee_decimal: '1.00' };
      this.withdrawals.set(key, w);
    }
    if (then === 'drop') res.socket?.destroy();
    else this.ok(res, w);
  }
}

const PAYOUT = { currency: 'USDT', network: 'ETH', to_address: '0x1111111111111111111111111111111111111111', amount: '50.00' };

describe('CPG client: retries re-sign every attempt (loopback CPG)', function () {
  this.timeout(10_000);
  let cpg: FakeCpg;
  let client: CpgClient | undefined;

  function connect(clock: Clock = systemClock): CpgClient {
    client = new CpgClient({ baseUrl: cpg.url, keyId: KEY, secret: SECRET, timeoutMs: 2000, now: () => clock.now(), clock, random: () => 0 });
    return client;
  }

  beforeEach(async () => {
    cpg = new FakeCpg(Date.now);
    await cpg.start();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await cpg.stop();
  });

  it('retries a 503 a second later with a fresh timestamp and signature', async () => {
    let calls = 0;
    cpg.behaviour = (_req, res) => (calls++ === 0 ? cpg.fail(res, 503, 'Authentication service temporarily unavailable') : cpg.ok(res, { pong: true }));
    assert.deepEqual(await connect().ping(), { pong: true });
    assert.equal(cpg.seen.length, 2);
    assert.ok(cpg.seen[1]!.timestamp > cpg.seen[0]!.timestamp, 'a new second');
    assert.notEqual(cpg.seen[1]!.signature, cpg.seen[0]!.signature);
  });

  it('a refused replayed signature is retried, re-signed in a new second', async () => {
    let calls = 0;
    cpg.behaviour = (_req, res) => (calls++ === 0 ? cpg.fail(res, 401, 'Request signature has already been used') : cpg.ok(res, { pong: true }));
    assert.deepEqual(await connect().ping(), { pong: true });
    assert.equal(cpg.seen.length, 2);
  });

  it('after a header-less 429 waits for the next epoch minute, not longer', async () => {
    // Both clocks 1.6 s before a minute boundary: longer than CPG's 1 s minimum retry delay and
    // the backoff, short in real time.
    const offset = 60_000 - (Date.now() % 60_000) - 1600;
    const shifted: Clock = { now: () => Date.now() + offset, setTimer: (fn, ms) => systemClock.setTimer(fn, ms) };
    await cpg.stop();
    cpg = new FakeCpg(() => shifted.now());
    await cpg.start();
    const minuteOf = (timestamp: number): number => Math.floor(timestamp / 60);
    let first: number | undefined;
    cpg.behaviour = (req, res) => {
      first ??= minuteOf(req.timestamp);
      if (minuteOf(req.timestamp) === first) cpg.fail(res, 429, 'Rate limit exceeded');
      else cpg.ok(res, { pong: true });
    };
    const started = Date.now();
    assert.deepEqual(await connect(shifted).ping(), { pong: true });
    const waited = Date.now() - started;
    assert.equal(cpg.seen.length, 2);
    assert.equal(minuteOf(cpg.seen[1]!.timestamp), first! + 1, 'the retry is in the next epoch minute');
    assert.ok(waited >= 1500 && waited < 4500, `waited ${waited} ms`); // not a whole minute, nor a long backoff
  });

  it('a withdrawal whose answer was lost is retried with the same client_reference: one payout, the original result', async () => {
    let calls = 0;
    cpg.behaviour = (req, res) => cpg.withdraw(req, res, calls++ === 0 ? 'drop' : 'answer');
    const result = await connect().createWithdrawal({ ...PAYOUT, client_reference: 'payout-7' });
    assert.equal(cpg.seen.length, 2);
    assert.equal(cpg.withdrawals.size, 1, 'exactly one withdrawal on the ledger');
    assert.equal(result.withdrawal_id, cpg.withdrawals.get('payout-7')!.withdrawal_id);
    assert.equal(cpg.seen[0]!.body, cpg.seen[1]!.body, 'the same request');
    assert.notEqual(cpg.seen[0]!.signature, cpg.seen[1]!.signature);
  });

  it('a withdrawal without client_reference is not sent again after a dropped connection', async () => {
    cpg.behaviour = (req, res) => cpg.withdraw(req, res, 'drop');
    await assert.rejects(connect().createWithdrawal(PAYOUT), (err: unknown) => err instanceof TransportError && err.code === 'network_error' && !/attempts/.test(err.message));
    assert.equal(cpg.seen.length, 1);
    assert.equal(cpg.withdrawals.size, 1);
  });
});
