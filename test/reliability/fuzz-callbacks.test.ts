/**
 * Fuzzing the callback endpoints: seeded requests over loopback HTTP to three paywire-callback
 * nodes (Cryptopay, CPG, CryptoPay payment orders) in one real Node-RED, behind the editor's
 * JSON and form parsers as in production. Valid deliveries are signed here with node:crypto
 * from the provider references (test/support/callbacks.ts does the same), independently of lib/.
 *
 * Forged, tampered, unsigned, stale, oversized and wrongly typed requests get a 4xx and emit
 * nothing; a correctly signed body Paywire does not know is answered 200 and reaches Catch
 * (unexpected_callback) exactly once per delivery, never the output; replays (also concurrent,
 * and re-signed retries) are answered 200 and emit nothing more; each fresh valid delivery is
 * emitted exactly once; no 5xx, no uncaught exception, no unhandled rejection, and
 * Object.prototype is never polluted.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { cryptopayInvoiceCallback } from '../support/callbacks';
import { ODD_STRINGS, Rng, Values, fuzzSeed, replayHint } from '../support/fuzz';
import { collect, helper, loadFlow } from '../support/node-red';
import type { FlowNode, LoadedFlow } from '../support/node-red';

type Msg = Record<string, any>;
type Provider = 'cryptopay' | 'cpg' | 'payment-orders';

const SEED = fuzzSeed(0x20261202);
const FILE = 'dist/test/reliability/fuzz-callbacks.test.js';
const CASES = 10_500;
const CONCURRENCY = 16;
const LIMIT = 1024 * 1024;
const SECRETS: Record<Provider, string> = { cryptopay: 'fuzz-cp-callback-5e1d', cpg: 'fuzz-cpg-whsec-93ab', 'payment-orders': 'fuzz-po-whsec-2c77' };
const PATHS: Record<Provider, string> = { cryptopay: '/fuzz/cryptopay', cpg: '/fuzz/cpg', 'payment-orders': '/fuzz/payment-orders' };
const PROVIDERS: readonly Provider[] = ['cryptopay', 'cpg', 'payment-orders'];
const INVOICE_STATUSES = ['new', 'completed', 'unresolved', 'refunded', 'cancelled'];
const CPG_EVENTS = ['deposit.detected', 'deposit.confirmed', 'deposit.swept', 'withdrawal.broadcasted', 'withdrawal.confirmed', 'withdrawal.failed'];
const PO_EVENTS = ['payment.pending', 'payment.confirmed', 'payment.failed', 'order.expired'];

type Category =
  | 'valid'
  | 'replay'
  | 'replay-burst'
  | 'forged'
  | 'tampered'
  | 'malformed'
  | 'content-type'
  | 'stale'
  | 'bad-header'
  | 'oversized'
  | 'method-path'
  | 'raw-http';

/** What a request is and what it must get. */
interface Delivery {
  body: Buffer;
  headers: Record<string, string | string[]>;
  /** msg.paywire.id the fresh delivery is emitted with. */
  id: string;
}

interface Case {
  provider: Provider;
  category: Category;
  variant: string;
  /** Built when sent, so signed timestamps are fresh. */
  build(now: number): RequestSpec;
  /** Allowed answers; 0 = the connection may close without one. */
  expect: readonly number[];
  /** The paywire.id this request may emit (once, across all requests of the same delivery). */
  emits?: string;
  /** Correctly signed but not a callback Paywire knows: it reaches Catch, once per delivery. */
  unexpected?: true;
}

interface RequestSpec {
  method?: string;
  path?: string;
  body?: Buffer;
  headers?: Record<string, string | string[]>;
  /** Send as chunked, without a content-length. */
  chunked?: boolean;
  /** Bytes written to a raw socket instead of an HTTP request. */
  raw?: Buffer;
}

const hmacHex = (secret: string, ...parts: Array<string | Buffer>): string => {
  const mac = createHmac('sha256', secret);
  for (const p of parts) mac.update(p);
  return mac.digest('hex');
};

// ---- valid deliveries, signed as each reference says ----

