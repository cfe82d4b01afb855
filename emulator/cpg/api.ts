// The /v1 endpoints (reference §1, §5), each with the permission it needs.
import type { EmulatorRequest, EmulatorResponse } from '../shared/http';
import { resolvePathRoute } from '../shared/http';
import type { Balances } from './balances';
import { CURRENCIES, findNetwork, fixed, hasHotWallet, isListed } from './catalog';
import type { DepositService } from './deposits';
import { cpgErrors, ok, okList, okPage, restTime } from './envelope';
import type { ApiKey, Permission } from './keys';
import type { TransactionLog } from './transactions';
import { DEFAULT_LIMIT, DIRECTIONS, MAX_LIMIT, txJson } from './transactions';
import { Checker, objectBody, pathId } from './validation';
import type { WithdrawalService } from './withdrawals';

export interface ApiDeps {
  now(): number;
  deposits: DepositService;
  withdrawals: WithdrawalService;
  log: TransactionLog;
  balances: Balances;
  hotWallet(network: string): string;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  path: RegExp;
  /** null: any valid key (the ping). */
  permission: Permission | null;
  handle(req: EmulatorRequest, params: string[], key: ApiKey): EmulatorResponse;
}

function queryObject(req: EmulatorRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of req.query) if (!(name in out)) out[name] = value;
  return out;
}

function currencyJson(): Array<Record<string, unknown>> {
  return CURRENCIES.filter(isListed).map((c) => ({
    currency: c.currency,
    network: c.network,
    name: c.name,
    is_token: c.contractAddress !== null,
    contract_address: c.contractAddress,
    decimals: c.decimals,
    deposit_enabled: c.depositEnabled,
    withdrawal_enabled: c.withdrawalEnabled,
    // NUMERIC(38,18) and (10,6) columns, as in the documented example row.
    min_deposit_amount: fixed(c.minDeposit, 18),
    min_withdrawal_amount: fixed(c.minWithdrawal, 18),
    withdrawal_fee_flat: fixed(c.feeFlat, 18),
    withdrawal_fee_percent: fixed(c.feePercent, 6),
  }));
}

export function apiRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/_ping$/,
      permission: null,
      handle: (_req, _p, key) => ok({ pong: true, key_id: key.keyId, server_time: restTime(deps.now()) }),
    },
    { method: 'GET', path: /^\/v1\/balances$/, permission: 'read_balance', handle: () => okList(deps.balances.json()) },
    { method: 'GET', path: /^\/v1\/currencies$/, permission: 'list_currencies', handle: () => okList(currencyJson()) },
    {
      method: 'GET',
      path: /^\/v1\/transactions$/,
      permission: 'list_transactions',
      handle: (req) => {
        const check = new Checker(queryObject(req));
        const direction = check.oneOf('direction', DIRECTIONS);
        const currency = check.string('currency', { required: false, min: 1, max: 32 });
        const network = check.string('network', { required: false, min: 1, max: 32 });
        const status = check.string('status', { required: false, min: 1, max: 32 });
        const cursor = check.integer('cursor', { min: 1 });
        const limit = check.integer('limit', { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT;
        check.done();
        const page = deps.log.page({ direction, currency, network, status, cursor, limit });
        return okPage(page.rows.map(txJson), page.nextCursor, page.hasMore);
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/deposit-addresses$/,
      permission: 'request_deposit_address',
      handle: (req) => ok(deps.deposits.create(objectBody(req.body))),
    },
    {
      method: 'GET',
      path: /^\/v1\/deposit-requests\/([^/]+)$/,
      permission: 'read_deposit_status',
      handle: (_req, [id]) => ok(deps.deposits.get(pathId('request_id', id ?? ''))),
    },
    {
      method: 'POST',
      path: /^\/v1\/withdrawals$/,
      permission: 'withdraw',
      handle: (req) => ok(deps.withdrawals.create(objectBody(req.body))),
    },
    {
      method: 'GET',
      path: /^\/v1\/withdrawals\/([^/]+)$/,
      permission: 'read_withdrawal_status',
      handle: (_req, [id]) => ok(deps.withdrawals.get(pathId('withdrawal_id', id ?? ''))),
    },
    {
      method: 'GET',
      path: /^\/v1\/hot-wallet-address$/,
      permission: 'request_withdrawal_funding_address',
      handle: (req) => {
        const check = new Checker(queryObject(req));
        const requested = check.string('network', { required: true, min: 1, max: 32 });
        check.done();
        const network = requested!.toUpperCase();
        if (!findNetwork(network)) throw cpgErrors.notFound('Network not found');
        if (!hasHotWallet(network)) throw cpgErrors.notFound('Hot wallet has not been allocated for this network. Enable at least one currency first.');
        return ok({ network, address: deps.hotWallet(network) });
      },
    },
  ];
}

/** The route for a path and method: 404 when no path matches, 405 when only the method is wrong. */
export function findRoute(routes: readonly ApiRoute[], req: EmulatorRequest): { route: ApiRoute; params: string[] } {
  const found = resolvePathRoute(routes, req);
  if (found === 'method') throw cpgErrors.methodNotAllowed();
  if (found === 'none') throw cpgErrors.notFound();
  return found;
}
