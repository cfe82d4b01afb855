/**
 * Table-driven translation from a provider's (resource, status, context, event) to the
 * shared vocabulary. Tables are data so the README can print them and tests can check
 * that every provider value is covered.
 */
import type { Reason, State } from './vocabulary';
import { STATE_INFO } from './vocabulary';

export interface StatusInput {
  status: string | null | undefined;
  context?: string | null | undefined;
  event?: string | null | undefined;
  /** The provider object, for rules that look at more than the status fields. */
  object?: unknown;
}

export interface StatusRule {
  /** Provider status this rule applies to; `null` matches an object with no status. */
  status: string | null;
  /** Status context; omitted = any context. */
  context?: string | null;
  /** Callback event; omitted = any event or none. */
  event?: string;
  /** A condition on the object beyond the status fields, described for the README. */
  condition?: { description: string; test: (object: unknown) => boolean };
  state: State;
  reason?: Reason;
}

export interface StatusTable {
  provider: string;
  /** The provider's own name of the resource, e.g. `Invoice`. */
  resource: string;
  rules: readonly StatusRule[];
}

export interface MappedStatus {
  state: State;
  reason: Reason | null;
  final: boolean;
}

export class UnmappedStatusError extends Error {
  constructor(table: StatusTable, input: StatusInput) {
    const parts = [`status "${String(input.status)}"`];
    if (input.context) parts.push(`context "${input.context}"`);
    if (input.event) parts.push(`event "${input.event}"`);
    super(`${table.provider} ${table.resource}: no shared state for ${parts.join(', ')}`);
    this.name = 'UnmappedStatusError';
  }
}

function ruleMatches(rule: StatusRule, input: StatusInput): boolean {
  if (rule.status !== (input.status ?? null)) return false;
  if (rule.context !== undefined && rule.context !== (input.context ?? null)) return false;
  if (rule.event !== undefined && rule.event !== input.event) return false;
  if (rule.condition && !rule.condition.test(input.object)) return false;
  return true;
}

/** First matching rule wins, so specific rows (with an event or condition) go first. */
export function mapStatus(table: StatusTable, input: StatusInput): MappedStatus {
  const mapped = mapStatusOrNull(table, input);
  if (!mapped) throw new UnmappedStatusError(table, input);
  return mapped;
}

/** Like mapStatus, but a status the table does not know gives null (list rows, so one odd row does not fail an export). */
export function mapStatusOrNull(table: StatusTable, input: StatusInput): MappedStatus | null {
  const rule = table.rules.find((r) => ruleMatches(r, input));
  return rule ? { state: rule.state, reason: rule.reason ?? null, final: STATE_INFO[rule.state].final } : null;
}