function cryptopayDelivery(id: string, status: string, secret = SECRETS.cryptopay): Delivery {
  const signed = cryptopayInvoiceCallback(secret, id, status);
  return { body: Buffer.from(signed.body), headers: signed.headers, id };
}

/** CPG (reference §9): hex HMAC-SHA256 of `timestamp + "\n" + body`; X-CPG-Delivery names the delivery. */
function cpgDelivery(delivery: number, event: string, now: number, secret = SECRETS.cpg, timestamp = String(Math.floor(now / 1000))): Delivery {
  const deposit = event.startsWith('deposit.');
  const data = deposit
    ? { deposit_request_id: 500_000 + delivery, amount: '10.50', currency: 'USDT', network: 'ETH', tx_hash: `0x${delivery.toString(16).padStart(64, '0')}` }
    : { id: 500_000 + delivery, amount: '5.00', currency: 'USDT', network: 'ETH', to_address: `0x${'cd'.repeat(20)}` };
  const body = Buffer.from(JSON.stringify({ id: delivery, event, created_at: new Date(now).toISOString(), api_version: '1', data }));
  return {
    body,
    id: String(500_000 + delivery),
    headers: {
      'content-type': 'application/json',
      'x-cpg-timestamp': timestamp,
      'x-cpg-signature': hmacHex(secret, `${timestamp}\n`, body),
      'x-cpg-event': event,
      'x-cpg-delivery': String(delivery),
    },
  };
}

/** Payment orders (reference §8): lower-case hex HMAC-SHA256 of the raw body; no timestamp is signed. */
function poDelivery(orderId: string, event: string, webhookId: string, now: number, secret = SECRETS['payment-orders']): Delivery {
  const txHash = event === 'order.expired' ? null : `0x${createHash('sha256').update(orderId).digest('hex')}`;
  const body = Buffer.from(
    JSON.stringify({
      event,
      data: { order_id: orderId, status: event.split('.')[1], amount: '25.00', currency: 'USDC', blockchain: 'base', transaction_hash: txHash },
      timestamp: `${new Date(now).toISOString().slice(0, 19)}Z`,
      webhook_id: webhookId,
    }),
  );
  return { body, id: orderId, headers: { 'content-type': 'application/json', 'x-webhook-signature': hmacHex(secret, body) } };
}

/** The header carrying the signature, and a re-signing of any body, per provider. */
const SIGNATURE_HEADER: Record<Provider, string> = { cryptopay: 'x-cryptopay-signature', cpg: 'x-cpg-signature', 'payment-orders': 'x-webhook-signature' };

function signBody(provider: Provider, body: Buffer, headers: Record<string, string | string[]>, secret = SECRETS[provider]): Record<string, string | string[]> {
  const out = { ...headers };
  out[SIGNATURE_HEADER[provider]] = provider === 'cpg' ? hmacHex(secret, `${String(headers['x-cpg-timestamp'])}\n`, body) : hmacHex(secret, body);
  return out;
}

// ---- the case generator ----

function tamper(body: Buffer, rng: Rng): Buffer {
  const text = body.toString('utf8');
  const edits: Array<() => string> = [
    () => text.replace(/"completed"|"new"|"refunded"|"cancelled"|"unresolved"/, '"refunded"').replace(/confirmed/, 'failed'),
    () => text.replace(/"10\.50"|"25\.00"|"5\.00"/, '"1000000.00"'),
    () => `${text} `,
    () => ` ${text}`,
    () => `${text}\n`,
    () => text.replace(/"id":/, '"id" :'),
    () => text.replace(/"(order_id|id)":"([^"]+)"/, '"$1":"$2x"').replace(/"id":(\d+)/, '"id":$19'),
    () => text.slice(0, -1),
    () => text.toUpperCase(),
    () => text.replace(/e\u0301|é/g, 'e'),
  ];
  let out = rng.pick(edits)();
  if (out === text) out = `${text}\u0000`;
  return Buffer.from(out, 'utf8');
}

