/**
 * A TCP proxy in front of a server (Redis) for fault tests, on a free loopback port:
 * - `blackhole(ms)`: nothing passes in either direction and new connections wait, as when the
 *   network between Node-RED and Redis stops carrying packets; TCP keeps the bytes, so they
 *   arrive (late) once it ends, as they would after retransmission;
 * - `delayReplies(ms)`: every chunk from the server reaches the client `ms` later (order kept):
 *   a Redis that takes that long per reply.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  blackhole(ms: number): Promise<void>;
  delayReplies(ms: number): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let holdUntil = 0;
  let replyDelayMs = 0;
  let accepted = 0;
  const pending: Array<() => void> = [];

  const held = (): boolean => Date.now() < holdUntil;

  const server = net.createServer((client) => {
    accepted++;
    sockets.add(client);
    const connect = (): void => {
      const upstream = net.connect(targetPort, targetHost);
      sockets.add(upstream);
      client.on('data', (chunk: Buffer) => {
        if (!held()) return void upstream.write(chunk);
        client.pause();
        pending.push(() => {
          upstream.write(chunk);
          client.resume();
        });
      });
      upstream.on('data', (chunk: Buffer) => {
        const forward = (): void => {
          if (replyDelayMs > 0) setTimeout(() => client.destroyed || client.write(chunk), replyDelayMs);
          else if (!client.destroyed) client.write(chunk);
        };
        if (!held()) return forward();
        upstream.pause();
        pending.push(() => {
          forward();
          upstream.resume();
        });
      });
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    };
    if (held()) {
      client.pause();
      pending.push(() => {
        connect();
        client.resume();
      });
    } else connect();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    blackhole: async (ms) => {
      holdUntil = Date.now() + ms;
      // Chunks already read keep their order: they were queued in arrival order.
      await new Promise((resolve) => setTimeout(resolve, ms));
      holdUntil = 0;
      for (const release of pending.splice(0)) release();
    },
    delayReplies: (ms) => {
      replyDelayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
