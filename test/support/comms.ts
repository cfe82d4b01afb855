/**
 * The editor's view of a running Node-RED: a minimal WebSocket client (RFC 6455 text
 * frames, enough for Node-RED's /comms) that records every debug message and status
 * update the runtime publishes, exactly as the editor's sidebar and node badges get them.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

export interface CommsEvent {
  topic: string;
  data: unknown;
}

export interface CommsClient {
  events: CommsEvent[];
  /** Raw text of every frame received, in order (what the browser would see). */
  frames: string[];
  close(): void;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

export function connectComms(baseUrl: string, path = '/comms'): Promise<CommsClient> {
  const url = new URL(path, baseUrl);
  const events: CommsEvent[] = [];
  const frames: string[] = [];
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Version': '13' },
    });
    req.once('error', reject);
    req.once('response', (res) => reject(new Error(`no WebSocket upgrade at ${url.href}: ${res.statusCode}`)));
    req.once('upgrade', (_res, socket: Socket, head: Buffer) => {
      let buffer = head;
      let pieces: Buffer[] = [];
      const onText = (text: string): void => {
        frames.push(text);
        const parsed = JSON.parse(text) as CommsEvent | CommsEvent[];
        for (const e of Array.isArray(parsed) ? parsed : [parsed]) events.push(e);
      };
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          if (buffer.length < 2) return;
          const fin = (buffer[0]! & 0x80) !== 0;
          const opcode = buffer[0]! & 0x0f;
          let len = buffer[1]! & 0x7f;
          let at = 2;
          if (len === 126) {
            if (buffer.length < 4) return;
            len = buffer.readUInt16BE(2);
            at = 4;
          } else if (len === 127) {
            if (buffer.length < 10) return;
            len = Number(buffer.readBigUInt64BE(2));
            at = 10;
          }
          if (buffer.length < at + len) return;
          const payload = buffer.subarray(at, at + len);
          buffer = buffer.subarray(at + len);
          if (opcode === 9) socket.write(frame(10, payload));
          else if (opcode === 8) socket.end();
          else if (opcode === 1 || opcode === 0) {
            pieces.push(Buffer.from(payload));
            if (fin) {
              const text = Buffer.concat(pieces).toString('utf8');
              pieces = [];
              onText(text);
            }
          }
        }
      });
      socket.on('error', () => undefined);
      const send = (value: unknown): void => {
        socket.write(frame(1, Buffer.from(JSON.stringify(value), 'utf8')));
      };
      // Everything is published to every client; subscribing replays the retained statuses.
      send({ subscribe: 'status/#' });
      send({ subscribe: 'notification/#' });
      send({ subscribe: 'debug' });
      resolve({ events, frames, close: () => socket.destroy() });
    });
    req.end();
  });
}
