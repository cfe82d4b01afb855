/**
 * A loopback proxy in front of a callback endpoint that fails a seeded share of deliveries:
 *   reset           socket destroyed before anything is forwarded;
 *   status_500      answered 500, not forwarded;
 *   forward_reset   forwarded (the flow got it), then the socket is destroyed: the gateway
 *                   sees a failure and sends the same callback again;
 *   late            forwarded, answered 200 only after `lateMs` (past the gateway's timeout):
 *                   again received by the flow but a failure to the gateway;
 *   slow            held `slowMs`, then forwarded and answered normally.
 * Everything else is forwarded as it is. The proxy decides per arriving request, in arrival order.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../emulator/shared/faults';

export const RECEIVER_FAULTS = ['reset', 'status_500', 'forward_reset', 'late', 'slow'] as const;
export type ReceiverFault = (typeof RECEIVER_FAULTS)[number];

export interface FailingReceiverOptions {
  /** Where the callbacks really go, e.g. http://127.0.0.1:1880/cb. */
  target: string;
  seed: number;
  rates: Partial<Record<ReceiverFault, number>>;
  lateMs?: number;
  slowMs?: number;
}

export interface FailingReceiver {
  url: string;
  /** Requests seen and faults applied, by kind. */
  stats(): { requests: number; forwarded: number; injected: Record<ReceiverFault, number>; slowestForwardMs: number; forwardsOver100Ms: number };
  close(): Promise<void>;
}

export async function startFailingReceiver(options: FailingReceiverOptions): Promise<FailingReceiver> {
  const random = seededRandom(options.seed);
  const injected = Object.fromEntries(RECEIVER_FAULTS.map((k) => [k, 0])) as Record<ReceiverFault, number>;
  let requests = 0;
  let forwarded = 0;
  const forwardMs: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const pick = (): ReceiverFault | null => {
    const x = random();
    let acc = 0;
    for (const kind of RECEIVER_FAULTS) {
      acc += options.rates[kind] ?? 0;
      if (x < acc) return kind;
    }
    return null;
  };

  // node:http with a keep-alive agent: fetch() per forward made 200 concurrent callbacks take ~1 s on a busy 2-core machine
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const forward = (req: http.IncomingMessage, body: Buffer): Promise<{ status: number; text: string }> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || ['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    headers['content-length'] = String(body.length);
    forwarded += 1;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const out = http.request(options.target, { method: req.method ?? 'POST', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          forwardMs.push(performance.now() - t0);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  };

  const server = http.createServer((req, res) => {
    requests += 1;
    const fault = pick();
    if (fault) injected[fault] += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (r: { status: number; text: string }): void => {
        if (res.destroyed) return;
        res.writeHead(r.status, { 'content-type': 'text/plain' });
        res.end(r.text);
      };
      const fail = (): void => {
        if (!res.destroyed) res.writeHead(502).end();
      };
      switch (fault) {
        case 'reset':
          req.socket.destroy();
          return;
        case 'status_500':
          res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver failed');
          return;
        case 'forward_reset':
          forward(req, body).then(() => req.socket.destroy(), () => req.socket.destroy());
          return;
        case 'late':
          forward(req, body).then((r) => later(options.lateMs ?? 400, () => answer(r)), fail);
          return;
        case 'slow':
          later(options.slowMs ?? 30, () => void forward(req, body).then(answer, fail));
          return;
        default:
          forward(req, body).then(answer, fail);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stats: () => ({ requests, forwarded, injected: { ...injected }, slowestForwardMs: Math.round(Math.max(0, ...forwardMs)), forwardsOver100Ms: forwardMs.filter((m) => m > 100).length }),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
