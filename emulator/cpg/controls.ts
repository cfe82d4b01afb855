// /_emulator/... control endpoints (no auth): what a test or a demo flow does in place of the
// dashboard (keys, webhooks, delivery log) and of the chain (deposits, confirmations, failures).
// JSON in, the CPG envelope out.
import type { EmulatorRequest, EmulatorResponse } from '../shared/http';
import { resolvePathRoute } from '../shared/http';
import type { FaultPlanOptions, FaultPlanStats } from '../shared/faults';
import type { SimulatedDeposit } from './deposits';
import { CpgError, cpgErrors, ok, okList } from './envelope';
import type { ApiKey, ApiKeySpec, PublicKey } from './keys';
import type { SeedSpec } from './seed';
import { pathId } from './validation';
import type { WebhookDelivery, WebhookEndpoint, WebhookSpec } from './webhooks';

/** The emulator methods the control endpoints call. */
export interface ControlTarget {
  now(): number;
  advanceClock(seconds: number): void;
  reset(): void;
  addKey(spec: ApiKeySpec): ApiKey;
  revokeKey(keyId: string): void;
  keys(): PublicKey[];
  registerWebhook(spec: WebhookSpec): WebhookEndpoint;
  unregisterWebhook(id: number): void;
  webhooks(): Array<Omit<WebhookEndpoint, 'secret'>>;
  deliveries(): WebhookDelivery[];
  redeliver(id: number): Promise<WebhookDelivery>;
  simulateDeposit(input: SimulatedDeposit): Record<string, unknown>;
  confirmDeposit(txHash: string): Record<string, unknown>;
  sweepDeposit(txHash: string): Record<string, unknown>;
  confirmWithdrawal(id: number): Record<string, unknown>;
  failWithdrawal(id: number, errorMessage?: string): Record<string, unknown>;
  balances(): Array<Record<string, unknown>>;
  credit(currency: string, network: string, amount: string): Array<Record<string, unknown>>;
  seedTransactions(spec: SeedSpec): { count: number; first_id: number; last_id: number };
  setAuthServiceDown(down: boolean): void;
  setFaultPlan(options: FaultPlanOptions | null): unknown;
  faultPlanStats(): FaultPlanStats | null;
}

type Body = Record<string, unknown>;

interface ControlRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  handle(target: ControlTarget, body: Body, params: string[]): EmulatorResponse | Promise<EmulatorResponse>;
}

function controlBody(req: EmulatorRequest): Body {
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw cpgErrors.invalid('body: JSON decode error');
  }
  // A flow's http request node sends whatever msg.payload is (e.g. an inject's timestamp);
  // for these controls only an object carries anything.
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Body) : {};
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown, field: string): string[] | undefined => {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new RangeError(`${field}: must be a list of strings`);
  return v;
};

