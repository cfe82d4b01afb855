/**
 * The one status vocabulary every provider, node, `msg.paywire` and status badge speaks.
 * Providers translate their own statuses and events into these states (see each
 * provider's `status.ts`); nothing downstream ever looks at a provider's raw status.
 */

export const STATES = [
  'pending',
  'confirming',
  'completed',
  'action_required',
  'refunded',
  'cancelled',
  'expired',
  'failed',
] as const;

export type State = (typeof STATES)[number];

/** Why a state was reached, where the state alone does not say enough to act on. */
export const REASONS = [
  'underpaid',
  'overpaid',
  'paid_late',
  'high_risk',
  'on_hold',
  'channel_disabled',
  'failed',
  'awaiting_commit',
] as const;

export type Reason = (typeof REASONS)[number];

/** Coarse groups for no-code branching (the `paywire-status` node's outputs). */
export const GROUPS = ['open', 'paid', 'attention', 'refunded', 'closed'] as const;
export type Group = (typeof GROUPS)[number];

export interface BadgeStyle {
  fill: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape: 'ring' | 'dot';
}

export interface StateInfo {
  /** No further change is expected: safe to fulfil, close or archive. */
  final: boolean;
  group: Group;
  badge: BadgeStyle;
  description: string;
}

export const STATE_INFO: Readonly<Record<State, StateInfo>> = {
  pending: {
    final: false,
    group: 'open',
    badge: { fill: 'yellow', shape: 'ring' },
    description: 'Created; waiting for the customer, the commit or the network.',
  },
  confirming: {
    final: false,
    group: 'open',
    badge: { fill: 'blue', shape: 'ring' },
    description: 'Funds seen or being sent; waiting for confirmations.',
  },
  completed: {
    final: true,
    group: 'paid',
    badge: { fill: 'green', shape: 'dot' },
    description: 'Done: paid and credited, or sent and confirmed.',
  },
  action_required: {
    final: false,
    group: 'attention',
    badge: { fill: 'yellow', shape: 'dot' },
    description: 'Stuck until someone acts: recalculate, refund, review or contact support.',
  },
  refunded: {
    final: true,
    group: 'refunded',
    badge: { fill: 'grey', shape: 'dot' },
    description: 'The money went back.',
  },
  cancelled: {
    final: true,
    group: 'closed',
    badge: { fill: 'grey', shape: 'ring' },
    description: 'Cancelled, or never paid within the provider’s time limit.',
  },
  expired: {
    final: true,
    group: 'closed',
    badge: { fill: 'grey', shape: 'ring' },
    description: 'The payment window closed without payment.',
  },
  failed: {
    final: true,
    group: 'closed',
    badge: { fill: 'red', shape: 'dot' },
    description: 'Failed for good; nothing moved or it was reversed.',
  },
};

export function isState(value: unknown): value is State {
  return typeof value === 'string' && (STATES as readonly string[]).includes(value);
}

export function statesInGroup(group: Group): State[] {
  return STATES.filter((s) => STATE_INFO[s].group === group);
}
