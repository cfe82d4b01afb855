// /api/channels routes: channels and their payments (reference §4.5).
import { channelPaymentJson } from './channels';
import type { EmulatorContext } from './context';
import type { Route } from './server';
import { json, jsonBody } from './server';

export function channelRoutes(ctx: EmulatorContext): Route[] {
  const ch = ctx.channels;
  return [
    { method: 'POST', pattern: ['api', 'channels'], handler: (req) => json(201, { data: ch.json(ch.create(jsonBody(req))) }) },
    { method: 'GET', pattern: ['api', 'channels'], handler: (req) => json(200, ch.list(req.query)) },
    {
      method: 'GET',
      pattern: ['api', 'channels', 'custom_id', ':customId'],
      handler: (_req, p) => json(200, { data: ch.json(ch.getByCustomId(p.customId ?? '')) }),
    },
    { method: 'GET', pattern: ['api', 'channels', ':id'], handler: (_req, p) => json(200, { data: ch.json(ch.get(p.id ?? '')) }) },
    { method: 'PATCH', pattern: ['api', 'channels', ':id'], handler: (req, p) => json(200, { data: ch.json(ch.update(p.id ?? '', jsonBody(req))) }) },
    { method: 'GET', pattern: ['api', 'channels', ':id', 'payments'], handler: (req, p) => json(200, ch.listPayments(p.id ?? '', req.query)) },
    {
      method: 'GET',
      pattern: ['api', 'channels', ':id', 'payments', ':paymentId'],
      handler: (_req, p) => json(200, { data: channelPaymentJson(ch.getPayment(p.id ?? '', p.paymentId ?? '')) }),
    },
  ];
}
