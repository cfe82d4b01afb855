// Minimal stand-in for the hosted invoice page (`hosted_page_url`): shows the invoice and offers
// buttons that simulate a payment, so a person can click through a demo.
import type { EmulatorContext } from './context';
import { ApiError } from './errors';
import { PAYMENT_SCENARIOS } from './invoices';
import type { EmuResponse, Route } from './server';

function esc(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(inv: Record<string, unknown>, notice: string | null): string {
  const id = esc(inv.id);
  const rows = ['status', 'status_context', 'price_amount', 'price_currency', 'pay_amount', 'pay_currency', 'paid_amount', 'address', 'uri', 'expires_at']
    .map((k) => `<tr><th>${k}</th><td>${esc(inv[k])}</td></tr>`)
    .join('');
  const buttons =
    inv.status === 'new'
      ? `<form method="post" action="/invoices/${id}/pay">${PAYMENT_SCENARIOS.map(
          (s) => `<button name="scenario" value="${s}">Pay: ${s}</button> `,
        ).join('')}</form>`
      : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Invoice ${id} (Cryptopay emulator)</title></head>
<body><h1>Invoice ${id}</h1><p>Cryptopay emulator — no real funds.</p>${notice ? `<p><strong>${esc(notice)}</strong></p>` : ''}
<table>${rows}</table>${buttons}</body></html>`;
}

function notFound(): EmuResponse {
  return { status: 404, html: '<!doctype html><html><body><h1>Invoice not found</h1></body></html>' };
}

export function hostedRoutes(ctx: EmulatorContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: ['invoices', ':id'],
      handler: (_req, p) => {
        try {
          ctx.invoices.sweep();
          const inv = ctx.invoices.get(p.id ?? '');
          return { status: 200, html: page(ctx.invoices.json(inv), null) };
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return notFound();
          throw err;
        }
      },
    },
    {
      method: 'POST',
      pattern: ['invoices', ':id', 'pay'],
      handler: (req, p) => {
        const scenario = new URLSearchParams(req.body.toString('utf8')).get('scenario');
        try {
          ctx.pay(p.id ?? '', scenario);
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return notFound();
          if (err instanceof ApiError) return { status: err.status, html: page(ctx.invoices.json(ctx.invoices.get(p.id ?? '')), err.message) };
          throw err;
        }
        return { status: 303, headers: { Location: `/invoices/${encodeURIComponent(p.id ?? '')}` } };
      },
    },
  ];
}