function malformedBody(rng: Rng, values: Values): Buffer {
  const choices: Array<() => string | Buffer> = [
    () => '',
    () => rng.pick(ODD_STRINGS),
    () => '{"type":"Invoice","event":',
    () => 'null',
    () => '[]',
    () => '42',
    () => '"a string"',
    () => 'true',
    () => '{}',
    () => '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
    () => '[{"type":"Invoice","event":"status_changed","data":{"id":"x"}}]',
    () => JSON.stringify({ type: 'Invoice', event: 'status_changed', data: 'not an object' }),
    () => JSON.stringify({ type: 'Invoice', event: 'status_changed', data: { id: 'x', status: 'paid-ish' } }),
    () => JSON.stringify({ type: 'Nonsense', event: 'status_changed', data: { id: 'x' } }),
    () => JSON.stringify({ event: 'deposit.exploded', id: 1, created_at: 'x', api_version: '1', data: {} }),
    () => JSON.stringify({ event: 'payment.confirmed', data: { order_id: '' }, timestamp: 'x' }),
    () => JSON.stringify({ event: 'payment.confirmed', data: { order_id: 7 }, timestamp: 'x' }),
    () => JSON.stringify({ id: -1, event: 'deposit.confirmed', created_at: 'x', api_version: '1', data: {} }),
    () => JSON.stringify({ id: 1.5, event: 'deposit.confirmed', created_at: 'x', api_version: '1', data: [] }),
    () => `${'['.repeat(rng.int(100, 5000))}${']'.repeat(rng.int(0, 10))}`,
    () => `{"a":${'{"a":'.repeat(rng.int(100, 3000))}1${'}'.repeat(rng.int(0, 10))}`,
    () => Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xc3, 0x28]),
    () => '\uFEFF{"type":"Invoice"}',
    () => JSON.stringify(values.tree()) ?? 'undefined',
    () => `{"type":"Invoice","event":"status_changed","data":{"id":"${'x'.repeat(rng.int(1, 200_000))}"}}`,
  ];
  const made = rng.pick(choices)();
  return Buffer.isBuffer(made) ? made : Buffer.from(made, 'utf8');
}

/** Inserts own `__proto__` and `constructor` keys into a JSON object's text (as a hostile sender would). */
function withPollution(body: Buffer): Buffer {
  const text = body.toString('utf8');
  return Buffer.from(`{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${text.slice(1)}`, 'utf8');
}

class CaseFactory {
  private serial = 0;
  /** Fresh deliveries made so far, to replay. */
  private readonly made: Record<Provider, Array<(now: number) => Delivery>> = { cryptopay: [], cpg: [], 'payment-orders': [] };
  readonly freshIds = new Set<string>();

  constructor(
    private readonly rng: Rng,
    private readonly values: Values,
  ) {}

  /** A new valid delivery for this provider (not yet sent). */
  private fresh(provider: Provider): { make: (now: number) => Delivery; id: string; retry: (now: number) => Delivery } {
    const n = (this.serial += 1);
    const rng = this.rng;
    if (provider === 'cryptopay') {
      const id = `fuzz-inv-${SEED}-${n}`;
      const status = rng.pick(INVOICE_STATUSES);
      const d = cryptopayDelivery(id, status);
      return { id, make: () => d, retry: () => d };
    }
    if (provider === 'cpg') {
      const event = rng.pick(CPG_EVENTS);
      // A retry reuses the delivery id and body but signs a new timestamp.
      return { id: String(500_000 + n), make: (now) => cpgDelivery(n, event, now), retry: (now) => cpgDelivery(n, event, now) };
    }
    const orderId = `ORD-fuzz-${SEED}-${n}`;
    const event = rng.pick(PO_EVENTS);
    const first = `wh-${n}`;
    // A retry may carry another webhook_id and timestamp: the same fact is still a duplicate.
    return { id: orderId, make: (now) => poDelivery(orderId, event, first, now), retry: (now) => poDelivery(orderId, event, `wh-${n}-retry`, now + 60_000) };
  }

