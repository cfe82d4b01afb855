/**
 * Signed callbacks for tests, signed here with node:crypto, independently of lib/:
 * Cryptopay (HMAC of the body) built on a recorded invoice callback, and CPG webhooks
 * (HMAC of timestamp, newline, body) with their X-CPG-Delivery identity.
 */
import { createHmac } from 'node:crypto';
import { cryptopayCallbacks } from './fixtures';

export interface SignedCallback {
  /** What the test expects back as msg.payload.id. */
  id: string;
  body: string;
  headers: Record<string, string>;
}

let invoiceTemplate: Record<string, unknown> | undefined;

export function cryptopayInvoiceCallback(secret: string, id: string, status = 'completed'): SignedCallback {
  invoiceTemplate ??= cryptopayCallbacks().find((c) => c.json.type === 'Invoice' && c.json.event === 'status_changed')!.json.data;
  const body = JSON.stringify({ type: 'Invoice', event: 'status_changed', data: { ...invoiceTemplate, id, status } });
  return { id, body, headers: { 'content-type': 'application/json', 'x-cryptopay-signature': createHmac('sha256', secret).update(body).digest('hex') } };
}

export function cpgDepositWebhook(secret: string, delivery: number, nowMs = Date.now()): SignedCallback {
  const body = JSON.stringify({
    id: delivery,
    event: 'deposit.confirmed',
    created_at: new Date(nowMs).toISOString(),
    api_version: '1',
    data: { deposit_request_id: 10_000 + delivery, amount: '10.50', currency: 'USDT', network: 'ETH', tx_hash: `0x${delivery.toString(16).padStart(64, '0')}` },
  });
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    id: String(10_000 + delivery),
    body,
    headers: {
      'content-type': 'application/json',
      'x-cpg-timestamp': timestamp,
      'x-cpg-signature': createHmac('sha256', secret).update(`${timestamp}\n`).update(body).digest('hex'),
      'x-cpg-event': 'deposit.confirmed',
      'x-cpg-delivery': String(delivery),
    },
  };
}

export async function deliver(url: string, callback: SignedCallback): Promise<{ status: number; text: string; ms: number; retryAfter: string | null }> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', body: callback.body, headers: callback.headers });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
}
