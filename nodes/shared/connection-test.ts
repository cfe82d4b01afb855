/**
 * "Test connection" for the gateway dialog: runs the provider's probe with the settings in
 * the open dialog, before deploy. Password fields the user did not touch arrive as Node-RED's
 * placeholder and are taken from the stored credentials, but only for the provider and base
 * URL the gateway is saved with: an edited base URL gets only what was typed in the dialog,
 * so the button cannot send stored keys to another host. Nothing secret is ever answered.
 */
import type { Request, Response } from 'express';
import { describeError, PaywireError } from '../../lib/errors';
import { providers } from './lazy-lib';
import { forbiddenTarget } from './probe-target';
import type { HostLookup } from './probe-target';
import type { Credentials, ProviderDefinition } from '../../lib/providers/types';

/** What the editor sends for a password field that holds a stored value it never saw. */
export const STORED_PASSWORD = '__PWRD__';
const PROBE_TIMEOUT_MS = 15_000;

export interface ConnectionTestRequest {
  provider?: unknown;
  environment?: unknown;
  baseUrl?: unknown;
  timeout?: unknown;
  credentials?: unknown;
}

export interface ConnectionTestResult {
  ok: boolean;
  code?: string;
  message: string;
}

/** What the deployed gateway holds: its credentials, and where they may be sent. */
export interface SavedGateway {
  credentials: Credentials;
  /** Provider id and base URL the gateway is deployed with; undefined when none is running. */
  endpoint?: { provider: string; baseUrl: string } | undefined;
}

export type BaseUrlResolver = (provider: ProviderDefinition, config: { environment: string; baseUrl: string }) => string | { problem: string };

function mergeCredentials(provider: ProviderDefinition, typed: unknown, stored: Credentials): Credentials {
  const given = typeof typed === 'object' && typed !== null ? (typed as Record<string, unknown>) : {};
  const merged: Credentials = {};
  for (const { name } of provider.credentials) {
    const value = given[name];
    const chosen = value === undefined || value === STORED_PASSWORD ? stored[name] : typeof value === 'string' && value !== '' ? value : undefined;
    if (chosen) merged[name] = chosen;
  }
  return merged;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Any JSON value as text; String() throws on an object whose own toString is not a function. */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Text from the request echoed in a verdict, cut short: the dialog shows one line. */
function clip(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max - 1)}… (${value.length} characters)` : value;
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

function usesStored(provider: ProviderDefinition, typed: unknown): boolean {
  const given = typeof typed === 'object' && typed !== null ? (typed as Record<string, unknown>) : {};
  return provider.credentials.some(({ name }) => given[name] === STORED_PASSWORD);
}

export async function testConnection(body: ConnectionTestRequest, saved: SavedGateway, resolveBaseUrl: BaseUrlResolver, lookup?: HostLookup): Promise<ConnectionTestResult> {
  const provider = typeof body.provider === 'string' ? providers().getProvider(body.provider) : undefined;
  if (!provider) return { ok: false, code: 'invalid_input', message: `Unknown provider "${clip(describe(body.provider))}"` };
  const baseUrl = resolveBaseUrl(provider, { environment: text(body.environment), baseUrl: text(body.baseUrl) });
  if (typeof baseUrl !== 'string') return { ok: false, code: 'invalid_input', message: `The gateway settings can not work: ${clip(baseUrl.problem, 300)}` };
  const asSaved = saved.endpoint !== undefined && saved.endpoint.provider === provider.id && sameUrl(saved.endpoint.baseUrl, baseUrl);
  if (!asSaved) {
    const origin = new URL(baseUrl).origin;
    if (usesStored(provider, body.credentials)) {
      return { ok: false, code: 'invalid_input', message: `Stored credentials are only sent to the base URL the gateway is deployed with; to test ${clip(origin)}, type the credentials into the dialog` };
    }
    const forbidden = await forbiddenTarget(baseUrl, lookup);
    if (forbidden) return { ok: false, code: 'invalid_input', message: `Not tested: ${clip(origin)} ${forbidden}; deploy the gateway with this base URL first if it really is the gateway` };
  }
  const credentials = mergeCredentials(provider, body.credentials, asSaved ? saved.credentials : {});
  const problem = providers().credentialProblem(provider, credentials);
  if (problem) return { ok: false, code: 'invalid_input', message: problem.charAt(0).toUpperCase() + problem.slice(1) };
  // Only a number or numeric text: an object with its own toString/valueOf keys would throw.
  const timeout = typeof body.timeout === 'number' || typeof body.timeout === 'string' ? Number(body.timeout) : NaN;
  const timeoutS = timeout > 0 ? timeout : 30;
  // One attempt, outside the key's rate-limit queue: the person pressing the button wants the answer now.
  const connection = providers().connect(provider, { baseUrl, credentials, timeoutMs: Math.min(timeoutS * 1000, PROBE_TIMEOUT_MS), reliability: { deadlineMs: 0, rateLimit: 0 } });
  try {
    await connection.run(provider.probe.resource, provider.probe.operation, {}, {});
    return { ok: true, message: `Connected to ${provider.label} at ${new URL(baseUrl).origin}: the credentials work.` };
  } catch (err) {
    return { ok: false, code: err instanceof PaywireError ? err.code : 'error', message: describeError(err) };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Express handler; the caller mounts it behind RED.auth.needsPermission. */
export function connectionTestHandler(savedGateway: (id: string) => SavedGateway, resolveBaseUrl: BaseUrlResolver) {
  return (req: Request, res: Response): void => {
    const body = (req.body ?? {}) as ConnectionTestRequest;
    const id = String(req.params.id ?? '');
    testConnection(body, savedGateway(id), resolveBaseUrl).then(
      (result) => res.json(result),
      (err: unknown) => res.status(500).json({ ok: false, code: 'error', message: describeError(err) }),
    );
  };
}