  next(): Case[] {
    const rng = this.rng;
    const provider = rng.pick(PROVIDERS);
    const category = rng.weighted<Category>([
      [12, 'valid'],
      [10, 'replay'],
      [3, 'replay-burst'],
      [17, 'forged'],
      [15, 'tampered'],
      [15, 'malformed'],
      [7, 'content-type'],
      [provider === 'cpg' ? 9 : 0, 'stale'],
      [10, 'bad-header'],
      [1.2, 'oversized'],
      [3, 'method-path'],
      [2, 'raw-http'],
    ]);
    const path = PATHS[provider];
    const one = (variant: string, build: Case['build'], expect: readonly number[], emits?: string, unexpected = false): Case[] => [
      { provider, category, variant, build, expect, ...(emits ? { emits } : {}), ...(unexpected ? { unexpected: true as const } : {}) },
    ];
    const signature = SIGNATURE_HEADER[provider];

    switch (category) {
      case 'valid': {
        const f = this.fresh(provider);
        this.freshIds.add(f.id);
        const variant = rng.pick(['plain', 'plain', 'no-content-type', 'json-charset', 'upper-hex', 'proto-keys', 'vendor-json']);
        // Cryptopay knows a delivery by its exact bytes, so only an identical body is its replay.
        if (provider !== 'cryptopay' || variant !== 'proto-keys') this.made[provider].push(f.retry);
        return one(
          variant,
          (now) => {
            const d = f.make(now);
            const headers = { ...d.headers };
            if (variant === 'no-content-type') delete headers['content-type'];
            if (variant === 'json-charset') headers['content-type'] = 'Application/JSON; charset=UTF-8';
            if (variant === 'vendor-json') headers['content-type'] = 'application/vnd.gateway+json';
            if (variant === 'upper-hex') headers[signature] = String(headers[signature]).toUpperCase();
            if (variant === 'proto-keys') {
              const body = withPollution(d.body);
              return { path, body, headers: signBody(provider, body, headers) };
            }
            return { path, body: d.body, headers };
          },
          [200],
          f.id,
        );
      }
      case 'replay': {
        const earlier = this.made[provider];
        if (earlier.length === 0) return this.next();
        const retry = rng.pick(earlier);
        return one('earlier delivery', (now) => ({ path, ...retry(now) }), [200]);
      }
      case 'replay-burst': {
        const f = this.fresh(provider);
        this.freshIds.add(f.id);
        this.made[provider].push(f.retry);
        const copies = rng.int(2, 6);
        // The same fresh delivery several times at once: one emission, whichever wins the claim.
        return Array.from({ length: copies }, (_, i) => ({ provider, category, variant: `copy ${i + 1} of ${copies}`, build: (now: number) => ({ path, ...(i === 0 ? f.make(now) : f.retry(now)) }), expect: [200], emits: f.id }));
      }
      case 'forged': {
        const variant = rng.pick(['random-hex', 'wrong-secret', 'empty', 'missing', 'not-hex', 'truncated', 'extended', 'sha1', 'base64', 'prefixed', 'other-provider-secret']);
        return one(
          variant,
          (now) => {
            const d = this.unsent(provider, now);
            const headers: Record<string, string | string[]> = { ...d.headers };
            const good = String(headers[signature]);
            const set = (v: string): void => void (headers[signature] = v);
            if (variant === 'random-hex') set(rng.hex(64));
            else if (variant === 'wrong-secret') return { path, body: d.body, headers: signBody(provider, d.body, headers, `${SECRETS[provider]}x`) };
            else if (variant === 'other-provider-secret') return { path, body: d.body, headers: signBody(provider, d.body, headers, SECRETS[provider === 'cpg' ? 'cryptopay' : 'cpg']) };
            else if (variant === 'empty') set('');
            else if (variant === 'missing') delete headers[signature];
            else if (variant === 'not-hex') set(`${'z'.repeat(63)}!`);
            else if (variant === 'truncated') set(good.slice(0, rng.int(0, 63)));
            else if (variant === 'extended') set(`${good}0`);
            else if (variant === 'sha1') set(createHmac('sha1', SECRETS[provider]).update(d.body).digest('hex'));
            else if (variant === 'base64') set(Buffer.from(good, 'hex').toString('base64'));
            else set(`sha256=${good}`);
            if (rng.chance(0.2)) delete headers['content-type'];
            return { path, body: d.body, headers };
          },
          [401],
        );
      }
      case 'tampered':
        return one(
          'signature of the original body',
          (now) => {
            const d = this.unsent(provider, now);
            return { path, body: tamper(d.body, rng), headers: d.headers };
          },
          [401],
        );
      case 'malformed': {
        const signed = rng.chance(0.75);
        return one(
          signed ? 'validly signed' : 'unsigned',
          (now) => {
            const d = this.unsent(provider, now);
            const body = malformedBody(rng, this.values);
            return { path, body, headers: signed ? signBody(provider, body, d.headers) : d.headers };
          },
          signed ? [200] : [401],
          undefined,
          signed,
        );
      }
      case 'content-type': {
        const type = rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/jsonp', 'application/json-patch', '*/*', 'application/octet-stream']);
        return one(
          type,
          (now) => {
            const d = this.unsent(provider, now);
            return { path, body: d.body, headers: { ...d.headers, 'content-type': type } };
          },
          [415],
        );
      }
      case 'stale': {
        const variant = rng.pick(['old', 'old', 'future', 'zero', 'not-a-number', 'exponent', 'negative', 'decimal', 'milliseconds', 'huge']);
        return one(
          variant,
          (now) => {
            const secs = Math.floor(now / 1000);
            const ts =
              variant === 'old'
                ? String(secs - rng.int(301, 10_000_000))
                : variant === 'future'
                  ? String(secs + rng.int(301, 10_000_000))
                  : variant === 'zero'
                    ? '0'
                    : variant === 'not-a-number'
                      ? rng.pick(['abc', 'NaN', 'Infinity', '', '17e8', '0x65a1b2c3'])
                      : variant === 'exponent'
                        ? '1.7e9'
                        : variant === 'negative'
                          ? String(-secs)
                          : variant === 'decimal'
                            ? `${secs}.5`
                            : variant === 'milliseconds'
                              ? String(now)
                              : '9'.repeat(40);
            // Correctly signed over that timestamp: only the clock check can refuse it.
            const d = cpgDelivery((this.serial += 1), 'deposit.confirmed', now, SECRETS.cpg, ts);
            return { path, body: d.body, headers: d.headers };
          },
          [401],
        );
      }
      case 'bad-header': {
        const variants = ['duplicate-signature', 'huge-header', 'signature-list', 'header-unicode'];
        if (provider === 'cpg') variants.push('event-mismatch', 'duplicate-timestamp');
        const variant = rng.pick(variants);
        return one(
          variant,
          (now) => {
            const d = this.unsent(provider, now);
            const headers: Record<string, string | string[]> = { ...d.headers };
            const good = String(headers[signature]);
            if (variant === 'duplicate-signature') headers[signature] = [good, rng.hex(64)];
            else if (variant === 'signature-list') headers[signature] = `${rng.hex(64)}, ${good}`;
            else if (variant === 'huge-header') headers['x-fuzz'] = 'x'.repeat(rng.int(20_000, 60_000));
            else if (variant === 'header-unicode') headers[signature] = Buffer.from(`${good.slice(0, 60)}é💸`, 'utf8').toString('latin1');
            else if (variant === 'event-mismatch') {
              headers['x-cpg-event'] = 'withdrawal.failed';
              if (String(d.body).includes('"withdrawal.failed"')) headers['x-cpg-event'] = 'deposit.confirmed';
            } else headers['x-cpg-timestamp'] = [String(headers['x-cpg-timestamp']), '1'];
            return { path, body: d.body, headers };
          },
          variant === 'huge-header' ? [431] : variant === 'event-mismatch' ? [200] : [401],
          undefined,
          variant === 'event-mismatch',
        );
      }
      case 'oversized': {
        const chunked = rng.chance(0.5);
        return one(
          chunked ? 'chunked' : 'content-length',
          (now) => {
            const d = this.unsent(provider, now);
            const body = Buffer.concat([d.body, Buffer.alloc(LIMIT + rng.int(1, 200_000) - d.body.length, 0x20)]);
            return { path, body, headers: signBody(provider, body, d.headers), chunked };
          },
          [413],
        );
      }
      case 'method-path': {
        const variant = rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'wrong-path', 'trailing-junk']);
        return one(
          variant,
          (now) => {
            const d = this.unsent(provider, now);
            if (variant === 'wrong-path') return { path: `${path}-nope`, body: d.body, headers: d.headers };
            if (variant === 'trailing-junk') return { path: `${path}/x/../../..`, body: d.body, headers: d.headers };
            return { method: variant, path, body: variant === 'GET' ? Buffer.alloc(0) : d.body, headers: d.headers };
          },
          [404, 405, 400],
        );
      }
      default: {
        const variant = rng.pick(['short-body', 'garbage', 'bad-header-byte', 'bad-content-length', 'conflicting-lengths']);
        return one(
          variant,
          (now) => {
            const d = this.unsent(provider, now);
            const head = (extra: string, length: number | string = d.body.length): string =>
              `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${Object.entries(d.headers)
                .filter(([k]) => k !== 'content-type')
                .map(([k, v]) => `${k}: ${String(v)}\r\n`)
                .join('')}Content-Length: ${length}\r\n${extra}\r\n`;
            if (variant === 'short-body') return { raw: Buffer.concat([Buffer.from(head('', d.body.length + 100)), d.body]) };
            if (variant === 'garbage') return { raw: Buffer.from(`${rng.pick(['HELLO', '\u0000\u0001', 'POST', 'GET / HTTP/9.9'])}\r\n\r\n`, 'latin1') };
            if (variant === 'bad-header-byte') return { raw: Buffer.concat([Buffer.from(head('X-Bad: a\u0000b\r\n')), d.body]) };
            if (variant === 'bad-content-length') return { raw: Buffer.concat([Buffer.from(head('', '-5')), d.body]) };
            return { raw: Buffer.concat([Buffer.from(head(`Content-Length: ${d.body.length + 1}\r\n`)), d.body]) };
          },
          [400, 0],
        );
      }
    }
  }

  /** A valid delivery that is never sent as such (the base of forged and tampered requests). */
  private unsent(provider: Provider, now: number): Delivery {
    const n = (this.serial += 1);
    if (provider === 'cryptopay') return cryptopayDelivery(`never-${SEED}-${n}`, 'completed');
    if (provider === 'cpg') return cpgDelivery(n, 'deposit.confirmed', now);
    return poDelivery(`ORD-never-${SEED}-${n}`, 'payment.confirmed', `wh-never-${n}`, now);
  }
}

// ---- sending ----

interface Answer {
  status: number;
  text: string;
}

function send(base: URL, agent: http.Agent, spec: RequestSpec): Promise<Answer> {
  if (spec.raw) return sendRaw(base, spec.raw);
  return new Promise((resolve) => {
    const body = spec.body ?? Buffer.alloc(0);
    const headers: Record<string, string | string[] | number> = { ...(spec.headers ?? {}) };
    if (!spec.chunked) headers['content-length'] = body.length;
    let req: http.ClientRequest;
    try {
      req = http.request({ host: base.hostname, port: base.port, method: spec.method ?? 'POST', path: spec.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, text: '' }));
      });
    } catch (err) {
      resolve({ status: -1, text: err instanceof Error ? err.message : String(err) });
      return;
    }
    req.on('error', (err) => resolve({ status: 0, text: err.message }));
    if (spec.chunked) {
      // In pieces, so the endpoint never sees a content-length and must count.
      for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
      req.end();
    } else req.end(body);
  });
}

