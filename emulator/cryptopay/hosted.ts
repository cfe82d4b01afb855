// Minimal stand-ins for the hosted invoice and channel pages (`hosted_page_url`): show the object
// and offer buttons that simulate a payment, so a person can click through a demo.
import { CHANNEL_PAYMENT_SCENARIOS } from './channels';
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

function notFound(what = 'Invoice'): EmuResponse {
  return { status: 404, html: `<!doctype html><html><body><h1>${what} not found</h1></body></html>` };
}

function channelPage(ch: Record<string, unknown>, payments: Record<string, unknown>[], notice: string | null): string {
  const id = esc(ch.id);
  const rows = ['status', 'name', 'pay_currency', 'receiver_currency', 'address', 'network', 'uri']
    .map((k) => `<tr><th>${k}</th><td>${esc(ch[k])}</td></tr>`)
    .join('');
  const list = payments
    .map((p) => `<li>${esc(p.paid_amount)} ${esc(p.paid_currency)} → ${esc(p.status)}${p.status_context ? `/${esc(p.status_context)}` : ''}</li>`)
    .join('');
  const form = `<form method="post" action="/channels/${id}/pay"><input name="amount" placeholder="amount in ${esc(ch.pay_currency)}"> ${CHANNEL_PAYMENT_SCENARIOS.map(
    (s) => `<button name="scenario" value="${s}">Pay: ${s}</button> `,
  ).join('')}</form>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Channel ${id} (Cryptopay emulator)</title></head>
<body><h1>Channel ${id}</h1><p>Cryptopay emulator — no real funds.</p>${notice ? `<p><strong>${esc(notice)}</strong></p>` : ''}
<table>${rows}</table>${form}<ul>${list}</ul></body></html>`;
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
    {
      method: 'GET',
      pattern: ['channels', ':id'],
      handler: (_req, p) => {
        try {
          return { status: 200, html: renderChannel(ctx, p.id ?? '', null) };
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return notFound('Channel');
          throw err;
        }
      },
    },
    {
      method: 'POST',
      pattern: ['channels', ':id', 'pay'],
      handler: (req, p) => {
        const form = new URLSearchParams(req.body.toString('utf8'));
        try {
          ctx.payChannel(p.id ?? '', form.get('amount'), form.get('scenario') ?? 'normal');
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return notFound('Channel');
          if (err instanceof ApiError) return { status: err.status, html: renderChannel(ctx, p.id ?? '', err.details[0]?.message ?? err.message) };
          throw err;
        }
        return { status: 303, headers: { Location: `/channels/${encodeURIComponent(p.id ?? '')}` } };
      },
    },
  ];
}

function renderChannel(ctx: EmulatorContext, id: string, notice: string | null): string {
  const ch = ctx.channels.get(id);
  const payments = ctx.channels.listPayments(ch.id, new URLSearchParams()).data;
  return channelPage(ctx.channels.json(ch), payments, notice);
}
