/**
 * The runtime shared by every action node (invoice, and later withdraw, transactions …):
 * read fields from TypedInputs and msg.payload, run the operation on the gateway, write
 * msg.payload / msg.paywire, show progress and the mapped state, report failures to Catch.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { FieldDescription, OperationDefinition, WaitProgress } from '../../lib/operations';
import { operations, providers } from './lazy-lib';
import { InputError } from '../../lib/errors';
import { isGatewayNode } from './gateway-types';
import type { GatewayNode, GatewayUser } from './gateway-types';
import { DEFAULT_MAX_ROWS, LIST_MODES, emitList } from './list-output';
import type { ListMode } from './list-output';
import { upgradeConfig } from './config-version';
import { evaluateProperty } from './red';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus, SendFn } from './red';
import * as badge from './status';

export interface TypedValue {
  value: string;
  type: string;
}

export interface ActionNodeConfig extends NodeDef {
  gateway: string;
  /** For the generic API node: which resource the operation belongs to. */
  resource?: string;
  operation: string;
  /** Field name → TypedInput; empty fields fall back to msg.payload. */
  params?: Record<string, TypedValue>;
  listMode?: ListMode;
  maxRows?: string | number;
}

export interface ActionNodeSpec {
  type: string;
  /** Shared resource name the node's operations belong to; omitted = chosen in the node. */
  resource?: string;
}

const fieldCache = new WeakMap<OperationDefinition<unknown>, FieldDescription[]>();

function fieldsOf(op: OperationDefinition<unknown>): FieldDescription[] {
  let fields = fieldCache.get(op);
  if (!fields) {
    fields = operations().describeFields(op.input);
    fieldCache.set(op, fields);
  }
  return fields;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Money-moving operations need a stable key across retries. When the message brings none,
 * generate it and write it onto the message before sending, so the copy a Catch node gets
 * (and sends back for a retry) carries the same key.
 */
function ensureIdempotencyKey(field: string, generate: (() => string | number) | undefined, input: Record<string, unknown>, msg: NodeMessage): void {
  if (isSet(input[field])) return;
  const carrier = msg as NodeMessage & { idempotencyKey?: unknown };
  // A key kept on the message from an earlier attempt wins over a fresh one.
  if ((typeof carrier.idempotencyKey === 'string' || typeof carrier.idempotencyKey === 'number') && isSet(carrier.idempotencyKey)) {
    input[field] = carrier.idempotencyKey;
    return;
  }
  const key = generate ? generate() : `pw-${randomUUID()}`;
  input[field] = key;
  // A frozen or sealed payload cannot take the key; the message itself carries it then.
  if (isPlainObject(msg.payload) && Object.isExtensible(msg.payload)) msg.payload[field] = key;
  else carrier.idempotencyKey = key;
}

/** The text of anything thrown, including JSONata's plain error objects. */
function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(err);
}

/**
 * A TypedInput value for one field; a msg path that does not exist on this message or a
 * JSONata expression that fails is an input error naming the field, not a bare TypeError.
 */
async function evaluateField(RED: NodeAPI, name: string, typed: TypedValue, node: Node, msg: NodeMessage): Promise<unknown> {
  const type = typed.type || 'str';
  try {
    return await evaluateProperty(RED, typed.value, type, node, msg);
  } catch (err) {
    const expression = typed.value.length > 60 ? `${typed.value.slice(0, 59)}…` : typed.value;
    throw new InputError(`${name}: could not read ${type} "${expression}" from this message: ${messageOf(err)}`, [
      { code: 'typed_input', field: name, message: messageOf(err) },
    ]);
  }
}

async function collectInput(
  RED: NodeAPI,
  node: Node,
  fields: FieldDescription[],
  params: Record<string, TypedValue>,
  msg: NodeMessage,
): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  const payload = isPlainObject(msg.payload) ? msg.payload : undefined;
  for (const field of fields) {
    const typed = params[field.name];
    if (typed && isSet(typed.value)) {
      const value = await evaluateField(RED, field.name, typed, node, msg);
      if (isSet(value)) {
        input[field.name] = value;
        continue;
      }
    }
    if (!payload) continue;
    const key = (field.payloadKeys ?? [field.name]).find((k) => isSet(payload[k]));
    if (key !== undefined) input[field.name] = payload[key];
  }
  return input;
}

/**
 * How many messages are out, as the busy badge says it: exact up to 9, then by its first digit
 * ("60+"), so under load the badge (an event the runtime fans out) does not change with every
 * message.
 */
function countLabel(count: number): string {
  if (count < 10) return String(count);
  const magnitude = 10 ** Math.floor(Math.log10(count));
  return `${Math.floor(count / magnitude) * magnitude}+`;
}

