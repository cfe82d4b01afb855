// `cli.js cryptopay …`: options and start-up banner of the Cryptopay emulator.
import type { ParseArgsConfig } from 'node:util';
import { UsageError, httpUrlOption, numberOption } from '../cli-support';
import type { StartedEmulator } from '../cli-support';
import { CryptopayEmulator, DEFAULT_CALLBACK_SECRET, DEFAULT_CREDENTIALS } from './index';

export const CRYPTOPAY_USAGE = `Usage: node dist/emulator/cli.js cryptopay [options]

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

export const CRYPTOPAY_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'string' },
  'callback-url': { type: 'string' },
  'callback-secret': { type: 'string' },
  'time-scale': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-limit-window': { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Values = { [K in keyof typeof CRYPTOPAY_OPTIONS]?: string };

export async function startCryptopay(values: Values): Promise<StartedEmulator> {
  if ((values.key === undefined) !== (values.secret === undefined)) throw new UsageError('--key and --secret must be given together');
  const callbackUrl = httpUrlOption(values['callback-url'], 'callback-url');
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
  return { label: 'Cryptopay emulator', stop: () => emulator.stop() };
}