const ROUTES: readonly ControlRoute[] = [
  { method: 'GET', path: /^\/_emulator\/health$/, handle: (t) => ok({ status: 'ok', now: new Date(t.now()).toISOString() }) },
  {
    method: 'POST',
    path: /^\/_emulator\/reset$/,
    handle: (t) => {
      t.reset();
      return ok({ reset: true });
    },
  },
  { method: 'GET', path: /^\/_emulator\/clock$/, handle: (t) => ok({ now: new Date(t.now()).toISOString() }) },
  {
    method: 'POST',
    path: /^\/_emulator\/clock$/,
    handle: (t, b) => {
      const seconds = b.advance_seconds;
      if (typeof seconds !== 'number') throw new RangeError('advance_seconds: must be a number >= 0');
      t.advanceClock(seconds);
      return ok({ now: new Date(t.now()).toISOString() });
    },
  },
  { method: 'GET', path: /^\/_emulator\/keys$/, handle: (t) => okList(t.keys().map((k) => keyJson(k, false))) },
  {
    method: 'POST',
    path: /^\/_emulator\/keys$/,
    handle: (t, b) => {
      const limit = b.rate_limit_per_min;
      if (limit !== undefined && typeof limit !== 'number') throw new RangeError('rate_limit_per_min: must be an integer >= 1');
      const key = t.addKey({
        keyId: str(b.key_id),
        secret: str(b.secret),
        permissions: strings(b.permissions, 'permissions'),
        rateLimitPerMin: limit,
        ipWhitelist: strings(b.ip_whitelist, 'ip_whitelist'),
      });
      return ok(keyJson(key, true), 201);
    },
  },
  {
    method: 'POST',
    path: /^\/_emulator\/keys\/([^/]+)\/revoke$/,
    handle: (t, _b, [id]) => {
      t.revokeKey(id ?? '');
      return ok({ key_id: id, revoked: true });
    },
  },
  { method: 'GET', path: /^\/_emulator\/webhooks$/, handle: (t) => okList(t.webhooks()) },
  {
    method: 'POST',
    path: /^\/_emulator\/webhooks$/,
    handle: (t, b) => ok(t.registerWebhook({ url: str(b.url) ?? '', secret: str(b.secret), events: strings(b.events, 'events') }), 201),
  },
  {
    method: 'DELETE',
    path: /^\/_emulator\/webhooks\/([^/]+)$/,
    handle: (t, _b, [id]) => {
      t.unregisterWebhook(pathId('webhook_id', id ?? ''));
      return ok({ deleted: true });
    },
  },
  { method: 'GET', path: /^\/_emulator\/deliveries$/, handle: (t) => okList(t.deliveries()) },
  {
    method: 'POST',
    path: /^\/_emulator\/deliveries\/([^/]+)\/redeliver$/,
    handle: async (t, _b, [id]) => ok(await t.redeliver(pathId('delivery_id', id ?? ''))),
  },
  { method: 'POST', path: /^\/_emulator\/deposits$/, handle: (t, b) => ok(t.simulateDeposit(b), 201) },
  { method: 'POST', path: /^\/_emulator\/deposits\/([^/]+)\/confirm$/, handle: (t, _b, [hash]) => ok(t.confirmDeposit(hash ?? '')) },
  { method: 'POST', path: /^\/_emulator\/deposits\/([^/]+)\/sweep$/, handle: (t, _b, [hash]) => ok(t.sweepDeposit(hash ?? '')) },
  { method: 'POST', path: /^\/_emulator\/withdrawals\/([^/]+)\/confirm$/, handle: (t, _b, [id]) => ok(t.confirmWithdrawal(pathId('withdrawal_id', id ?? ''))) },
  {
    method: 'POST',
    path: /^\/_emulator\/withdrawals\/([^/]+)\/fail$/,
    handle: (t, b, [id]) => ok(t.failWithdrawal(pathId('withdrawal_id', id ?? ''), str(b.error_message))),
  },
  { method: 'GET', path: /^\/_emulator\/balances$/, handle: (t) => okList(t.balances()) },
  {
    method: 'POST',
    path: /^\/_emulator\/balances$/,
    handle: (t, b) => okList(t.credit(str(b.currency) ?? '', str(b.network) ?? '', typeof b.amount === 'number' ? String(b.amount) : (str(b.amount) ?? ''))),
  },
  {
    method: 'POST',
    path: /^\/_emulator\/seed\/transactions$/,
    handle: (t, b) => {
      if (typeof b.count !== 'number') throw new RangeError('count: must be an integer from 1 to 100000');
      return ok(t.seedTransactions({ count: b.count, direction: str(b.direction), currency: str(b.currency), network: str(b.network) }), 201);
    },
  },
  {
    method: 'POST',
    path: /^\/_emulator\/auth-outage$/,
    handle: (t, b) => {
      if (typeof b.down !== 'boolean') throw new RangeError('down: must be true or false');
      t.setAuthServiceDown(b.down);
      return ok({ down: b.down });
    },
  },
  // The seeded fault plan (emulator/shared/faults.ts); a bad plan is a RangeError → 422.
  { method: 'GET', path: /^\/_emulator\/fault-plan$/, handle: (t) => ok(t.faultPlanStats()) },
  {
    method: 'POST',
    path: /^\/_emulator\/fault-plan$/,
    handle: (t, b) => {
      t.setFaultPlan(b as unknown as FaultPlanOptions);
      return ok(t.faultPlanStats(), 201);
    },
  },
  {
    method: 'DELETE',
    path: /^\/_emulator\/fault-plan$/,
    handle: (t) => {
      t.setFaultPlan(null);
      return ok(null);
    },
  },
];

export function keyJson(key: ApiKey | PublicKey, withSecret: boolean): Record<string, unknown> {
  return {
    key_id: key.keyId,
    ...(withSecret && 'secret' in key ? { secret: key.secret } : {}),
    permissions: key.permissions,
    rate_limit_per_min: key.rateLimitPerMin,
    ip_whitelist: key.ipWhitelist,
    revoked: key.revoked,
  };
}

/** Answers one /_emulator request; a RangeError from the emulator is a 422 with its message. */
export async function handleControl(target: ControlTarget, req: EmulatorRequest): Promise<EmulatorResponse> {
  const found = resolvePathRoute(ROUTES, req);
  if (found === 'method') throw cpgErrors.methodNotAllowed();
  if (found === 'none') throw cpgErrors.notFound();
  try {
    return await found.route.handle(target, controlBody(req), found.params);
  } catch (err) {
    if (err instanceof RangeError) throw new CpgError(422, err.message);
    throw err;
  }
}
