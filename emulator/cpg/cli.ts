// `cli.js cpg …`: options and start-up banner of the CPG emulator.
import type { ParseArgsConfig } from 'node:util';
import { UsageError, httpUrlOption, numberOption, positiveIntegerOption } from '../cli-support';
import type { StartedEmulator } from '../cli-support';
import { CpgEmulator, DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, DEFAULT_PORT, DEFAULT_RATE_LIMIT_PER_MIN, DEFAULT_WEBHOOK_SECRET } from './index';

export const CPG_USAGE = `Usage: node dist/emulator/cli.js cpg [options]

Options:
  --port <n>               port to listen on (default ${DEFAULT_PORT}; 0 = random)
  --host <addr>            interface to bind (default 127.0.0.1)
  --key <id> --secret <s>  API key id and secret, with every permission (default ${DEFAULT_KEY_ID} / ${DEFAULT_KEY_SECRET})
  --rate-limit <n>         rate_limit_per_min of that key (default ${DEFAULT_RATE_LIMIT_PER_MIN})
  --webhook-url <url>      a webhook for all six events (more via POST /_emulator/webhooks)
  --webhook-secret <s>     its signing secret (default ${DEFAULT_WEBHOOK_SECRET})
  --time-scale <x>         multiply real-world delays (webhook retries); default 1
  -h, --help               show this help`;

export const CPG_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'string' },
  'rate-limit': { type: 'string' },
  'webhook-url': { type: 'string' },
  'webhook-secret': { type: 'string' },
  'time-scale': { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Values = { [K in keyof typeof CPG_OPTIONS]?: string };

export async function startCpg(values: Values): Promise<StartedEmulator> {
  if ((values.key === undefined) !== (values.secret === undefined)) throw new UsageError('--key and --secret must be given together');
  const keyId = values.key ?? DEFAULT_KEY_ID;
  const secret = values.secret ?? DEFAULT_KEY_SECRET;
  const rateLimitPerMin = positiveIntegerOption(values['rate-limit'], 'rate-limit', DEFAULT_RATE_LIMIT_PER_MIN);
  const webhookUrl = httpUrlOption(values['webhook-url'], 'webhook-url');
  const webhookSecret = values['webhook-secret'] ?? DEFAULT_WEBHOOK_SECRET;
  const emulator = new CpgEmulator({
    keys: [{ keyId, secret, rateLimitPerMin }],
    webhooks: webhookUrl ? [{ url: webhookUrl, secret: webhookSecret }] : [],
    timeScale: numberOption(values['time-scale'], 'time-scale', 1),
  });
  const { url } = await emulator.start(numberOption(values.port, 'port', DEFAULT_PORT), values.host ?? '127.0.0.1');
  process.stdout.write(
    [
      `CPG emulator listening on ${url}`,
      `  API base URL:     ${url}   (endpoints under /v1; gateway environment "custom")`,
      `  Key id:           ${keyId}`,
      `  Secret:           ${secret}`,
      `  Webhook:          ${webhookUrl ? `${webhookUrl} (signing secret ${webhookSecret})` : '(none; register with POST /_emulator/webhooks)'}`,
      `  Controls:         ${url}/_emulator/...  (see emulator/cpg/README.md)`,
      '',
    ].join('\n'),
  );
  return { label: 'CPG emulator', stop: () => emulator.stop() };
}
