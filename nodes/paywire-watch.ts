/**
 * paywire-watch: follows Paywire objects by polling, for Node-RED without a public URL (and as
 * a safety net beside callbacks). Each message names one object to watch; the node emits one
 * message per state change and stops at a final state or the timeout. The scheduling lives in
 * lib/watch; this node wires it to the gateway, the stores and the editor.
 */
import { InputError } from '../lib/errors';
import type { KeyValueStore } from '../lib/dedupe';
import { ListSaver, Watcher, emittedStatesIn, spacingUnder, targetFromMessage, toSaved, getterFor } from '../lib/watch';
import type { StateChange, WatchEntry, WatchTarget } from '../lib/watch';
import { contextKeyValue, sharedDedupeStore } from './shared/callback-dedupe';
import { isGatewayNode } from './shared/gateway-types';
import type { GatewayNode, GatewayUser } from './shared/gateway-types';
import { upgradeConfig } from './shared/config-version';
import { systemClock } from '../lib/http/clock';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, SendFn } from './shared/red';

interface WatchConfig extends NodeDef {
  gateway: string;
  /** Seconds between two polls of one object, at least. */
  interval?: string | number;
  /** Hours an object is watched before watch_timeout. */
  timeout?: string | number;
  /** `memory` (survives redeploys, not restarts) or `context` (the named context store). */
  store?: string;
  contextStore?: string;
}

const DEFAULT_INTERVAL_S = 30;
const DEFAULT_TIMEOUT_H = 48;
/** A failing object is asked at least this often (or at its interval, if longer). */
const MAX_BACKOFF_MS = 15 * 60 * 1000;
/** Status redraws at most this often: a thousand objects must not flood the editor. */
const STATUS_EVERY_MS = 500;

/** Watch lists in memory mode: beside the module, so a redeploy keeps watching. */
const memoryLists = new Map<string, unknown>();
const memoryKeyValue: KeyValueStore = {
  get: (key) => Promise.resolve(memoryLists.get(key)),
  set: (key, value) => {
    if (value === undefined) memoryLists.delete(key);
    else memoryLists.set(key, value);
    return Promise.resolve();
  },
  keys: () => Promise.resolve([...memoryLists.keys()]),
};

