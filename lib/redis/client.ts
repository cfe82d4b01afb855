/**
 * A small Redis client for the few commands Paywire needs: one reused connection,
 * pipelined commands answered in order, AUTH and SELECT from the URL on every (re)connect,
 * a timeout per command, and reconnection with doubling backoff. While the connection is
 * down commands fail at once (a callback then answers 503 and the gateway retries) instead
 * of piling up.
 */
import net from 'node:net';
import { RedisReplyError, RespParser, encodeCommand } from './resp';
import type { RespValue } from './resp';
import { describeEndpoint } from './url';
import type { RedisEndpoint } from './url';

export type RedisClientState = 'connecting' | 'ready' | 'down' | 'closed';

export interface RedisClientOptions {
  connectTimeoutMs?: number;
  /** From the call to the reply, including any wait for the connection. */
  commandTimeoutMs?: number;
  /** First wait before reconnecting; doubles per failed attempt up to reconnectMaxMs. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  onStateChange?: (state: RedisClientState, error?: Error) => void;
}

/** Redis could not answer. `maybeExecuted` says whether the command may still have run. */
export class RedisUnavailableError extends Error {
  constructor(
    message: string,
    readonly maybeExecuted: boolean,
  ) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

interface Pending {
  args: readonly string[];
  resolve(value: RespValue): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

export class RedisClient {
  private currentState: RedisClientState = 'connecting';
  private socket: net.Socket | undefined;
  private readonly parser = new RespParser();
  /** Waiting for the connection to be ready. */
  private readonly queue: Pending[] = [];
  /** Written to the socket, replies expected in this order. */
  private readonly inflight: Pending[] = [];
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private error: Error | undefined;
  private readonly where: string;
  private readonly options: Required<Omit<RedisClientOptions, 'onStateChange'>> & Pick<RedisClientOptions, 'onStateChange'>;

  constructor(
    private readonly endpoint: RedisEndpoint,
    options: RedisClientOptions = {},
  ) {
    this.options = {
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      commandTimeoutMs: options.commandTimeoutMs ?? 2000,
      reconnectMinMs: options.reconnectMinMs ?? 100,
      reconnectMaxMs: options.reconnectMaxMs ?? 5000,
      onStateChange: options.onStateChange,
    };
    this.where = describeEndpoint(endpoint);
    this.connect();
  }

  get state(): RedisClientState {
    return this.currentState;
  }

  /** Why the connection is down, when it is. */
  get lastError(): Error | undefined {
    return this.error;
  }

  command(args: readonly string[]): Promise<RespValue> {
    return new Promise<RespValue>((resolve, reject) => {
      if (this.currentState === 'closed') return reject(new RedisUnavailableError(`Redis client for ${this.where} is closed`, false));
      if (this.currentState === 'down') {
        return reject(new RedisUnavailableError(`Redis at ${this.where} is unreachable (${this.error?.message ?? 'not connected'}); reconnecting`, false));
      }
      const pending: Pending = {
        args,
        resolve,
        reject,
        settled: false,
        timer: setTimeout(() => this.timedOut(pending), this.options.commandTimeoutMs),
      };
      if (this.currentState === 'ready' && this.socket) this.write(this.socket, pending);
      else this.queue.push(pending);
    });
  }

