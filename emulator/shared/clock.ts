// An emulator's clock: a base clock (Date.now, or a test's) plus an offset that only moves forward.

export class EmulatorClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  /** Current emulator time in ms. */
  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the clock forward; throws RangeError for a negative or non-finite amount. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('advance_seconds: must be a finite number >= 0');
    this.offsetMs += Math.round(seconds * 1000);
  }

  /** Back to the base clock. */
  reset(): void {
    this.offsetMs = 0;
  }
}

/** Millisecond ISO time for an emulator's own logs (delivery attempts). */
export function logTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** http://host:port, with an IPv6 host in brackets. */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
