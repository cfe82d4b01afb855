#!/usr/bin/env node
// node dist/emulator/cli.js <emulator> [options]: starts local gateway emulators.
//   cryptopay       Cryptopay (cryptopay.me), port 4010        (emulator/README.md)
//   cpg             CPG, the Crypto Payment Gateway /v1, 4020  (emulator/cpg/README.md)
//   payment-orders  CryptoPay payment orders, port 4030        (emulator/payment-orders/README.md)
//   all             the three on their default ports (only --host and --time-scale apply)
// `node dist/emulator/cli.js <emulator> --help` lists that emulator's options.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError, stopOnSignals } from './cli-support';
import type { StartedEmulator } from './cli-support';
import { CPG_OPTIONS, CPG_USAGE, startCpg } from './cpg/cli';
import { CRYPTOPAY_OPTIONS, CRYPTOPAY_USAGE, startCryptopay } from './cryptopay/cli';
import { PAYMENT_ORDERS_OPTIONS, PAYMENT_ORDERS_USAGE, startPaymentOrders } from './payment-orders/cli';

type Values = Record<string, string | undefined>;

interface EmulatorCommand {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  start(values: Values): Promise<StartedEmulator[]>;
}

const one =
  (start: (values: Values) => Promise<StartedEmulator>) =>
  async (values: Values): Promise<StartedEmulator[]> => [await start(values)];

const ALL_USAGE = `Usage: node dist/emulator/cli.js all [--host <addr>] [--time-scale <x>]

Starts the Cryptopay (4010), CPG (4020) and payment-orders (4030) emulators with their defaults.`;

const COMMANDS: Readonly<Record<string, EmulatorCommand>> = {
  cryptopay: { usage: CRYPTOPAY_USAGE, options: CRYPTOPAY_OPTIONS, start: one(startCryptopay) },
  cpg: { usage: CPG_USAGE, options: CPG_OPTIONS, start: one(startCpg) },
  'payment-orders': { usage: PAYMENT_ORDERS_USAGE, options: PAYMENT_ORDERS_OPTIONS, start: one(startPaymentOrders) },
  all: {
    usage: ALL_USAGE,
    options: { host: { type: 'string' }, 'time-scale': { type: 'string' } },
    async start(values) {
      const started: StartedEmulator[] = [];
      try {
        for (const start of [startCryptopay, startCpg, startPaymentOrders]) started.push(await start(values));
      } catch (err) {
        // A port already taken: do not leave the others running.
        await Promise.all(started.map((s) => s.stop()));
        throw err;
      }
      return started;
    },
  },
};

const USAGE = `Usage: node dist/emulator/cli.js <emulator> [options]

Emulators: ${Object.keys(COMMANDS).join(', ')}
Run node dist/emulator/cli.js <emulator> --help for its options.`;

function fail(message: string, usage: string): never {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined || name === '-h' || name === '--help') {
    if (name === undefined) fail('expected an emulator name', USAGE);
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) fail(`unknown emulator "${name}"`, USAGE);
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: rest, allowPositionals: false, options: { ...command.options, help: { type: 'boolean', short: 'h' } } });
    values = parsed.values;
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), command.usage);
  }
  if (values.help) {
    process.stdout.write(`${command.usage}\n`);
    return;
  }
  delete values.help;
  let started: StartedEmulator[];
  try {
    started = await command.start(values as Values);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, command.usage);
    throw err;
  }
  stopOnSignals(started.map((s) => s.label).join(' and '), () => Promise.all(started.map((s) => s.stop())).then(() => undefined));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
