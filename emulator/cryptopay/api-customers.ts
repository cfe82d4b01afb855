// /api/customers and /api/subscriptions routes (reference §4.8, §4.10).
import type { EmulatorContext } from './context';
import { customerJson } from './customers';
import type { Route } from './server';
import { json, jsonBody } from './server';
import { subscriptionJson } from './subscriptions';

export function customerRoutes(ctx: EmulatorContext): Route[] {
  const c = ctx.customers;
  const s = ctx.subscriptions;
  return [
    { method: 'POST', pattern: ['api', 'customers'], handler: (req) => json(201, { data: customerJson(c.create(jsonBody(req))) }) },
    { method: 'GET', pattern: ['api', 'customers'], handler: (req) => json(200, c.list(req.query)) },
    { method: 'GET', pattern: ['api', 'customers', ':id'], handler: (_req, p) => json(200, { data: customerJson(c.get(p.id ?? '')) }) },
    { method: 'PATCH', pattern: ['api', 'customers', ':id'], handler: (req, p) => json(200, { data: customerJson(c.update(p.id ?? '', jsonBody(req))) }) },
    { method: 'POST', pattern: ['api', 'subscriptions'], handler: (req) => json(201, { data: subscriptionJson(s.create(jsonBody(req))) }) },
    { method: 'GET', pattern: ['api', 'subscriptions'], handler: (req) => json(200, s.list(req.query)) },
    {
      method: 'GET',
      pattern: ['api', 'subscriptions', 'custom_id', ':customId'],
      handler: (_req, p) => json(200, { data: subscriptionJson(s.getByCustomId(p.customId ?? '')) }),
    },
    { method: 'GET', pattern: ['api', 'subscriptions', ':id'], handler: (_req, p) => json(200, { data: subscriptionJson(s.get(p.id ?? '')) }) },
    { method: 'POST', pattern: ['api', 'subscriptions', ':id', 'cancel'], handler: (_req, p) => json(200, { data: subscriptionJson(s.cancel(p.id ?? '')) }) },
  ];
}
