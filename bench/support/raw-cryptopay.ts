/**
 * The raw limit: Cryptopay requests signed with node:crypto and sent with a bare undici Pool,
 * answers parsed with JSON.parse and nothing else (no validation, no Node-RED). What any
 * client must do at the least, so our node's time is compared with it.
 */
import { createHash, createHmac } from 'node:crypto';
import { Pool } from 'undici';

export interface RawCryptopayOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  connections: number;
}

export class RawCryptopay {
  private readonly pool: Pool;

  constructor(private readonly options: RawCryptopayOptions) {
    this.pool = new Pool(options.url, { connections: options.connections, pipelining: 1 });
  }

  /** Signs per reference §3.1 and sends; resolves with the parsed answer, rejects on a non-2xx. */
  async request(method: 'GET' | 'POST', target: string, body?: string): Promise<unknown> {
    const date = new Date().toUTCString();
    const md5 = body ? createHash('md5').update(body).digest('hex') : '';
    const signature = createHmac('sha1', this.options.apiSecret).update(`${method}\n${md5}\napplication/json\n${date}\n${target}`).digest('base64');
    const res = await this.pool.request({
      method,
      path: target,
      headers: { 'content-type': 'application/json', date, authorization: `HMAC ${this.options.apiKey}:${signature}` },
      body: body ?? null,
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`${method} ${target} answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * What every invoice variant creates: the same invoice every time, the request of the recorded
 * create the light gateway answers with (test/fixtures/cryptopay/recorded).
 */
export const INVOICE_REQUEST = { price_amount: '100.0', price_currency: 'EUR', pay_currency: 'BTC' } as const;