  /** Closes the connection and stops reconnecting; pending commands fail. */
  close(): Promise<void> {
    if (this.currentState === 'closed') return Promise.resolve();
    clearTimeout(this.retryTimer);
    this.setState('closed');
    const socket = this.socket;
    this.socket = undefined;
    this.rejectAll(new RedisUnavailableError(`Redis client for ${this.where} was closed`, true), new RedisUnavailableError(`Redis client for ${this.where} was closed`, false));
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private setState(state: RedisClientState, error?: Error): void {
    if (state === 'down') this.error = error;
    if (state === 'ready') this.error = undefined;
    if (state === this.currentState) return;
    this.currentState = state;
    this.options.onStateChange?.(state, error);
  }

  private connect(): void {
    this.retryTimer = undefined;
    this.setState('connecting');
    const socket = net.connect({ host: this.endpoint.host, port: this.endpoint.port });
    this.socket = socket;
    this.parser.reset();
    const connectTimer = setTimeout(() => this.fail(socket, new Error(`no connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10_000);
      void this.handshake(socket);
    });
    socket.on('data', (chunk: Buffer) => this.received(socket, chunk));
    socket.on('error', (err) => {
      clearTimeout(connectTimer);
      this.fail(socket, err);
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      this.fail(socket, new Error('connection closed by the server'));
    });
  }

  /** AUTH and SELECT go first on every connection, before any queued command. */
  private async handshake(socket: net.Socket): Promise<void> {
    const { username, password, db } = this.endpoint;
    const send = (args: string[]): Promise<RespValue> =>
      new Promise((resolve, reject) => {
        const pending: Pending = { args, resolve, reject, settled: false, timer: setTimeout(() => this.timedOut(pending), this.options.commandTimeoutMs) };
        this.write(socket, pending);
      });
    try {
      if (password !== undefined) await send(username ? ['AUTH', username, password] : ['AUTH', password]);
      if (db !== 0) await send(['SELECT', String(db)]);
    } catch (err) {
      const why = err instanceof RedisReplyError ? (err.code === 'WRONGPASS' || err.code === 'NOAUTH' || /AUTH/i.test(err.message) ? `authentication failed: ${err.message}` : err.message) : String((err as Error).message);
      this.fail(socket, new Error(why));
      return;
    }
    if (socket !== this.socket || this.currentState === 'closed') return;
    this.failures = 0;
    this.setState('ready');
    for (const pending of this.queue.splice(0)) this.write(socket, pending);
  }

  private write(socket: net.Socket, pending: Pending): void {
    this.inflight.push(pending);
    socket.write(encodeCommand(pending.args));
  }

  private received(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    let replies: RespValue[];
    try {
      replies = this.parser.feed(chunk);
    } catch (err) {
      return this.fail(socket, err as Error);
    }
    for (const reply of replies) {
      const pending = this.inflight.shift();
      if (!pending) return this.fail(socket, new Error('Redis sent a reply nobody asked for'));
      this.settle(pending, reply);
    }
  }

  private settle(pending: Pending, reply: RespValue): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    if (reply instanceof RedisReplyError) pending.reject(reply);
    else pending.resolve(reply);
  }

  private timedOut(pending: Pending): void {
    if (pending.settled) return;
    const queued = this.queue.indexOf(pending);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      pending.settled = true;
      pending.reject(new RedisUnavailableError(`Redis at ${this.where} did not connect within ${this.options.commandTimeoutMs} ms`, false));
      return;
    }
    pending.settled = true;
    pending.reject(new RedisUnavailableError(`Redis at ${this.where} did not answer ${pending.args[0] ?? ''} within ${this.options.commandTimeoutMs} ms`, true));
    // A silent server (or half-open TCP connection) is treated as gone: start over.
    if (this.socket) this.fail(this.socket, new Error(`no reply within ${this.options.commandTimeoutMs} ms`));
  }

  private rejectAll(sent: Error, unsent: Error): void {
    for (const pending of this.inflight.splice(0)) this.abandon(pending, sent);
    for (const pending of this.queue.splice(0)) this.abandon(pending, unsent);
  }

  private abandon(pending: Pending, err: Error): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    pending.reject(err);
  }

  private fail(socket: net.Socket, cause: Error): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    socket.destroy();
    this.parser.reset();
    const message = `Redis at ${this.where}: ${cause.message}`;
    this.rejectAll(new RedisUnavailableError(`${message}; the command may have run`, true), new RedisUnavailableError(message, false));
    if (this.currentState === 'closed') return;
    this.setState('down', new Error(cause.message));
    const delay = Math.min(this.options.reconnectMaxMs, this.options.reconnectMinMs * 2 ** this.failures);
    this.failures++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }
}
