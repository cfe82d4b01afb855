/**
 * A loopback HTTP proxy in front of an emulator that records every request that reaches it,
 * with its exact body: the proof that a refused amount sent nothing, and of the exact decimal
 * text an accepted one was sent as.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  /** The JSON bodies of the requests to `path` (exact match, without query). */
  bodiesTo(method: string, path: string): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') });
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bodiesTo: (method, path) =>
      requests.filter((r) => r.method === method && r.path.split('?')[0] === path && r.body !== '').map((r) => JSON.parse(r.body) as Record<string, unknown>),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
