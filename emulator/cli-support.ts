// What every emulator's command line shares: usage errors, number options, clean shutdown.

export class UsageError extends Error {}

/** A running emulator, as the command line knows it: stopped once on SIGINT/SIGTERM. */
export interface StartedEmulator {
  label: string;
  stop(): Promise<void>;
}

export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number >= 0`);
  return n;
}

export function positiveIntegerOption(value: string | undefined, name: string, fallback: number): number {
  const n = numberOption(value, name, fallback);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number >= 1`);
  return n;
}

export function httpUrlOption(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) throw new UsageError(`--${name} must be an http(s) URL`);
  return value;
}

/** Stops the emulator once on SIGINT/SIGTERM, then exits. */
export function stopOnSignals(label: string, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping ${label}\n`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
