// Cryptopay's answers on the shared HTTP floor: its routes take the request itself as context,
// routing ignores a final "/", and errors become the API's error envelope.
import type { EmulatorRequest, EmulatorResponse, Route as FloorRoute, ServerOptions } from '../shared/http';
import { resolveRoute } from '../shared/http';
import { ApiError, errorEnvelope, errors } from './errors';

export type EmuRequest = EmulatorRequest;
export type EmuResponse = EmulatorResponse;
export type Route = FloorRoute<EmuRequest>;

/** First route whose pattern and method match; 405 when only the path matches; 404 otherwise. */
export function dispatch(routes: readonly Route[], req: EmuRequest): EmuResponse | Promise<EmuResponse> {
  const found = resolveRoute(routes, req, false);
  if (found.kind === 'match') return found.match.route.handler(req, found.match.params);
  throw found.kind === 'method' ? errors.methodNotAllowed() : errors.notFound();
}

/** Parses a JSON request body: undefined when empty; 400 bad_request unless it is a JSON object. */
export function jsonBody(req: EmuRequest): Record<string, unknown> | undefined {
  if (req.body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw errors.malformedJson();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw errors.malformedJson();
  return parsed as Record<string, unknown>;
}

export function json(status: number, body?: unknown): EmuResponse {
  return body === undefined ? { status } : { status, json: body };
}

export function errorResponse(err: unknown): EmuResponse {
  if (err instanceof ApiError) return { status: err.status, json: err.envelope() };
  const e = errors.internal();
  const detail = err instanceof Error ? err.message : String(err);
  return { status: 500, json: errorEnvelope(e.code, e.message, [{ code: 'exception', target: 'server', message: detail }]) };
}

/** How Cryptopay answers: JSON with a charset, nothing cached, errors in its envelope. */
export const CRYPTOPAY_SERVER: Omit<ServerOptions, 'faults'> = {
  fallback: errorResponse,
  baseHeaders: { 'Cache-Control': 'no-store' },
  jsonContentType: 'application/json; charset=utf-8',
};
