/** Status badges: short texts, the shared colours, and no secrets (messages come from our own errors). */
import { badgeFor } from '../../lib/status';
import type { PaywireMeta } from '../../lib/operations';
import { GatewayError, TransportError } from '../../lib/errors';
import type { NodeStatus } from './red';

const MAX_TEXT = 32;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** The same badge: sending it again would change nothing the editor or a Status node shows. */
export function sameBadge(a: NodeStatus, b: NodeStatus): boolean {
  return a.text === b.text && a.fill === b.fill && a.shape === b.shape;
}

export function busy(text: string): NodeStatus {
  return { fill: 'blue', shape: 'dot', text: clip(text) };
}

export function done(text: string): NodeStatus {
  return { fill: 'green', shape: 'dot', text: clip(text) };
}

export function waiting(text: string): NodeStatus {
  return { fill: 'yellow', shape: 'ring', text: clip(text) };
}

export function resultBadge(meta: Pick<PaywireMeta, 'state' | 'reason'>, fallback: string): NodeStatus {
  if (!meta.state) return done(fallback);
  const badge = badgeFor({ state: meta.state, reason: meta.reason });
  return { fill: badge.fill, shape: badge.shape, text: clip(badge.text) };
}

export function failure(err: unknown): NodeStatus {
  let text = 'error';
  if (err instanceof GatewayError) text = `${err.httpStatus} ${err.code}`;
  else if (err instanceof TransportError) text = err.code === 'timeout' ? 'timeout' : 'unreachable';
  else if (err instanceof Error && 'code' in err && typeof err.code === 'string') text = err.code.replace(/_/g, ' ');
  return { fill: 'red', shape: 'ring', text: clip(text) };
}
