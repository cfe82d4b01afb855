// /api/accounts and /api/transactions routes (reference §4.2, §4.3).
import type { EmulatorContext } from './context';
import type { Route } from './server';
import { json } from './server';

export function ledgerRoutes(ctx: EmulatorContext): Route[] {
  const ledger = ctx.ledger;
  return [
    { method: 'GET', pattern: ['api', 'accounts'], handler: (req) => json(200, ledger.listAccounts(req.query)) },
    {
      method: 'GET',
      pattern: ['api', 'accounts', ':id', 'transactions'],
      handler: (req, p) => json(200, ledger.listAccountTransactions(p.id ?? '', req.query)),
    },
    { method: 'GET', pattern: ['api', 'transactions'], handler: (req) => json(200, ledger.listTransactions(req.query)) },
  ];
}
