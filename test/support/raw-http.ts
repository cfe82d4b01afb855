/**
 * A POST written by hand over a plain socket, so a test controls exactly when each body byte
 * leaves: chunked or with a declared length, trickled or stalled. It notes how many body bytes
 * were sent when the answer's status line arrived, and whether the server closed the connection.
 */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: string;
  /** Milliseconds from the request's first byte to the status line. */
  ms: number;
  /** Body bytes written before the status line arrived. */
  sentBefore: number;
}

export interface RawPost {
  /** Writes `bytes` more body bytes (as one chunk when chunked); resolves once the socket took them. */
  write(bytes: number): Promise<void>;
  /** Ends a chunked body. */
  end(): void;
  readonly sent: number;
  /** The status line and headers, once they arrive (rejects if the socket closes first). */
  answer: Promise<RawAnswer>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
  answered(): boolean;
  destroy(): void;
}

export function rawPost(url: string, path: string, options: { contentLength?: number; headers?: Record<string, string> } = {}): RawPost {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined); // a reset after the answer is expected
  const chunked = options.contentLength === undefined;
  const head = [
    `POST ${path} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    'content-type: application/json',
    chunked ? 'transfer-encoding: chunked' : `content-length: ${options.contentLength}`,
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  const started = performance.now();
  socket.write(head);
  let sent = 0;
  let received = '';
  let done = false;
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (done || end === -1) return;
      done = true;
      resolve({ status: Number(received.slice(9, 12)), headers: received.slice(0, end).toLowerCase(), ms: performance.now() - started, sentBefore: sent });
    });
    socket.on('close', () => reject(new Error(`closed without an answer after ${sent} body bytes`)));
  });
  answer.catch(() => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const filler = Buffer.alloc(64 * 1024, 'a');
  return {
    async write(bytes) {
      if (done) return;
      if (socket.destroyed) throw new Error(`connection closed without an answer after ${sent} body bytes`);
      let left = bytes;
      const parts: Buffer[] = [];
      while (left > 0) {
        const n = Math.min(left, filler.length);
        parts.push(filler.subarray(0, n));
        left -= n;
      }
      const body = Buffer.concat(parts, bytes);
      const frame = chunked ? Buffer.concat([Buffer.from(`${bytes.toString(16)}\r\n`), body, Buffer.from('\r\n')]) : body;
      sent += bytes;
      if (!socket.write(frame)) await new Promise<void>((resolve) => { socket.once('drain', resolve); socket.once('close', resolve); });
    },
    end() {
      if (chunked && !socket.destroyed) socket.write('0\r\n\r\n');
    },
    get sent() {
      return sent;
    },
    answer,
    closed,
    answered: () => done,
    destroy: () => socket.destroy(),
  };
}
