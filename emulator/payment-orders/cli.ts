// `cli.js payment-orders …`: options and start-up banner of the payment-orders emulator.
import type { ParseArgsConfig } from 'node:util';
import { UsageError, httpUrlOption, numberOption, positiveIntegerOption } from '../cli-support';
import type { StartedEmulator } from '../cli-support';
import {
  DEFAULT_PO_API_KEY,
  DEFAULT_PO_PASSWORD,
  DEFAULT_PO_USERNAME,
  DEFAULT_PO_WEBHOOK_SECRET,
  DEFAULT_RATE_LIMIT,
  DEFAULT_TOKEN_TTL_SECONDS,
  PaymentOrdersEmulator,
} from './index';

export const PAYMENT_ORDERS_DEFAULT_PORT = 4030;

export const PAYMENT_ORDERS_USAGE = `Usage: node dist/emulator/cli.js payment-orders [options]

Options:
  --port <n>                 port to listen on (default ${PAYMENT_ORDERS_DEFAULT_PORT}; 0 = random)
  --host <addr>              interface to bind (default 127.0.0.1)
  --username <u> --password <p>
                             login account for POST /api/auth/login (default ${DEFAULT_PO_USERNAME} / ${DEFAULT_PO_PASSWORD})
  --api-key <k>              API key accepted directly as a bearer token (default ${DEFAULT_PO_API_KEY})
  --token-ttl <s>            lifetime of login tokens in seconds (default ${DEFAULT_TOKEN_TTL_SECONDS})
  --webhook-secret <s>       signs deliveries to an order's own webhook_url (default ${DEFAULT_PO_WEBHOOK_SECRET})
  --webhook-url <url>        register a webhook endpoint for all four events, signed with the webhook secret
  --rate-limit <n>           requests per window before 429 (default ${DEFAULT_RATE_LIMIT.limit}, the Standard plan)
  --rate-window <s>          length of the rate-limit window in seconds (default ${DEFAULT_RATE_LIMIT.windowSeconds})
  --time-scale <x>           multiply real-world webhook delays (retry schedule, timeout); default 1
  -h, --help                 show this help`;

export const PAYMENT_ORDERS_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'api-key': { type: 'string' },
  'token-ttl': { type: 'string' },
  'webhook-secret': { type: 'string' },
  'webhook-url': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-window': { type: 'string' },
  'time-scale': { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Values = { [K in keyof typeof PAYMENT_ORDERS_OPTIONS]?: string };

export async function startPaymentOrders(values: Values): Promise<StartedEmulator> {
  if ((values.username === undefined) !== (values.password === undefined)) throw new UsageError('--username and --password must be given together');
  const webhookUrl = httpUrlOption(values['webhook-url'], 'webhook-url');
  const username = values.username ?? DEFAULT_PO_USERNAME;
  const password = values.password ?? DEFAULT_PO_PASSWORD;
  const apiKey = values['api-key'] ?? DEFAULT_PO_API_KEY;
  const webhookSecret = values['webhook-secret'] ?? DEFAULT_PO_WEBHOOK_SECRET;
  const rateLimit = {
    limit: positiveIntegerOption(values['rate-limit'], 'rate-limit', DEFAULT_RATE_LIMIT.limit),
    windowSeconds: numberOption(values['rate-window'], 'rate-window', DEFAULT_RATE_LIMIT.windowSeconds),
  };
  if (rateLimit.windowSeconds <= 0) throw new UsageError('--rate-window must be greater than 0');
  const emulator = new PaymentOrdersEmulator({
    users: [{ username, password }],
    apiKeys: [apiKey],
    tokenTtlSeconds: numberOption(values['token-ttl'], 'token-ttl', DEFAULT_TOKEN_TTL_SECONDS),
    webhookSecret,
    rateLimit,
    timeScale: numberOption(values['time-scale'], 'time-scale', 1),
  });
  const { url } = await emulator.start(numberOption(values.port, 'port', PAYMENT_ORDERS_DEFAULT_PORT), values.host ?? '127.0.0.1');
  if (webhookUrl !== undefined) emulator.addWebhookEndpoint({ url: webhookUrl, secret: webhookSecret });
  process.stdout.write(
    [
      `CryptoPay payment-orders emulator listening on ${url}`,
      `  API base URL:     ${url}   (endpoints under /api/, with a trailing slash)`,
      `  Username:         ${username}`,
      `  Password:         ${password}`,
      `  API key (token):  ${apiKey}`,
      `  Webhook secret:   ${webhookSecret}`,
      `  Webhook endpoint: ${webhookUrl ?? '(none; register one with POST /api/webhook-endpoints/)'}`,
      `  Rate limit:       ${rateLimit.limit} requests per ${rateLimit.windowSeconds} s`,
      `  Controls:         ${url}/_emulator/...  (see emulator/payment-orders/README.md)`,
      '',
    ].join('\n'),
  );
  return { label: 'payment-orders emulator', stop: () => emulator.stop() };
}
