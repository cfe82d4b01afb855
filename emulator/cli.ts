#!/usr/bin/env node
// node dist/emulator/cli.js <emulator> [options]: starts one local gateway emulator.
//   cryptopay       Cryptopay (cryptopay.me), port 4010        (emulator/README.md)
//   payment-orders  CryptoPay payment orders, port 4030        (emulator/payment-orders/README.md)
// `node dist/emulator/cli.js <emulator> --help` lists that emulator's options.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-support';
import { CRYPTOPAY_OPTIONS, CRYPTOPAY_USAGE, startCryptopay } from './cryptopay/cli';
import { PAYMENT_ORDERS_OPTIONS, PAYMENT_ORDERS_USAGE, startPaymentOrders } from './payment-orders/cli';

interface EmulatorCommand {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  start(values: Record<string, string | undefined>): Promise<void>;
}

const COMMANDS: Readonly<Record<string, EmulatorCommand>> = {
  cryptopay: { usage: CRYPTOPAY_USAGE, options: CRYPTOPAY_OPTIONS, start: startCryptopay },
  'payment-orders': { usage: PAYMENT_ORDERS_USAGE, options: PAYMENT_ORDERS_OPTIONS, start: startPaymentOrders },
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
  try {
    await command.start(values as Record<string, string | undefined>);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, command.usage);
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
