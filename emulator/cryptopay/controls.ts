// /_emulator/* control endpoints (no auth): drive payments, payouts, callbacks, faults and the clock
// over HTTP, e.g. from a Node-RED demo flow with the core "http request" node.
import type { EmulatorContext } from './context';
import { errors } from './errors';
import type { FaultPlanOptions } from '../shared/faults';
import type { Fault } from './faults';
import type { Route } from './server';
import { json, jsonBody } from './server';
import { logTimestamp } from '../shared/clock';

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function controlRoutes(ctx: EmulatorContext): Route[] {
  return [
    { method: 'GET', pattern: ['_emulator', 'health'], handler: () => json(200, { data: { status: 'ok', now: logTimestamp(ctx.now()) } }) },
    {
      method: 'POST',
      pattern: ['_emulator', 'invoices', ':id', 'pay'],
      handler: (req, p) => json(200, { data: ctx.pay(p.id ?? '', jsonBody(req)?.scenario, jsonBody(req)?.confirm_after_seconds) }),
    },
    {
      method: 'POST',
      pattern: ['_emulator', 'channels', ':id', 'payments'],
      handler: (req, p) => {
        const body = jsonBody(req) ?? {};
        return json(201, { data: ctx.payChannel(p.id ?? '', body.amount, body.scenario) });
      },
    },
    {
      method: 'POST',
      pattern: ['_emulator', 'coin_withdrawals', ':id', 'status'],
      handler: (req, p) => json(200, { data: ctx.setWithdrawalStatus(p.id ?? '', jsonBody(req)?.status) }),
    },
    { method: 'POST', pattern: ['_emulator', 'subscriptions', ':id', 'pay'], handler: (_req, p) => json(200, { data: ctx.paySubscription(p.id ?? '') }) },
    {
      method: 'POST',
      pattern: ['_emulator', 'seed', 'transactions'],
      handler: (req) => {
        const body = jsonBody(req) ?? {};
        return json(201, { data: ctx.seedTransactions(body.count, body.currency) });
      },
    },
    { method: 'GET', pattern: ['_emulator', 'balances'], handler: () => json(200, { data: ctx.ledger.balances() }) },
    { method: 'GET', pattern: ['_emulator', 'faults'], handler: () => json(200, { data: ctx.faults() }) },
    { method: 'POST', pattern: ['_emulator', 'faults'], handler: (req) => json(201, { data: ctx.injectFault((jsonBody(req) ?? {}) as unknown as Fault) }) },
    {
      method: 'DELETE',
      pattern: ['_emulator', 'faults'],
      handler: () => {
        ctx.clearFaults();
        return json(204);
      },
    },
    { method: 'GET', pattern: ['_emulator', 'fault-plan'], handler: () => json(200, { data: ctx.faultPlanStats() }) },
    {
      method: 'POST',
      pattern: ['_emulator', 'fault-plan'],
      handler: (req) => {
        try {
          ctx.setFaultPlan((jsonBody(req) ?? {}) as unknown as FaultPlanOptions);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          throw errors.invalid([{ code: 'invalid_fault_plan', target: 'plan', message: err.message }]);
        }
        return json(201, { data: ctx.faultPlanStats() });
      },
    },
    {
      method: 'DELETE',
      pattern: ['_emulator', 'fault-plan'],
      handler: () => {
        ctx.setFaultPlan(null);
        return json(204);
      },
    },
    {
      method: 'POST',
      pattern: ['_emulator', 'callback'],
      handler: (req) => {
        const body = jsonBody(req) ?? {};
        const { url, secret } = body;
        if (url !== undefined && url !== null && (typeof url !== 'string' || !isHttpUrl(url))) {
          throw errors.invalid([{ code: 'must_be_url', target: 'url', message: 'must be an http(s) URL or null' }]);
        }
        if (secret !== undefined && secret !== null && (typeof secret !== 'string' || secret === '')) {
          throw errors.invalid([{ code: 'must_be_string', target: 'secret', message: 'must be a non-empty string' }]);
        }
        ctx.setCallback(typeof url === 'string' ? url : undefined, typeof secret === 'string' ? secret : undefined);
        return json(204);
      },
    },
    { method: 'GET', pattern: ['_emulator', 'deliveries'], handler: () => json(200, { data: ctx.deliveries() }) },
    {
      method: 'POST',
      pattern: ['_emulator', 'deliveries', ':id', 'redeliver'],
      handler: async (_req, p) => {
        const pending = ctx.redeliverOrNull(p.id ?? '');
        if (!pending) throw errors.notFound();
        await pending;
        return json(204);
      },
    },
    { method: 'GET', pattern: ['_emulator', 'clock'], handler: () => json(200, { data: { now: logTimestamp(ctx.now()) } }) },
    {
      method: 'POST',
      pattern: ['_emulator', 'clock'],
      handler: (req) => {
        const seconds = (jsonBody(req) ?? {}).advance_seconds;
        if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
          throw errors.invalid([{ code: 'must_be_greater_than_or_equal', target: 'advance_seconds', message: 'must be a number >= 0', args: { value: 0 } }]);
        }
        ctx.advanceClock(seconds);
        return json(200, { data: { now: logTimestamp(ctx.now()) } });
      },
    },
    {
      method: 'POST',
      pattern: ['_emulator', 'reset'],
      handler: () => {
        ctx.reset();
        return json(204);
      },
    },
  ];
}