function positive(value: string | number | undefined, fallback: number): number | undefined {
  if (value === undefined || value === null || String(value).trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function clockTime(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The message for a change: the object as the gateway gave it, msg.paywire as callbacks write it. */
function changeMessage(RED: NodeAPI, change: StateChange): NodeMessage {
  const paywire = { ...change.meta, event: 'status_changed', previous: change.previous?.state ?? null };
  return { _msgid: RED.util.generateId(), payload: change.payload, paywire };
}

function timeoutMessage(RED: NodeAPI, entry: WatchEntry, payload: unknown): NodeMessage {
  const { provider, resource, id } = entry.target;
  const paywire = { provider, resource, id, state: entry.observed?.state ?? null, reason: entry.observed?.reason ?? null, final: false, event: 'watch_timeout' };
  return { _msgid: RED.util.generateId(), payload: payload ?? null, paywire };
}

export = function register(RED: NodeAPI): void {
  function PaywireWatchNode(this: Node, saved: WatchConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const { config, problem: versionProblem } = upgradeConfig('paywire-watch', saved);
    const gateway = RED.nodes.getNode(config.gateway) as unknown;
    const intervalS = positive(config.interval, DEFAULT_INTERVAL_S);
    const timeoutH = positive(config.timeout, DEFAULT_TIMEOUT_H);
    const contextStore = config.store === 'context' ? (config.contextStore ?? '').trim() || 'default' : undefined;
    const warn = (message: string): void => node.warn(`paywire-watch: ${message}`);

    const problem =
      versionProblem ??
      (!isGatewayNode(gateway) ? 'select a paywire-gateway configuration' : undefined) ??
      (intervalS === undefined ? `interval must be a number of seconds above 0 (got "${String(config.interval)}")` : undefined) ??
      (timeoutH === undefined ? `timeout must be a number of hours above 0 (got "${String(config.timeout)}")` : undefined) ??
      (config.store !== undefined && config.store !== '' && config.store !== 'memory' && config.store !== 'context'
        ? `unknown store "${config.store}" (use memory or context)`
        : undefined);
    const shared = problem ? undefined : sharedDedupeStore(RED, node, contextStore, warn);
    const setupProblem = problem ?? (shared && 'problem' in shared ? shared.problem : undefined);
    if (setupProblem || !shared || 'problem' in shared || !isGatewayNode(gateway) || intervalS === undefined || timeoutH === undefined) {
      node.status({ fill: 'red', shape: 'ring', text: versionProblem ? 'newer config' : 'configuration' });
      node.error(`paywire-watch: ${setupProblem ?? 'not configured'}`);
      node.on('input', (_msg: NodeMessageInFlow, _send: SendFn, done: DoneFn) => done(new InputError(`paywire-watch: ${setupProblem ?? 'not configured'}`)));
      return;
    }
    const gw: GatewayNode = gateway;
    const intervalMs = intervalS * 1000;
    const timeoutMs = timeoutH * 60 * 60 * 1000;

    // Sends happen outside any input handler (a poll answered), so through node.send.
    let lastStatusAt = Number.NEGATIVE_INFINITY;
    let statusTimer: NodeJS.Timeout | undefined;
    let failing: string | undefined;
    const drawStatus = (): void => {
      lastStatusAt = Date.now();
      const size = watcher.size;
      if (failing) {
        node.status({ fill: 'red', shape: 'ring', text: `${size} watched, ${failing}` });
        return;
      }
      const next = watcher.nextPollAt();
      if (size === 0 || next === undefined) node.status({ fill: 'grey', shape: 'ring', text: 'nothing watched' });
      else node.status({ fill: 'blue', shape: watcher.polling ? 'dot' : 'ring', text: `${size} watched, next ${clockTime(next)}` });
    };
    const showStatus = (): void => {
      if (statusTimer) return;
      const wait = lastStatusAt + STATUS_EVERY_MS - Date.now();
      if (wait <= 0) return drawStatus();
      statusTimer = setTimeout(() => {
        statusTimer = undefined;
        drawStatus();
      }, wait);
    };

    const listKey = `paywire_watch_${node.id}`;
    const listStore = contextStore === undefined ? memoryKeyValue : contextKeyValue(node.context(), contextStore);
    const saver = new ListSaver(listStore, listKey, (err) => warn(`saving the watch list (${shared.where}) failed: ${describe(err)}`));

    const watcher: Watcher = new Watcher({
      gateway: gw.recordScope,
      clock: systemClock,
      settings: { intervalMs, timeoutMs, minSpacingMs: spacingUnder(gw.rateLimit), maxBackoffMs: Math.max(intervalMs, MAX_BACKOFF_MS) },
      emitted: emittedStatesIn(shared.store),
      poll: async (target: WatchTarget, signal: AbortSignal) => {
        const getter = getterFor(target);
        if (!getter) throw new InputError(`${target.provider} ${target.resource}s can not be watched`);
        const result = await gw.run(getter.resource, getter.operation, getter.input(target), { signal });
        if (result.kind !== 'object') throw new Error(`${getter.resource} ${getter.operation} answered a list, not one object`);
        failing = undefined;
        return { payload: result.payload, meta: result.meta };
      },
      events: {
        changed: (change) => node.send(changeMessage(RED, change)),
        unrecorded: (target, err) =>
          warn(`${target.provider} ${target.resource.replace(/_/g, ' ')} ${target.id}: emitted, but recording its state failed (${describe(err)}); a callback may bring it again`),
        timedOut: (entry, payload) => node.send(timeoutMessage(RED, entry, payload)),
        failed: (target, err, { failures, gaveUp }) => {
          const what = `${target.provider} ${target.resource.replace(/_/g, ' ')} ${target.id}`;
          if (gaveUp) {
            const msg = { _msgid: RED.util.generateId(), payload: null, paywire: { ...target, event: 'watch_failed' } } as NodeMessage;
            node.error(`paywire-watch: stopped watching ${what}: ${describe(err)}`, msg);
            return;
          }
          failing = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code.replace(/_/g, ' ') : 'poll failed';
          // Once per streak: a gateway that is down for an hour is reported, not logged every poll.
          if (failures === 1) warn(`polling ${what} failed, trying again later: ${describe(err)}`);
        },
        listChanged: () => saver.save(() => toSaved(watcher.entries())),
        progress: showStatus,
      },
    });

    const user: GatewayUser = { id: node.id, onGatewayStatus: () => undefined };
    gw.register(user);

    // Inputs wait for the saved list, so a message during start-up is not lost or doubled.
    const ready = saver
      .load()
      // Objects of another provider: the gateway was switched since they were saved.
      .then((entries) => watcher.restore(entries.filter((e) => e.target.provider === gw.provider?.id)))
      .catch((err: unknown) => warn(`reading the saved watch list (${shared.where}) failed, starting empty: ${describe(err)}`));
    drawStatus();

    async function handle(msg: NodeMessageInFlow): Promise<void> {
      await ready;
      const provider = gw.provider;
      if (!provider) throw new InputError(`paywire-watch: ${gw.configProblem ?? 'the gateway has no provider'}`);
      const read = targetFromMessage(provider.id, msg);
      if (!read.ok) throw new InputError(`paywire-watch: ${read.problem}`);
      if ((msg as { watch?: unknown }).watch === false) watcher.remove(read.target);
      // Already final: nothing will change, so there is nothing to watch.
      else if (!read.final) await watcher.add(read.target, read.observed);
      drawStatus();
    }

    node.on('input', (msg: NodeMessageInFlow, _send: SendFn, done: DoneFn) => {
      handle(msg).then(
        () => done(),
        (err: unknown) => {
          node.status({ fill: 'red', shape: 'ring', text: err instanceof InputError ? 'bad input' : 'error' });
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });

    node.on('close', (removed: boolean, done: () => void) => {
      watcher.stop();
      if (statusTimer) clearTimeout(statusTimer);
      gw.deregister(user);
      if (removed) saver.save(() => undefined);
      saver.flushed().then(done, done);
    });
  }

  RED.nodes.registerType('paywire-watch', PaywireWatchNode);
};
