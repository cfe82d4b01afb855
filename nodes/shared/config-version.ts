/**
 * Versions of each node type's saved configuration. Flows deployed before configs carried a
 * `version` are version 1. Every node constructor upgrades what it was given to the current
 * version first, so a later change to a node's properties never breaks a flow a user deployed
 * earlier; a config written by a newer Paywire is refused with a clear message instead of
 * being misread. Upgrades are idempotent: the editor keeps no history of a node's shape, so an
 * upgrade may meet a config that already has the newer shape.
 *
 * Credentials are not part of a config. Changing a credential's type needs no upgrade: when the
 * payment-orders username became a `text` credential (it was a `password` one), the stored
 * value stayed where it was, since Node-RED's credentials file keeps both types alike
 * (test/nodes/gateway-credentials.test.ts reads a file from before the change).
 */
import { V1_GATEWAY_PROVIDER } from '../../lib/providers/v1-gateway';

type Config = Record<string, unknown>;
/** Turns a config of version n into version n + 1, in place. */
type Upgrade = (config: Config) => void;

interface ConfigHistory {
  current: number;
  /** upgrades[n - 1] upgrades version n. */
  upgrades: Upgrade[];
}

const PACKAGE = '@paywire/node-red-crypto-payments';

function positiveNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value : fallback;
}

/** v1 → v2 for every action node: numbers as numbers, a list mode, and TypedInputs with a type. */
function actionNodeV2(defaultListMode: string): Upgrade {
  return (config) => {
    config.maxRows = Math.floor(positiveNumber(config.maxRows, 10_000));
    config.listMode = text(config.listMode, defaultListMode);
    const params = typeof config.params === 'object' && config.params !== null && !Array.isArray(config.params) ? (config.params as Config) : {};
    const cleaned: Record<string, { value: string; type: string }> = {};
    for (const [name, typed] of Object.entries(params)) {
      // v1 editors could save a bare value, or an entry without a type (meaning a string).
      const entry = typeof typed === 'object' && typed !== null ? (typed as { value?: unknown; type?: unknown }) : { value: typed };
      const value = entry.value;
      if ((typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') || value === '') continue;
      cleaned[name] = { value: String(value), type: text(entry.type, 'str') };
    }
    config.params = cleaned;
  };
}

export const CONFIG_HISTORY: Readonly<Record<string, ConfigHistory>> = {
  'paywire-gateway': {
    current: 2,
    upgrades: [
      (config) => {
        config.provider = text(config.provider, V1_GATEWAY_PROVIDER);
        config.environment = text(config.environment, 'sandbox');
        config.baseUrl = typeof config.baseUrl === 'string' ? config.baseUrl.trim() : '';
        config.timeout = positiveNumber(config.timeout, 30);
      },
    ],
  },
  'paywire-invoice': { current: 2, upgrades: [actionNodeV2('all')] },
  'paywire-withdraw': { current: 2, upgrades: [actionNodeV2('all')] },
  'paywire-transactions': { current: 2, upgrades: [actionNodeV2('item')] },
  'paywire-api': { current: 2, upgrades: [actionNodeV2('all')] },
  'paywire-callback': {
    current: 3,
    upgrades: [
      (config) => {
        config.path = text(config.path, '/paywire/callback');
      },
      // v3: Redis comes from a paywire-redis config node (`redis`). A v2 node kept its URL in
      // the `redisUrl` credential and its own `redisPrefix`: both stay and keep working (see
      // callback-dedupe.ts), with the same keys, so deliveries remembered before the upgrade
      // are still known after it.
      (config) => {
        config.redis = typeof config.redis === 'string' ? config.redis : '';
        if (config.dedupe === 'redis' && !config.redis) config.redisPrefix = text(config.redisPrefix, 'paywire:dedupe:');
      },
    ],
  },
  'paywire-watch': { current: 1, upgrades: [] },
  'paywire-redis': { current: 1, upgrades: [] },
  'paywire-status': {
    current: 2,
    upgrades: [
      (config) => {
        config.granularity = config.granularity === 'state' ? 'state' : 'group';
      },
    ],
  },
};

export interface UpgradedConfig<C> {
  config: C;
  /** The version the config was saved with. */
  from: number;
  /** Set when the config can not be used: written by a newer Paywire, or an unreadable version. */
  problem?: string;
}

function savedVersion(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return 1;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Brings a node's config to the current version of its type, without changing the original. */
export function upgradeConfig<C extends object>(type: string, config: C): UpgradedConfig<C & { version: number }> {
  const history = CONFIG_HISTORY[type];
  if (!history) throw new Error(`no config history for ${type}`);
  const raw = (config as { version?: unknown }).version;
  const from = savedVersion(raw);
  if (from === undefined) {
    return { config: config as C & { version: number }, from: NaN, problem: `${type}: the saved config version ${JSON.stringify(raw)} is not a version number` };
  }
  if (from > history.current) {
    return {
      config: config as C & { version: number },
      from,
      problem: `${type}: this node was saved by a newer ${PACKAGE} (config version ${from}; this one reads up to ${history.current}). Update the package.`,
    };
  }
  const upgraded = structuredClone(config) as Config;
  for (let version = from; version < history.current; version++) history.upgrades[version - 1]!(upgraded);
  upgraded.version = history.current;
  return { config: upgraded as C & { version: number }, from };
}
