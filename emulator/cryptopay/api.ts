// /api/* routes: HMAC auth and rate limit, then every resource of reference §4.
import { channelRoutes } from './api-channels';
import { customerRoutes } from './api-customers';
import { ledgerRoutes } from './api-ledger';
import { payoutRoutes } from './api-payouts';
import { riskRoutes } from './api-risks';
import { coinsJson } from './coins';
import type { EmulatorContext } from './context';
import { errors } from './errors';
import { allRates, rate } from './rates';
import type { EmuRequest, EmuResponse, Route } from './server';
import { dispatch, json, jsonBody } from './server';

export function apiRoutes(ctx: EmulatorContext): Route[] {
  const inv = ctx.invoices;
  return [
    { method: 'GET', pattern: ['api', 'rates'], handler: () => json(200, { data: allRates() }) },
    {
      method: 'GET',
      pattern: ['api', 'rates', ':base', ':quote'],
      handler: (_req, p) => {
        const r = rate(p.base ?? '', p.quote ?? '');
        if (!r) throw errors.notFound();
        return json(200, { data: { ...r } });
      },
    },
    { method: 'POST', pattern: ['api', 'invoices'], handler: (req) => json(201, { data: inv.json(inv.create(jsonBody(req) ?? {})) }) },
    { method: 'GET', pattern: ['api', 'invoices'], handler: (req) => json(200, inv.list(req.query)) },
    {
      method: 'GET',
      pattern: ['api', 'invoices', 'custom_id', ':customId'],
      handler: (_req, p) => json(200, { data: inv.json(inv.getByCustomId(p.customId ?? '')) }),
    },
    { method: 'GET', pattern: ['api', 'invoices', ':id'], handler: (_req, p) => json(200, { data: inv.json(inv.get(p.id ?? '')) }) },
    {
      method: 'POST',
      pattern: ['api', 'invoices', ':id', 'recalculations'],
      handler: (req, p) => json(201, { data: inv.createRecalculation(p.id ?? '', jsonBody(req)) }),
    },
    {
      method: 'POST',
      pattern: ['api', 'invoices', ':id', 'recalculations', ':rid', 'commit'],
      handler: (_req, p) => json(200, { data: inv.commitRecalculation(p.id ?? '', p.rid ?? '') }),
    },
    {
      method: 'POST',
      pattern: ['api', 'invoices', ':id', 'refunds'],
      handler: (req, p) => json(201, { data: inv.createRefund(p.id ?? '', jsonBody(req)) }),
    },
    { method: 'GET', pattern: ['api', 'invoices', ':id', 'refunds'], handler: (_req, p) => json(200, { data: inv.listRefunds(p.id ?? '') }) },
    // no meta (as recorded)
    { method: 'GET', pattern: ['api', 'coins'], handler: () => json(200, { data: coinsJson() }) },
    ...ledgerRoutes(ctx),
    ...payoutRoutes(ctx),
    ...channelRoutes(ctx),
    ...customerRoutes(ctx),
    ...riskRoutes(ctx),
  ];
}

/**
 * Every /api request must carry a valid HMAC signature, except GET /api/rates* which may also be
 * called without an Authorization header (a request that does send one must be valid).
 */
export function handleApi(ctx: EmulatorContext, routes: readonly Route[], req: EmuRequest): EmuResponse | Promise<EmuResponse> {
  const publicRates = req.method === 'GET' && req.segments[1] === 'rates' && req.headers.authorization === undefined;
  if (!publicRates) ctx.authenticate(req);
  ctx.sweep();
  return dispatch(routes, req);
}
