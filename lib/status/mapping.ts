/**
 * Table-driven translation from a provider's (resource, status, context, event) to the
 * shared vocabulary. Tables are data so the README can print them and tests can check
 * that every provider value is covered.
 */
import { PaywireError } from '../errors';
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
  /** Overrides the state's own `final` where the provider can still change it (a CPG deposit past its display time). */
  final?: boolean;
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

/**
 * A single object (create, get) in a status Paywire does not know: reported loudly rather than
 * guessed. List rows give `state: null` instead (mapStatusOrNull), so one odd row does not fail
 * an export; callbacks go to Catch as unexpected.
 */
export class UnmappedStatusError extends PaywireError {
  readonly code = 'unknown_status';
  constructor(table: StatusTable, input: StatusInput) {
    const parts = [`status "${String(input.status)}"`];
    if (input.context) parts.push(`context "${input.context}"`);
    if (input.event) parts.push(`event "${input.event}"`);
    super(
      `${table.provider} ${table.resource}: no shared state for ${parts.join(', ')}. The gateway answered, and the object exists, ` +
        'but Paywire does not know this status, so it reports no state rather than guessing one',
    );
  }
}

function ruleMatches(rule: StatusRule, input: StatusInput): boolean {
  // Statuses come from the wire: compared by value, never used to index anything.
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
  return rule ? { state: rule.state, reason: rule.reason ?? null, final: rule.final ?? STATE_INFO[rule.state].final } : null;
}
