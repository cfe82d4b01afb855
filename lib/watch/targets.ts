/**
 * What the watch can follow: objects whose provider has a `get` for them. Each is named the way
 * `msg.paywire` names it (provider, resource, id), so a message straight from a create or a
 * callback can be watched, and is asked for again with that provider's own get operation.
 */
import { ownValue } from '../lookup';
import { isState, REASONS } from '../status';
import type { Reason, State } from '../status';

export interface WatchTarget {
  provider: string;
  /** The shared resource name as on msg.paywire: invoice, withdrawal, channel_payment, deposit. */
  resource: string;
  id: string;
  /** The channel of a channel payment: Cryptopay's get needs both ids. */
  channelId?: string | undefined;
}

/** A state as the watch compares it: a change of reason (underpaid → overpaid) is a change too. */
export interface Observed {
  state: State;
  reason: Reason | null;
}

interface Getter {
  /** The provider resource and operation that read one object. */
  resource: string;
  operation: string;
  input(target: WatchTarget): Record<string, string>;
  /** Payload keys holding the object's id when msg.paywire has none, in order. */
  idKeys: readonly string[];
}

const GETTERS: Readonly<Record<string, Readonly<Record<string, Getter>>>> = {
  cryptopay: {
    invoice: { resource: 'invoice', operation: 'get', input: (t) => ({ invoice_id: t.id }), idKeys: ['id'] },
    withdrawal: { resource: 'withdrawal', operation: 'get', input: (t) => ({ withdrawal_id: t.id }), idKeys: ['id'] },
    channel_payment: {
      resource: 'channel',
      operation: 'get-payment',
      input: (t) => ({ channel_id: t.channelId ?? '', channel_payment_id: t.id }),
      idKeys: ['id'],
    },
  },
  cpg: {
    deposit: { resource: 'invoice', operation: 'get', input: (t) => ({ request_id: t.id }), idKeys: ['request_id', 'deposit_request_id'] },
    withdrawal: { resource: 'withdrawal', operation: 'get', input: (t) => ({ withdrawal_id: t.id }), idKeys: ['withdrawal_id', 'id'] },
  },
  'payment-orders': {
    invoice: { resource: 'invoice', operation: 'get', input: (t) => ({ order_id: t.id }), idKeys: ['order_id', 'id'] },
  },
};

/** What a message without msg.paywire.resource is taken to be. */
const DEFAULT_RESOURCE: Readonly<Record<string, string>> = { cryptopay: 'invoice', cpg: 'deposit', 'payment-orders': 'invoice' };

/** The get that reads this target again; undefined when its provider has none for it. */
export function getterFor(target: Pick<WatchTarget, 'provider' | 'resource'>): Getter | undefined {
  const byResource = ownValue(GETTERS, target.provider);
  return byResource ? ownValue(byResource, target.resource) : undefined;
}

/** "invoice, withdrawal, channel_payment" for messages. */
export function watchableResources(provider: string): string[] {
  return Object.keys(ownValue(GETTERS, provider) ?? {});
}

/** One watched object's identity in the watch list. */
export function targetKey(target: WatchTarget): string {
  return `${target.provider}:${target.resource}:${target.id}`;
}

export type ReadTarget =
  | { ok: true; target: WatchTarget; observed: Observed | undefined; final: boolean }
  | { ok: false; problem: string };

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Ids are strings or numbers on the wire (CPG's are numbers); anything else is no id. */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && (REASONS as readonly string[]).includes(value);
}

/**
 * The object a message is about, for a gateway of `provider`: msg.paywire (provider, resource,
 * id, state) as every Paywire node writes it, else msg.payload's id under the provider's
 * default resource. The known state, when the message carries one, is where watching starts.
 */
export function targetFromMessage(provider: string, msg: { payload?: unknown; paywire?: unknown }): ReadTarget {
  const meta = record(msg.paywire);
  const payload = record(msg.payload);
  if (meta?.provider !== undefined && meta.provider !== provider) {
    const other = typeof meta.provider === 'string' ? meta.provider : 'other provider\'s';
    return { ok: false, problem: `the message is about a ${other} object, but this watch's gateway is ${provider}` };
  }
  const resource = typeof meta?.resource === 'string' && meta.resource !== '' ? meta.resource : ownValue(DEFAULT_RESOURCE, provider);
  if (resource === undefined) return { ok: false, problem: `${provider} objects can not be watched` };
  const getter = getterFor({ provider, resource });
  if (!getter) {
    return { ok: false, problem: `${provider} ${resource.replace(/_/g, ' ')}s can not be watched (watchable: ${watchableResources(provider).join(', ')})` };
  }
  let id = idText(meta?.id);
  for (const key of getter.idKeys) id ??= idText(payload?.[key]);
  if (id === undefined) {
    return { ok: false, problem: `no object id: give msg.paywire.id (as Paywire nodes set it) or msg.payload.${getter.idKeys.join(' / msg.payload.')}` };
  }
  const target: WatchTarget = { provider, resource, id };
  if (resource === 'channel_payment') {
    const channelId = idText(payload?.channel_id);
    if (channelId === undefined) return { ok: false, problem: 'a channel payment needs msg.payload.channel_id as well as its id' };
    target.channelId = channelId;
  }
  const observed = isState(meta?.state) ? { state: meta.state, reason: isReason(meta.reason) ? meta.reason : null } : undefined;
  return { ok: true, target, observed, final: observed !== undefined && meta?.final === true };
}
