// Small pieces every emulator's constructor and "nothing left behind" check use.

/** An option that must be a finite number ≥ 0; `fallback` when absent. */
export function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0`);
  return value;
}

/** What an emulator still holds open, for tests asserting that stop() leaves nothing behind. */
export interface WebhookEmulatorHandles {
  listening: boolean;
  openSockets: number;
  timers: number;
  inFlightWebhooks: number;
}
