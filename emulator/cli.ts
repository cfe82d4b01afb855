#!/usr/bin/env node
// node dist/emulator/cli.js cryptopay [--port 4010] [--host 127.0.0.1] [--key K --secret S]
//   [--callback-url URL] [--callback-secret S] [--time-scale 1] [--rate-limit 200] [--rate-limit-window 60]
import { parseArgs } from 'node:util';
import { CryptopayEmulator, DEFAULT_CALLBACK_SECRET, DEFAULT_CREDENTIALS } from './cryptopay';

const USAGE = `Usage: node dist/emulator/cli.js cryptopay [options]

Options:
  --port <n>               port to listen on (default 4010; 0 = random)
  --host <addr>            interface to bind (default 127.0.0.1)
  --key <k> --secret <s>   API credentials to accept (default emu-key / emu-secret)
  --callback-url <url>     where signed callbacks are POSTed (can be set later via POST /_emulator/callback)
  --callback-secret <s>    callback signing secret (default ${DEFAULT_CALLBACK_SECRET})
  --time-scale <x>         multiply real-world delays (retries, event spacing); default 1
  --rate-limit <n>         requests per window per API key before 429 (default 200, as Cryptopay)
  --rate-limit-window <s>  length of the sliding rate-limit window in seconds (default 60)
  -h, --help               show this help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a number >= 0`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        key: { type: 'string' },
        secret: { type: 'string' },
        'callback-url': { type: 'string' },
        'callback-secret': { type: 'string' },
        'time-scale': { type: 'string' },
        'rate-limit': { type: 'string' },
        'rate-limit-window': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals[0] !== 'cryptopay' || positionals.length > 1) fail('expected exactly one emulator name: cryptopay');
  if ((values.key === undefined) !== (values.secret === undefined)) fail('--key and --secret must be given together');

  const callbackUrl = values['callback-url'];
  if (callbackUrl !== undefined && !/^https?:\/\/\S+$/.test(callbackUrl)) fail('--callback-url must be an http(s) URL');

  const credentials = values.key !== undefined && values.secret !== undefined ? { [values.key]: values.secret } : { ...DEFAULT_CREDENTIALS };
  const port = numberOption(values.port, 'port', 4010);
  const host = values.host ?? '127.0.0.1';
  const emulator = new CryptopayEmulator({
    credentials,
    callbackUrl,
    callbackSecret: values['callback-secret'],
    timeScale: numberOption(values['time-scale'], 'time-scale', 1),
    rateLimitPerMinute: numberOption(values['rate-limit'], 'rate-limit', 200) || 200,
    rateLimitWindowMs: (numberOption(values['rate-limit-window'], 'rate-limit-window', 60) || 60) * 1000,
  });
  const { url } = await emulator.start(port, host);
  const [apiKey, apiSecret] = Object.entries(credentials)[0] ?? ['', ''];
  process.stdout.write(
    [
      `Cryptopay emulator listening on ${url}`,
      `  API base URL:     ${url}   (endpoints under /api)`,
      `  API key:          ${apiKey}`,
      `  API secret:       ${apiSecret}`,
      `  Callback URL:     ${callbackUrl ?? '(none; set with POST /_emulator/callback)'}`,
      `  Callback secret:  ${values['callback-secret'] ?? DEFAULT_CALLBACK_SECRET}`,
      `  Controls:         ${url}/_emulator/...  (see emulator/README.md)`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Cryptopay emulator\n`);
    emulator.stop().then(
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

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