function sendRaw(base: URL, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text: text.slice(0, 200) });
    };
    // A short body leaves the server waiting; give up after a moment (no answer is fine).
    const timer = setTimeout(finish, 300);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(bytes);
  });
}

describe('fuzzing paywire-callback: forged, tampered, malformed, replayed and oversized callbacks', function () {
  this.timeout(120_000);
  let flow: LoadedFlow | undefined;
  const escaped: string[] = [];
  const onUnhandled = (reason: unknown): void => void escaped.push(`unhandledRejection: ${String(reason instanceof Error ? reason.stack : reason)}`);
  const onUncaught = (err: unknown): void => void escaped.push(`uncaughtException: ${String(err instanceof Error ? err.stack : err)}`);

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUncaught);
    await helper.startServer();
  });
  after(async () => {
    await flow?.close();
    await helper.unload();
    await helper.stopServer();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUncaught);
  });

  it(`${CASES}+ seeded requests over loopback to all three providers: 4xx and nothing emitted unless valid, each valid delivery emitted once`, async () => {
    const started = performance.now();
    const nodes: FlowNode[] = [{ id: 'tab', type: 'tab' }];
    const credentials: Record<string, Record<string, string>> = {};
    for (const p of PROVIDERS) {
      nodes.push({ id: `gw-${p}`, type: 'paywire-gateway', name: p, provider: p, environment: 'custom', baseUrl: 'http://127.0.0.1:9', timeout: 5 });
      nodes.push({ id: `cb-${p}`, type: 'paywire-callback', z: 'tab', gateway: `gw-${p}`, path: PATHS[p], wires: [[`out-${p}`]] });
      nodes.push({ id: `out-${p}`, type: 'helper', z: 'tab' });
      credentials[`gw-${p}`] = { callbackSecret: SECRETS[p] };
    }
    nodes.push({ id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] });
    nodes.push({ id: 'caught', type: 'helper', z: 'tab' });
    flow = await loadFlow(nodes, credentials, { productionLike: true });
    const base = new URL(flow.httpUrl);
    const outs = Object.fromEntries(PROVIDERS.map((p) => [p, collect(`out-${p}`)])) as Record<Provider, ReturnType<typeof collect>>;
    const caught = collect('caught');
    // The helper's spies keep every call (and its message); forget them as the run goes.
    const spies = (helper as unknown as { _sandbox?: { resetHistory?(): void } })._sandbox;
    const sandbox = { resetHistory: (): void => spies?.resetHistory?.() };

    const rng = new Rng(SEED);
    const factory = new CaseFactory(rng.fork('cases'), new Values(rng.fork('values'), { maxDepth: 2000, maxString: 200_000 }));
    const groups: Case[][] = [];
    let count = 0;
    while (count < CASES) {
      const group = factory.next();
      groups.push(group);
      count += group.length;
    }

    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const problems: string[] = [];
    const tally = {
      byCategory: new Map<string, number>(),
      byProvider: new Map<string, number>(),
      byStatus: new Map<string, number>(),
    };
    const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
    let sent = 0;
    // One Catch per delivery of a signed body Paywire does not know: CPG names a delivery by its
    // X-CPG-Delivery, the others by the exact body (a repeat is the gateway's retry).
    const unexpectedDeliveries = new Set<string>();
    const runCase = async (c: Case): Promise<void> => {
      const spec = c.build(Date.now());
      if (c.unexpected) {
        const identity = c.provider === 'cpg' ? String(spec.headers?.['x-cpg-delivery']) : createHash('sha256').update(spec.body ?? Buffer.alloc(0)).digest('hex');
        unexpectedDeliveries.add(`${c.provider}:${identity}`);
      }
      const answer = await send(base, agent, spec);
      sent += 1;
      bump(tally.byCategory, c.category);
      bump(tally.byProvider, c.provider);
      bump(tally.byStatus, String(answer.status));
      if (!c.expect.includes(answer.status)) {
        problems.push(`${c.provider} ${c.category} (${c.variant}): answered ${answer.status} ${answer.text.slice(0, 120)}, expected ${c.expect.join(' or ')}`);
      }
      if (answer.status >= 500) problems.push(`${c.provider} ${c.category} (${c.variant}): server error ${answer.status}`);
      if (answer.status === 200 && answer.text !== '{"received":true}') problems.push(`${c.provider} ${c.category}: 200 with ${answer.text.slice(0, 80)}`);
    };

    // Workers take groups in order; a burst group's copies go out at once.
    let nextGroup = 0;
    const worker = async (): Promise<void> => {
      while (nextGroup < groups.length) {
        const group = groups[nextGroup++]!;
        await Promise.all(group.map((c) => runCase(c)));
      }
    };
    const resetTimer = setInterval(() => sandbox.resetHistory(), 500);
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    } finally {
      clearInterval(resetTimer);
    }

    // Emissions arrive just after the answers; wait until every fresh id has come, then a moment more.
    const emitted = (): number => PROVIDERS.reduce((n, p) => n + outs[p].messages.length, 0);
    const deadline = Date.now() + 5_000;
    while ((emitted() < factory.freshIds.size || caught.messages.length < unexpectedDeliveries.size) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    sandbox.resetHistory();

    const seen = new Map<string, number>();
    for (const p of PROVIDERS) {
      for (const m of outs[p].messages as Msg[]) {
        const id = String(m.paywire?.id);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        if (m.paywire?.provider !== p) problems.push(`out-${p} got a message from ${String(m.paywire?.provider)}`);
        if (!factory.freshIds.has(id)) problems.push(`${p}: emitted ${id}, which no valid delivery carried (a forged, tampered or malformed request got through)`);
      }
    }
    for (const id of factory.freshIds) if (seen.get(id) !== 1) problems.push(`valid delivery ${id} emitted ${seen.get(id) ?? 0} times`);
    if (caught.messages.length !== unexpectedDeliveries.size) {
      problems.push(`Catch got ${caught.messages.length} errors for ${unexpectedDeliveries.size} signed deliveries Paywire does not know`);
    }
    for (const m of caught.messages as Msg[]) {
      if (m.error?.code !== 'unexpected_callback') problems.push(`Catch got ${String(m.error?.code)}: ${String(m.error?.message)}`);
      if (m.payload === undefined) problems.push('an unexpected callback reached Catch without its body');
    }
    const polluted = ({} as Record<string, unknown>).polluted ?? (Object.prototype as Record<string, unknown>).isAdmin;
    if (polluted !== undefined) problems.push('Object.prototype was polluted');

    // The runtime still takes a valid delivery per provider afterwards.
    const now = Date.now();
    const after: Record<Provider, Delivery> = {
      cryptopay: cryptopayDelivery(`after-${SEED}`, 'completed'),
      cpg: cpgDelivery(9_000_000, 'deposit.confirmed', now),
      'payment-orders': poDelivery(`ORD-after-${SEED}`, 'payment.confirmed', 'wh-after', now),
    };
    for (const p of PROVIDERS) {
      const before = outs[p].messages.length;
      const answer = await send(base, agent, { path: PATHS[p], body: after[p].body, headers: after[p].headers });
      assert.equal(answer.status, 200, `${p}: a valid delivery after the fuzz got ${answer.status} ${answer.text}`);
      const [msg] = (await outs[p].next(before + 1)).slice(before) as Msg[];
      assert.equal(msg!.paywire.id, after[p].id);
    }
    agent.destroy();

    const seconds = (performance.now() - started) / 1000;
    const list = (m: Map<string, number>): string => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `      fuzz-callbacks: ${sent} requests (${list(tally.byCategory)}; providers: ${list(tally.byProvider)}); seed ${SEED}; ` +
        `answers: ${list(tally.byStatus)}; ${factory.freshIds.size} distinct valid deliveries, ${[...factory.freshIds].filter((id) => seen.get(id) === 1).length} emitted exactly once, ` +
        `${emitted() - PROVIDERS.length - [...seen.values()].filter((n) => n > 0).length} extra emissions; ` +
        `${caught.messages.length} signed deliveries Paywire does not know to Catch, one each; ` +
        `${problems.length} problems, ${escaped.length} uncaught/unhandled; valid deliveries afterwards 3/3; ${seconds.toFixed(1)} s`,
    );
    assert.ok(sent >= CASES);
    assert.deepEqual(escaped, [], replayHint(SEED, FILE));
    assert.deepEqual(problems.slice(0, 15), [], `${problems.length} problems; ${replayHint(SEED, FILE)}`);
  });
});
