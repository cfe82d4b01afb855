/**
 * Payment-order nonces: the reference's example (1640995200123456) reads as Unix
 * microseconds. Strictly increasing within this process, so two orders created in the same
 * millisecond never share one; the random tail keeps two processes apart.
 */
import { randomInt } from 'node:crypto';

let last = 0;

export function generateNonce(nowMs: number = Date.now()): number {
  last = Math.max(Math.floor(nowMs) * 1000 + randomInt(1000), last + 1);
  return last;
}