/** "queued 37" while the key's rate-limit queue holds requests, "retry 2 in 1.2 s" before a retry; undefined = just busy. */
function waitBadge(progress: WaitProgress): NodeStatus | undefined {
  if (progress.reason === 'retry') return badge.waiting(`retry ${progress.attempt} in ${(progress.delayMs / 1000).toFixed(1)} s`);
  return progress.queued > 0 ? badge.waiting(`queued ${progress.queued}`) : undefined;
}

export function registerActionNode(RED: NodeAPI, spec: ActionNodeSpec): void {
  function ActionNode(this: Node, saved: ActionNodeConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const { config, problem: versionProblem } = upgradeConfig(spec.type, saved);
    const gateway = RED.nodes.getNode(config.gateway) as unknown;
    const params = config.params ?? {};
    const resource = spec.resource ?? config.resource ?? '';
    const listMode: ListMode = LIST_MODES.includes(config.listMode as ListMode) ? (config.listMode as ListMode) : 'all';
    const maxRows = Number(config.maxRows) > 0 ? Math.floor(Number(config.maxRows)) : DEFAULT_MAX_ROWS;
    // One controller for all of this node's requests: closing the node cancels every one still
    // running, and no message pays for an AbortController of its own.
    const closing = new AbortController();
    // Every request in flight listens to it (64 and more at once): not a leak, so no warning.
    setMaxListeners(0, closing.signal);
    let inFlight = 0;
    let lastStatus: NodeStatus = {};

    // A badge equal to the one shown is not sent again: with 64 invoices in flight every one
    // ends on the same "unpaid", and each node.status() is an event the runtime fans out to
    // the editor and to Status nodes. What the badge shows is the same either way.
    const show = (status: NodeStatus): void => {
      if (badge.sameBadge(status, lastStatus)) return;
      lastStatus = status;
      node.status(status);
    };

    if (versionProblem) {
      show({ fill: 'red', shape: 'ring', text: 'newer config' });
      node.error(versionProblem);
    } else if (!isGatewayNode(gateway)) {
      show({ fill: 'red', shape: 'ring', text: 'no gateway' });
    }
    const user: GatewayUser = {
      id: node.id,
      // Gateway health replaces the badge only while nothing is running here.
      onGatewayStatus: (status) => {
        if (inFlight === 0 && (status.fill === 'red' || !lastStatus.text)) show(status);
      },
    };
    if (isGatewayNode(gateway) && !versionProblem) gateway.register(user);

    async function handle(msg: NodeMessageInFlow, send: SendFn, gw: GatewayNode): Promise<void> {
      const provider = gw.provider;
      if (!provider) throw new InputError(gw.configProblem ?? 'the gateway has no provider');
      const op = providers().findOperation(provider, resource, config.operation);
      if (!op) {
        throw new InputError(`${provider.label} does not support "${config.operation}" on ${resource.replace(/_/g, ' ')}s`);
      }
      const input = await collectInput(RED, node, fieldsOf(op), params, msg);
      if (op.idempotencyField) ensureIdempotencyKey(op.idempotencyField, op.generateIdempotencyKey, input, msg);
      const label = op.label.toLowerCase();
      const busy = (running = inFlight): NodeStatus => badge.busy(running > 1 ? `${label} (${countLabel(running)})` : `${label}…`);
      show(busy());
      const result = await gw.run(resource, op.name, input, { signal: closing.signal, onWait: (p) => show(waitBadge(p) ?? busy()) });
      if (result.kind === 'object') {
        const out = msg as NodeMessage & Record<string, unknown>;
        out.payload = result.payload;
        out.paywire = result.meta;
        send(out);
        // While other messages are still out the badge keeps saying so; the last one out shows its result.
        show(inFlight > 1 ? busy(inFlight - 1) : badge.resultBadge(result.meta, label));
        return;
      }
      const rows = await emitList(RED, result, msg, (m) => send(m), {
        mode: listMode,
        maxRows,
        provider: provider.id,
        onProgress: (n) => show(badge.busy(`${n} rows…`)),
      });
      show(badge.done(`${rows} rows`));
    }

    node.on('input', (msg: NodeMessageInFlow, send: SendFn, done: DoneFn) => {
      if (versionProblem) {
        done(new InputError(versionProblem));
        return;
      }
      if (!isGatewayNode(gateway)) {
        show({ fill: 'red', shape: 'ring', text: 'no gateway' });
        done(new InputError(`${spec.type}: select a paywire-gateway configuration`));
        return;
      }
      inFlight += 1;
      handle(msg, send, gateway).then(
        () => {
          inFlight -= 1;
          done();
        },
        (err: unknown) => {
          inFlight -= 1;
          show(badge.failure(err));
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing.abort();
      if (isGatewayNode(gateway)) gateway.deregister(user);
      done();
    });
  }

  RED.nodes.registerType(spec.type, ActionNode);
}
