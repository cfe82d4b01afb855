#!/usr/bin/env node
// node dist/emulator/cli.js <cryptopay|cpg|all> [options]   (see USAGE)
import { parseArgs } from 'node:util';
import { CpgEmulator, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, DEFAULT_PORT as CPG_DEFAULT_PORT, DEFAULT_RATE_LIMIT_PER_MIN, DEFAULT_WEBHOOK_SECRET } from './cpg';
import { CryptopayEmulator, DEFAULT_CALLBACK_SECRET, DEFAULT_CREDENTIALS } from './cryptopay';

const USAGE = `Usage: node dist/emulator/cli.js <cryptopay|cpg|all> [options]

  cryptopay   the Cryptopay merchant API (default port 4010)
  cpg         CPG, the Crypto Payment Gateway /v1 (default port 4020)
  all         both, on their default ports (only --host and --time-scale apply)

Options for every emulator:
  --port <n>               port to listen on (0 = random)
  --host <addr>            interface to bind (default 127.0.0.1)
  --time-scale <x>         multiply real-world delays (retries, event spacing); default 1
  -h, --help               show this help

cryptopay:
  --key <k> --secret <s>   API credentials to accept (default emu-key / emu-secret)
  --callback-url <url>     where signed callbacks are POSTed (can be set later via POST /_emulator/callback)
  --callback-secret <s>    callback signing secret (default ${DEFAULT_CALLBACK_SECRET})
  --rate-limit <n>         requests per minute per API key before 429 (default 200, as Cryptopay)

cpg:
  --key <id> --secret <s>  API key id and secret, with every permission (default ${DEFAULT_KEY_ID} / ${DEFAULT_KEY_SECRET})
  --rate-limit <n>         rate_limit_per_min of that key (default ${DEFAULT_RATE_LIMIT_PER_MIN})
  --webhook-url <url>      a webhook for all six events (more via POST /_emulator/webhooks)
  --webhook-secret <s>     its signing secret (default ${DEFAULT_WEBHOOK_SECRET})`;

const EMULATORS = ['cryptopay', 'cpg', 'all'] as const;
type EmulatorName = (typeof EMULATORS)[number];

const ONLY: Readonly<Record<string, EmulatorName>> = {
  'callback-url': 'cryptopay',
  'callback-secret': 'cryptopay',
  'webhook-url': 'cpg',
  'webhook-secret': 'cpg',
};

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

function httpUrl(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) fail(`--${name} must be an http(s) URL`);
  return value;
}

type Values = Record<string, string | boolean | undefined>;
const text = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);

interface Started {
  name: string;
  stop(): Promise<void>;
  banner: string[];
}

async function startCryptopay(values: Values, port: number, host: string, timeScale: number): Promise<Started> {
  const key = text(values, 'key');
  const secret = text(values, 'secret');
  const callbackUrl = httpUrl(text(values, 'callback-url'), 'callback-url');
  const credentials = key !== undefined && secret !== undefined ? { [key]: secret } : { ...DEFAULT_CREDENTIALS };
  const emulator = new CryptopayEmulator({
    credentials,
    callbackUrl,
    callbackSecret: text(values, 'callback-secret'),
    timeScale,
    rateLimitPerMinute: numberOption(text(values, 'rate-limit'), 'rate-limit', 200) || 200,
  });
  const { url } = await emulator.start(port, host);
  const [apiKey, apiSecret] = Object.entries(credentials)[0] ?? ['', ''];
  return {
    name: 'Cryptopay',
    stop: () => emulator.stop(),
    banner: [
      `Cryptopay emulator listening on ${url}`,
      `  API base URL:     ${url}   (endpoints under /api)`,
      `  API key:          ${apiKey}`,
      `  API secret:       ${apiSecret}`,
      `  Callback URL:     ${callbackUrl ?? '(none; set with POST /_emulator/callback)'}`,
      `  Callback secret:  ${text(values, 'callback-secret') ?? DEFAULT_CALLBACK_SECRET}`,
      `  Controls:         ${url}/_emulator/...  (see emulator/README.md)`,
    ],
  };
}

async function startCpg(values: Values, port: number, host: string, timeScale: number): Promise<Started> {
  const keyId = text(values, 'key') ?? DEFAULT_KEY_ID;
  const secret = text(values, 'secret') ?? DEFAULT_KEY_SECRET;
  const rateLimit = numberOption(text(values, 'rate-limit'), 'rate-limit', DEFAULT_RATE_LIMIT_PER_MIN);
  if (!Number.isInteger(rateLimit) || rateLimit < 1) fail('--rate-limit must be an integer >= 1');
  const webhookUrl = httpUrl(text(values, 'webhook-url'), 'webhook-url');
  const webhookSecret = text(values, 'webhook-secret') ?? DEFAULT_WEBHOOK_SECRET;
  const emulator = new CpgEmulator({
    keys: [{ keyId, secret, rateLimitPerMin: rateLimit }],
    webhooks: webhookUrl ? [{ url: webhookUrl, secret: webhookSecret }] : [],
    timeScale,
  });
  const { url } = await emulator.start(port, host);
  return {
    name: 'CPG',
    stop: () => emulator.stop(),
    banner: [
      `CPG emulator listening on ${url}`,
      `  API base URL:     ${url}   (endpoints under /v1; gateway environment "custom")`,
      `  Key id:           ${keyId}`,
      `  Secret:           ${secret}`,
      `  Webhook:          ${webhookUrl ? `${webhookUrl} (signing secret ${webhookSecret})` : '(none; register with POST /_emulator/webhooks)'}`,
      `  Controls:         ${url}/_emulator/...  (see emulator/cpg/README.md)`,
    ],
  };
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
        'webhook-url': { type: 'string' },
        'webhook-secret': { type: 'string' },
        'time-scale': { type: 'string' },
        'rate-limit': { type: 'string' },
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
  const name = positionals[0] as EmulatorName | undefined;
  if (positionals.length !== 1 || !name || !EMULATORS.includes(name)) fail(`expected exactly one emulator name: ${EMULATORS.join(', ')}`);
  for (const [option, owner] of Object.entries(ONLY)) {
    if (values[option as keyof typeof values] !== undefined && owner !== name) fail(`--${option} is an option of the ${owner} emulator`);
  }
  if (name === 'all' && (values.port ?? values.key ?? values.secret ?? values['rate-limit']) !== undefined) {
    fail('with "all" only --host and --time-scale apply (each emulator uses its defaults)');
  }
  if (name === 'cryptopay' && (values.key === undefined) !== (values.secret === undefined)) fail('--key and --secret must be given together');

  const host = values.host ?? '127.0.0.1';
  const timeScale = numberOption(values['time-scale'], 'time-scale', 1);
  const started: Started[] = [];
  if (name === 'cryptopay' || name === 'all') started.push(await startCryptopay(values, numberOption(values.port, 'port', 4010), host, timeScale));
  if (name === 'cpg' || name === 'all') started.push(await startCpg(values, numberOption(values.port, 'port', CPG_DEFAULT_PORT), host, timeScale));
  process.stdout.write(`${started.flatMap((s) => [...s.banner, '']).join('\n')}`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping ${started.map((s) => s.name).join(' and ')} emulator${started.length > 1 ? 's' : ''}\n`);
    Promise.all(started.map((s) => s.stop())).then(
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
