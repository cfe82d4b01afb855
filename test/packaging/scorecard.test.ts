/**
 * The `node-red-dev validate` scorecard, re-implemented for the checks that can be decided
 * from this repository: P01, P03–P07, N02 and D01–D03. The node checks parse each node's
 * editor file the way the validator does (acorn over the text/javascript blocks), so a
 * registerType the validator could not read fails here too. P02 is disabled in the tool;
 * P08 and N01 need the public flow catalogue and are left to a manual run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import semver from 'semver';
import { REPO_ROOT } from '../support/paths';

interface PackageJson {
  name: string;
  license?: string;
  repository?: unknown;
  bugs?: unknown;
  keywords?: string[];
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  'node-red': { version?: string; nodes: Record<string, string> };
}

interface LockEntry {
  version?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  dev?: boolean;
}

const readJson = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, ...parts), 'utf8')) as T;
const pkg = readJson<PackageJson>('package.json');

/** What the validator reads from one registerType call. */
interface NodeDefinition {
  type: string;
  category?: unknown;
  defaults?: string[];
  credentials?: string[];
  problems: string[];
}

const LITERAL_KEYS = ['icon', 'color', 'inputs', 'outputs', 'category'];

/** The validator's reading of an editor file (node-red-dev-cli src/libs/checknodes.js). */
function readDefinitions(file: string): NodeDefinition[] {
  const html = fs.readFileSync(file, 'utf8');
  const blocks = [...html.matchAll(/<script.+?type=['"]text\/javascript['"].*?>([\S\s]*?)<\/script>/gi)].map((m) => m[1]!);
  const found: NodeDefinition[] = [];
  for (const block of blocks) {
    const ast = acorn.parse(block, { ecmaVersion: 'latest' });
    walk.simple(ast, {
      CallExpression(call) {
        const callee = call.callee;
        if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier' || callee.property.name !== 'registerType') return;
        const [typeArg, defArg] = call.arguments;
        const problems: string[] = [];
        if (typeArg?.type !== 'Literal' || typeof typeArg.value !== 'string') {
          found.push({ type: '?', problems: ['non-literal type name'] });
          return;
        }
        const def: NodeDefinition = { type: typeArg.value, problems };
        if (defArg?.type !== 'ObjectExpression') {
          problems.push('non-objectexpression definition');
          found.push(def);
          return;
        }
        for (const prop of defArg.properties) {
          if (prop.type !== 'Property' || prop.key.type !== 'Identifier') continue;
          const key = prop.key.name;
          const value = prop.value;
          if (key === 'defaults' || key === 'credentials') {
            if (value.type !== 'ObjectExpression') {
              problems.push(`${key}-not-inline`);
              continue;
            }
            const names = value.properties.map((p) => (p.type === 'Property' && p.key.type === 'Identifier' ? p.key.name : '?'));
            if (key === 'defaults') def.defaults = names;
            else def.credentials = names;
          } else if (LITERAL_KEYS.includes(key)) {
            if (value.type !== 'Literal') problems.push(`${key}-not-inline`);
            else if (key === 'category') def.category = value.value;
          }
        }
        found.push(def);
      },
    });
  }
  return found;
}

/** Every file under a folder, as the validator walks examples/. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('node-red-dev validate scorecard (offline checks)', () => {
  it('P01: declares a license, and ships the file', () => {
    assert.equal(typeof pkg.license, 'string');
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'LICENSE')));
  });

  it('P03: links a repository or a bug tracker', () => {
    assert.ok(pkg.repository !== undefined || pkg.bugs !== undefined);
  });

  it('P04: uses a scoped name', () => {
    assert.match(pkg.name, /@[a-z\d][\w-.]+\/[a-z\d][\w-.]*/);
  });

  it('P05: has the node-red keyword', () => {
    assert.ok(pkg.keywords?.includes('node-red'));
  });

  // The tool compares with the live dist-tags; offline, the versions CI installs stand in:
  // Node-RED 4.1 (this project's devDependency) and the latest, 5.x (.ci/node-red-5's lock).
  const lock5 = readJson<{ packages: Record<string, LockEntry> }>('.ci', 'node-red-5', 'package-lock.json').packages;
  const latest = lock5['node_modules/node-red']!;
  const maintenance = readJson<{ packages: Record<string, LockEntry> }>('package-lock.json').packages['node_modules/node-red']!;

  it(`P06: node-red.version accepts Node-RED ${latest.version} (latest) and ${maintenance.version}`, () => {
    const range = pkg['node-red'].version;
    assert.ok(range, 'node-red.version is declared');
    for (const version of [latest.version!, maintenance.version!]) assert.ok(semver.satisfies(version, range), `${range} excludes ${version}`);
  });

  it('P07: engines.node includes the minimum Node of the latest Node-RED', () => {
    const minimum = semver.minVersion(latest.engines!.node!)!;
    assert.ok(pkg.engines?.node, 'engines.node is declared');
    assert.ok(semver.satisfies(minimum, pkg.engines.node), `${pkg.engines.node} excludes Node ${minimum.version}`);
  });

  describe('nodes', () => {
    // As the validator finds them: the .html beside each .js named in package.json.
    const definitions = Object.values(pkg['node-red'].nodes).flatMap((js) => {
      const html = path.join(REPO_ROOT, js.replace('.js', '.html'));
      return readDefinitions(html).map((d) => ({ ...d, html: path.relative(REPO_ROOT, html) }));
    });

    it('every editor file is found and parsed; registerType has literal type, defaults, credentials, icon, colour, ports and category', () => {
      assert.deepEqual(definitions.map((d) => d.type).sort(), Object.keys(pkg['node-red'].nodes).sort());
      for (const d of definitions) {
        assert.deepEqual(d.problems, [], `${d.html}: ${d.type}`);
        assert.ok(d.defaults && d.defaults.length > 0, `${d.type}: defaults read`);
        assert.ok(d.defaults.includes('version'), `${d.type}: defaults carry the config version`);
        assert.ok(typeof d.category === 'string', `${d.type}: category read`);
      }
      const gateway = definitions.find((d) => d.type === 'paywire-gateway')!;
      assert.equal(gateway.category, 'config');
      assert.deepEqual(gateway.credentials, ['apiKey', 'apiSecret', 'callbackSecret', 'username', 'password']);
      // The Redis URL can carry a password, so it is a credential of paywire-redis, not a default;
      // callback nodes saved before paywire-redis keep theirs as a credential too.
      const redis = definitions.find((d) => d.type === 'paywire-redis')!;
      assert.equal(redis.category, 'config');
      assert.deepEqual(redis.credentials, ['url']);
      assert.ok(!(redis.defaults ?? []).includes('url'), 'url is not a default');
      const callback = definitions.find((d) => d.type === 'paywire-callback')!;
      assert.deepEqual(callback.credentials, ['redisUrl']);
      assert.ok(!(callback.defaults ?? []).includes('redisUrl'), 'redisUrl is not a default');
    });

    it('N02: every node type that is not a config node appears in an example', () => {
      const used = new Set<string>();
      for (const file of filesUnder(path.join(REPO_ROOT, 'examples'))) {
        for (const node of JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ type: string }>) used.add(node.type);
      }
      const missing = definitions.filter((d) => d.category !== 'config' && !used.has(d.type)).map((d) => d.type);
      assert.deepEqual(missing, []);
    });
  });

  it('D01: at most 6 runtime dependencies', () => {
    assert.ok(Object.keys(pkg.dependencies ?? {}).length <= 6, Object.keys(pkg.dependencies ?? {}).join(', '));
  });

  it('D02: no known-incompatible package (agent-base < 6) in the runtime dependency tree', () => {
    const packages = readJson<{ packages: Record<string, LockEntry> }>('package-lock.json').packages;
    const seen = new Map<string, string>();
    const visit = (name: string, from: string): void => {
      // npm's lookup: the nearest node_modules folder up from the dependent.
      for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
        const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
        const entry = packages[key];
        if (entry) {
          if (seen.has(key)) return;
          seen.set(key, entry.version ?? '');
          for (const dep of Object.keys(entry.dependencies ?? {})) visit(dep, key);
          return;
        }
        if (!dir) throw new Error(`${name} (needed by ${from || 'the package'}) is not in package-lock.json`);
      }
    };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, '');
    assert.ok(seen.size >= Object.keys(pkg.dependencies ?? {}).length);
    const bad = [...seen].filter(([key, version]) => key.endsWith('node_modules/agent-base') && semver.lt(version, '6.0.0'));
    assert.deepEqual(bad, []);
  });

  it('D03: every runtime dependency range includes its latest major (asks the npm registry, like the tool)', function () {
    this.timeout(60_000);
    for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
      let latestVersion: string;
      try {
        latestVersion = JSON.parse(execFileSync('npm', ['view', name, 'version', '--json', '--prefer-offline'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] })) as string;
      } catch (err) {
        throw new Error(`D03 needs the npm registry (as npm ci does): ${err instanceof Error ? err.message : String(err)}`);
      }
      assert.ok(semver.satisfies(latestVersion, range), `${name}: ${range} excludes the latest ${latestVersion}`);
    }
  });
});
