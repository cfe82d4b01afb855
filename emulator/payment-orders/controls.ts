// /_emulator/* control endpoints (no authentication, no rate limit, not logged): drive the simulated
// chain, tokens, clock, faults and inspect deliveries/requests over HTTP. Same envelope as /api.
import { readBody } from './api';
import { poErrors, successEnvelope } from './errors';
import type { FaultPlanOptions, FaultPlanStats } from '../shared/faults';
import type { PoFaultJson } from './faults';
import type { EmulatorRequest, EmulatorResponse, Route } from '../shared/http';
import type { WebhookDelivery } from './webhooks';
import { logTimestamp } from '../shared/clock';

export interface RequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** HTTP status answered (0 when a fault dropped the connection). */
  status: number;
  /** What authenticated the request: a login token, an API key, or nothing (missing/invalid/expired). */
  auth: 'token' | 'apikey' | 'none';
}

/** What the control routes need from the emulator. */
export interface ControlTarget {
  now(): number;
  detectPayment(orderId: string, options?: { txHash?: string; amount?: string; fromAddress?: string }): Record<string, unknown>;
  confirmPayment(orderId: string): Record<string, unknown>;
  failPayment(orderId: string, reason?: string): Record<string, unknown>;
  expireOrder(orderId: string): Record<string, unknown>;
  expireTokens(): number;
  deliveries(): WebhookDelivery[];
  requests(): RequestLogEntry[];
  advanceClock(seconds: number): void;
  reset(): void;
  injectFault(fault: unknown): PoFaultJson;
  faults(): PoFaultJson[];
  clearFaults(): void;
  setFaultPlan(options: FaultPlanOptions | null): unknown;
  faultPlanStats(): FaultPlanStats | null;
}

export interface ControlContext {
  req: EmulatorRequest;
  emu: ControlTarget;
}

function ok(ctx: ControlContext, status: number, data: unknown, message: string): EmulatorResponse {
  return { status, json: successEnvelope(data, message, ctx.emu.now()) };
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw poErrors.validation({ [field]: ['Not a valid string.'] });
  return v;
}

function route(method: string, path: string, handler: (ctx: ControlContext, p: Record<string, string>) => EmulatorResponse): Route<ControlContext> {
  return { method, pattern: path.split('/').filter((s) => s !== ''), handler, auth: false, slashOptional: true };
}

export function controlRoutes(): Route<ControlContext>[] {
  return [
    route('GET', '_emulator/health', (ctx) => ok(ctx, 200, { status: 'ok', now: logTimestamp(ctx.emu.now()) }, 'ok')),
    route('POST', '_emulator/payment-orders/:id/detect', (ctx, p) => {
      const body = readBody(ctx.req);
      const options = { txHash: optionalString(body, 'tx_hash'), amount: optionalString(body, 'amount'), fromAddress: optionalString(body, 'from_address') };
      return ok(ctx, 200, ctx.emu.detectPayment(p.id ?? '', options), 'Payment detected');
    }),
    route('POST', '_emulator/payment-orders/:id/confirm', (ctx, p) => ok(ctx, 200, ctx.emu.confirmPayment(p.id ?? ''), 'Payment confirmed')),
    route('POST', '_emulator/payment-orders/:id/fail', (ctx, p) => ok(ctx, 200, ctx.emu.failPayment(p.id ?? '', optionalString(readBody(ctx.req), 'reason')), 'Payment failed')),
    route('POST', '_emulator/payment-orders/:id/expire', (ctx, p) => ok(ctx, 200, ctx.emu.expireOrder(p.id ?? ''), 'Order expired')),
    route('POST', '_emulator/tokens/expire', (ctx) => ok(ctx, 200, { expired: ctx.emu.expireTokens() }, 'Tokens expired')),
    route('GET', '_emulator/deliveries', (ctx) => ok(ctx, 200, ctx.emu.deliveries(), 'Deliveries')),
    route('GET', '_emulator/requests', (ctx) => ok(ctx, 200, ctx.emu.requests(), 'Requests')),
    route('GET', '_emulator/clock', (ctx) => ok(ctx, 200, { now: logTimestamp(ctx.emu.now()) }, 'Clock')),
    route('POST', '_emulator/clock', (ctx) => {
      const seconds = readBody(ctx.req).advance_seconds;
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
        throw poErrors.validation({ advance_seconds: ['Ensure this value is a number greater than or equal to 0.'] });
      }
      ctx.emu.advanceClock(seconds);
      return ok(ctx, 200, { now: logTimestamp(ctx.emu.now()) }, 'Clock advanced');
    }),
    route('POST', '_emulator/reset', (ctx) => {
      ctx.emu.reset();
      return ok(ctx, 200, null, 'Emulator reset');
    }),
    route('GET', '_emulator/faults', (ctx) => ok(ctx, 200, ctx.emu.faults(), 'Faults')),
    route('POST', '_emulator/faults', (ctx) => ok(ctx, 201, ctx.emu.injectFault(readBody(ctx.req)), 'Fault armed')),
    route('DELETE', '_emulator/faults', (ctx) => {
      ctx.emu.clearFaults();
      return ok(ctx, 200, [], 'Faults cleared');
    }),
    route('GET', '_emulator/fault-plan', (ctx) => ok(ctx, 200, ctx.emu.faultPlanStats(), 'Fault plan')),
    route('POST', '_emulator/fault-plan', (ctx) => {
      try {
        ctx.emu.setFaultPlan(readBody(ctx.req) as unknown as FaultPlanOptions);
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        throw poErrors.validation({ plan: [err.message] });
      }
      return ok(ctx, 201, ctx.emu.faultPlanStats(), 'Fault plan on');
    }),
    route('DELETE', '_emulator/fault-plan', (ctx) => {
      ctx.emu.setFaultPlan(null);
      return ok(ctx, 200, null, 'Fault plan off');
    }),
  ];
}
