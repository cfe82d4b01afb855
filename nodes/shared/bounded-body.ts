/**
 * Reads a callback body with bounded work: never more than the body limit, never longer than
 * the read deadline, and never more bytes in flight, across every callback route of this
 * process, than the shared budget. Past any bound the request is answered at once (413, 408,
 * 503) and its connection closed, so a sender cannot keep us reading or holding memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** Bytes all unfinished callback bodies together may hold; real callbacks are a few KB each. */
export const DEFAULT_PENDING_BYTES = 16 * 1024 * 1024;

/** Why a body was not read; each has its own answer. */
export type BodyRefusal = 'payload_too_large' | 'body_timeout' | 'server_busy';

const ANSWERS: Record<BodyRefusal, number> = { payload_too_large: 413, body_timeout: 408, server_busy: 503 };

export function refusalStatus(refusal: BodyRefusal): number {
  return ANSWERS[refusal];
}

export interface BodyRules {
  limit: number;
  deadlineMs: number;
}

export type BodyOutcome =
  | { kind: 'read'; body: Buffer }
  /** Answered and closed here. */
  | { kind: 'refused'; refusal: BodyRefusal; detail: string }
  /** The sender went away before the end; nothing to answer. */
  | { kind: 'aborted' }
  /** Someone read the stream before us: the exact bytes are gone. */
  | { kind: 'consumed' };

/** The process-wide count of bytes held by bodies still being read. */
const pending = { bytes: 0, cap: DEFAULT_PENDING_BYTES };

export function setPendingBytesCap(cap: number): void {
  pending.cap = cap;
}

export function pendingBytes(): number {
  return pending.bytes;
}

/** How long a refused sender gets to read its answer before the connection is dropped. */
const LINGER_MS = 1_000;

/**
 * Answers a refusal and closes the connection; the rest of the body is never read. The close
 * is ours, not Node's "connection: close": Node would close the socket as soon as the answer is
 * written, and a close with unread bytes waiting sends a reset that can destroy the answer
 * before the sender reads it. So: answer, stop reading, end our side once the answer is out,
 * and drop the connection when the sender closes or after a short linger.
 */
function answerAndClose(req: IncomingMessage, res: ServerResponse, refusal: BodyRefusal): void {
  const socket = req.socket;
  // Counted as consumed (Node would otherwise read and discard the whole body), then paused:
  // what the sender still pushes waits in the kernel and slows it down.
  req.on('data', () => undefined);
  req.pause();
  const text = JSON.stringify({ error: refusal });
  const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) };
  if (refusal === 'server_busy') headers['retry-after'] = '5';
  if (!res.headersSent) {
    res.writeHead(ANSWERS[refusal], headers);
    res.end(text);
  }
  const drop = setTimeout(() => socket.destroy(), LINGER_MS);
  drop.unref();
  socket.once('close', () => clearTimeout(drop));
  res.once('finish', () => socket.end());
}

export function readBoundedBody(req: IncomingMessage, res: ServerResponse, rules: BodyRules, done: (outcome: BodyOutcome) => void): void {
  if (req.readableEnded || (req as { _readableState?: { endEmitted?: boolean } })._readableState?.endEmitted) {
    return done({ kind: 'consumed' });
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > rules.limit) {
    answerAndClose(req, res, 'payload_too_large');
    return done({ kind: 'refused', refusal: 'payload_too_large', detail: `declared ${declared} bytes, limit ${rules.limit}` });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;

  const settle = (): void => {
    settled = true;
    clearTimeout(timer);
    pending.bytes -= size;
    chunks.length = 0;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', onAborted);
    req.off('error', onAborted);
    req.off('close', onClose);
  };
  const refuse = (refusal: BodyRefusal, detail: string): void => {
    settle();
    answerAndClose(req, res, refusal);
    done({ kind: 'refused', refusal, detail });
  };
  const onData = (chunk: Buffer): void => {
    if (settled) return;
    if (size + chunk.length > rules.limit) return refuse('payload_too_large', `over ${rules.limit} bytes`);
    if (pending.bytes + chunk.length > pending.cap) return refuse('server_busy', `unfinished callback bodies hold ${pending.bytes} bytes (cap ${pending.cap})`);
    pending.bytes += chunk.length;
    size += chunk.length;
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    if (settled) return;
    const body = Buffer.concat(chunks, size);
    settle();
    done({ kind: 'read', body });
  };
  const onAborted = (): void => {
    if (settled) return;
    settle();
    done({ kind: 'aborted' });
  };
  const onClose = (): void => {
    // Closed before the whole body arrived: the sender went away mid-body. (A complete body
    // still ends: its last bytes are buffered.)
    if (!req.complete) onAborted();
  };
  const timer = setTimeout(() => refuse('body_timeout', `body not complete after ${rules.deadlineMs} ms`), rules.deadlineMs);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
  req.on('error', onAborted);
  req.on('close', onClose);
}
