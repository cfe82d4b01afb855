// Fault injection for /api requests:
// - drop_before: the socket is destroyed before anything is processed (no auth, no quota used);
// - drop_after_commit: the request is processed completely, then the socket is destroyed without a
//   response byte (the client cannot know the order was created);
// - status: answered at once with `status` and the error envelope, unprocessed.
// A fault matches the method (any when omitted) and a RegExp on the path without query; it fires
// `times` times (default 1); the first registered match wins.
import { poErrors } from './errors';

export const PO_FAULT_MODES = ['drop_before', 'drop_after_commit', 'status'] as const;
export type PoFaultMode = (typeof PO_FAULT_MODES)[number];

export interface PoFault {
  method?: string;
  /** RegExp, or its source as a string. */
  path: string | RegExp;
  mode: PoFaultMode;
  /** For mode `status`; default 503. */
  status?: number;
  /** Default 1. */
  times?: number;
}

export interface PoFaultJson {
  method: string | null;
  path: string;
  mode: PoFaultMode;
  status: number | null;
  times: number;
}

interface Armed {
  method: string | null;
  path: RegExp;
  pathText: string;
  mode: PoFaultMode;
  status: number;
  remaining: number;
}

export class PoFaultInjector {
  private readonly armed: Armed[] = [];

  /** Validates and arms a fault (400 VALIDATION_ERROR on bad input). */
  add(input: unknown): PoFaultJson {
    const f = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    const errs: Record<string, string[]> = {};
    const mode = f.mode;
    if (typeof mode !== 'string' || !(PO_FAULT_MODES as readonly string[]).includes(mode)) {
      errs.mode = [mode === undefined ? 'This field is required.' : `"${typeof mode === 'string' ? mode : JSON.stringify(mode)}" is not a valid choice.`];
    }
    let path: RegExp | null = null;
    if (f.path instanceof RegExp) path = new RegExp(f.path.source, f.path.flags.replace(/[gy]/g, ''));
    else if (typeof f.path === 'string' && f.path !== '') {
      try {
        path = new RegExp(f.path);
      } catch {
        errs.path = ['Enter a valid regular expression.'];
      }
    } else errs.path = ['This field is required.'];
    const times = f.times ?? 1;
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) errs.times = ['Ensure this value is greater than or equal to 1.'];
    const status = f.status ?? 503;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) errs.status = ['Enter an HTTP error status (400-599).'];
    if (f.method !== undefined && typeof f.method !== 'string') errs.method = ['Not a valid string.'];
    if (Object.keys(errs).length > 0 || !path) throw poErrors.validation(errs);
    const armed: Armed = {
      method: typeof f.method === 'string' ? f.method.toUpperCase() : null,
      path,
      pathText: typeof f.path === 'string' ? f.path : path.source,
      mode: mode as PoFaultMode,
      status: status as number,
      remaining: times as number,
    };
    this.armed.push(armed);
    return toJson(armed);
  }

  take(method: string, path: string): { mode: PoFaultMode; status: number } | null {
    const i = this.armed.findIndex((f) => (f.method === null || f.method === method) && f.path.test(path));
    const f = this.armed[i];
    if (!f) return null;
    f.remaining -= 1;
    if (f.remaining <= 0) this.armed.splice(i, 1);
    return { mode: f.mode, status: f.status };
  }

  list(): PoFaultJson[] {
    return this.armed.map(toJson);
  }

  clear(): void {
    this.armed.length = 0;
  }
}

function toJson(f: Armed): PoFaultJson {
  return { method: f.method, path: f.pathText, mode: f.mode, status: f.mode === 'status' ? f.status : null, times: f.remaining };
}
