// Fault injection for /api routes (e.g. the "never pay twice" tests):
// - drop_after_commit: the request is fully processed (state changed, money moved), then the socket
//   is destroyed without a single response byte;
// - drop_before: the socket is destroyed before anything is processed (no auth, no counting);
// - status: the request is answered with `status` and the standard error envelope, unprocessed.
// A fault matches on the method (any when omitted) and a RegExp on the raw request path without
// the query; it fires `times` times (default 1), the first registered match wins.
import { errors } from './errors';
import { Validator, isGiven } from './validate';

export const FAULT_MODES = ['drop_after_commit', 'drop_before', 'status'] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface Fault {
  method?: string;
  /** RegExp, or its source as a string (compiled with `new RegExp(path)`, unanchored). */
  path: string | RegExp;
  mode: FaultMode;
  /** For mode `status`; default 503 (code service_unavailable). */
  status?: number;
  /** Default 1. */
  times?: number;
}

interface ArmedFault {
  method: string | null;
  path: RegExp;
  /** As given (a RegExp's own source escapes "/"). */
  pathText: string;
  mode: FaultMode;
  status: number;
  remaining: number;
}

export interface FaultJson {
  method: string | null;
  path: string;
  mode: FaultMode;
  status: number | null;
  times: number;
}

export class FaultInjector {
  private readonly armed: ArmedFault[] = [];

  /** Validates and arms a fault (throws ApiError 422 on bad input). */
  add(fault: Fault): FaultJson {
    const v = new Validator(fault);
    const mode = v.oneOf('mode', FAULT_MODES) as FaultMode | null;
    let path: RegExp | null = null;
    if (fault.path instanceof RegExp) path = new RegExp(fault.path.source, fault.path.flags.replace(/[gy]/g, '')); // test() must not keep state
    else if (!isGiven(fault.path)) v.required('path');
    else if (typeof fault.path !== 'string') v.add({ code: 'must_be_string', target: 'path', message: 'must be a regular expression source string' });
    else {
      try {
        path = new RegExp(fault.path);
      } catch {
        v.add({ code: 'must_be_regexp', target: 'path', message: 'must be a valid regular expression' });
      }
    }
    const method = v.optionalString('method');
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) v.add({ code: 'must_be_integer', target: 'times', message: 'must be an integer >= 1' });
    const status = fault.status ?? 503;
    if (!Number.isInteger(status) || status < 400 || status > 599) v.add({ code: 'must_be_in_range', target: 'status', message: 'must be an HTTP error status (400-599)', args: { min: 400, max: 599 } });
    v.check();
    if (!mode || !path) throw errors.internal();
    const pathText = typeof fault.path === 'string' ? fault.path : path.source;
    const armed: ArmedFault = { method: method === null ? null : method.toUpperCase(), path, pathText, mode, status, remaining: times };
    this.armed.push(armed);
    return toJson(armed);
  }

  /** The fault to apply to this request, consuming one use; null when none matches. */
  take(method: string, path: string): { mode: FaultMode; status: number } | null {
    const i = this.armed.findIndex((f) => (f.method === null || f.method === method.toUpperCase()) && f.path.test(path));
    const f = this.armed[i];
    if (!f) return null;
    f.remaining -= 1;
    if (f.remaining <= 0) this.armed.splice(i, 1);
    return { mode: f.mode, status: f.status };
  }

  list(): FaultJson[] {
    return this.armed.map(toJson);
  }

  clear(): void {
    this.armed.length = 0;
  }
}

function toJson(f: ArmedFault): FaultJson {
  return { method: f.method, path: f.pathText, mode: f.mode, status: f.mode === 'status' ? f.status : null, times: f.remaining };
}
