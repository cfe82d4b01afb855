/** Tollgate's API: bearer-token JSON over HTTP, through lib's HttpClient. */
import { GatewayError, ResponseFormatError } from '../../../lib/errors';
import { HttpClient } from '../../../lib/http/client';
import type { HttpMethod } from '../../../lib/http/client';

export interface TollgateBill {
  id: string;
  status: string;
  amount: string;
  currency: string;
}

export class TollgateClient {
  private readonly http: HttpClient;

  constructor(private readonly options: { baseUrl: string; timeoutMs: number; token: string }) {
    this.http = new HttpClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, serviceName: 'Tollgate' });
  }

  async request(method: HttpMethod, path: string, body?: unknown): Promise<TollgateBill> {
    const res = await this.http.send({
      method,
      target: `${this.http.pathPrefix}${path}`,
      headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) {
      throw new GatewayError({ provider: 'Tollgate', httpStatus: res.status, code: 'tollgate_error', message: text || `HTTP ${res.status}` });
    }
    try {
      return JSON.parse(text) as TollgateBill;
    } catch {
      throw new ResponseFormatError('Tollgate answered something that is not JSON', res.status);
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
