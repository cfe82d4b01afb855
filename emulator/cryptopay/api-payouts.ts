// /api/coin_withdrawals and /api/exchange_transfers routes (reference §4.6, §4.7).
import { networkFees } from './coins';
import type { EmulatorContext } from './context';
import { errors } from './errors';
import { exchangeTransferJson } from './exchange-transfers';
import type { Route } from './server';
import { json, jsonBody } from './server';

function booleanQuery(query: URLSearchParams, key: string): boolean {
  const v = query.get(key);
  if (v === null || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw errors.invalid([{ code: 'must_be_boolean', target: key, message: 'must be true or false' }]);
}

export function payoutRoutes(ctx: EmulatorContext): Route[] {
  const w = ctx.withdrawals;
  const x = ctx.exchangeTransfers;
  return [
    { method: 'POST', pattern: ['api', 'coin_withdrawals'], handler: (req) => json(201, { data: w.json(w.create(jsonBody(req))) }) },
    { method: 'GET', pattern: ['api', 'coin_withdrawals'], handler: (req) => json(200, w.list(req.query)) },
    // no meta on this list (as recorded)
    {
      method: 'GET',
      pattern: ['api', 'coin_withdrawals', 'network_fees'],
      handler: (req) => json(200, { data: networkFees(booleanQuery(req.query, 'all_networks')) }),
    },
    {
      method: 'GET',
      pattern: ['api', 'coin_withdrawals', 'custom_id', ':customId'],
      handler: (_req, p) => json(200, { data: w.json(w.getByCustomId(p.customId ?? '')) }),
    },
    { method: 'GET', pattern: ['api', 'coin_withdrawals', ':id'], handler: (_req, p) => json(200, { data: w.json(w.get(p.id ?? '')) }) },
    { method: 'POST', pattern: ['api', 'coin_withdrawals', ':id', 'commit'], handler: (_req, p) => json(200, { data: w.json(w.commit(p.id ?? '')) }) },
    { method: 'POST', pattern: ['api', 'exchange_transfers'], handler: (req) => json(201, { data: exchangeTransferJson(x.create(jsonBody(req))) }) },
    { method: 'GET', pattern: ['api', 'exchange_transfers', ':id'], handler: (_req, p) => json(200, { data: exchangeTransferJson(x.get(p.id ?? '')) }) },
    {
      method: 'POST',
      pattern: ['api', 'exchange_transfers', ':id', 'commit'],
      handler: (_req, p) => json(200, { data: exchangeTransferJson(x.commit(p.id ?? '')) }),
    },
  ];
}
