/**
 * The architecture's nevers live in eslint.config.js. Each case plants one forbidden import into a
 * real file's text and lints it with the repository's own config, so a rule that stopped matching
 * (a renamed folder, a rewritten pattern) fails here instead of silently allowing the import.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { catalog } from '../../lib/providers';
import { REPO_ROOT } from '../support/paths';

interface Plant {
  never: string;
  file: string;
  importLine: string;
}

const PLANTS: Plant[] = [
  { never: 'lib/ never imports Node-RED', file: 'lib/decimal.ts', importLine: "import type { NodeAPI } from 'node-red';" },
  { never: 'lib/ never imports nodes/', file: 'lib/providers/cpg/status.ts', importLine: "import type { RED } from '../../../nodes/shared/red';" },
  { never: 'a provider never imports another provider', file: 'lib/providers/cpg/status.ts', importLine: "import type { CRYPTOPAY_STATUS } from '../cryptopay/status';" },
  { never: 'a provider never imports another provider (deeper)', file: 'lib/providers/cryptopay/operations/ledger.ts', importLine: "import type { PoOrder } from '../../payment-orders/schemas';" },
  { never: 'emulator/ never imports lib/', file: 'emulator/cryptopay/ids.ts', importLine: "import type { Catalog } from '../../lib/providers';" },
  { never: 'an emulator never imports a sibling', file: 'emulator/cpg/seed.ts', importLine: "import type { Store } from '../cryptopay/store';" },
  { never: 'the shared floor imports no emulator', file: 'emulator/shared/clock.ts', importLine: "import type { CpgEmulator } from '../cpg';" },
];

describe('architecture boundaries (eslint)', function () {
  this.timeout(120_000);
  const eslint = new ESLint({ cwd: REPO_ROOT });

  async function restrictedImports(file: string, text: string): Promise<string[]> {
    const [result] = await eslint.lintText(text, { filePath: path.join(REPO_ROOT, file) });
    const fatal = (result?.messages ?? []).filter((m) => m.fatal);
    assert.deepEqual(fatal, [], `${file} did not parse`);
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  for (const plant of PLANTS) {
    it(`${plant.never}: a planted import in ${plant.file} fails the lint`, async () => {
      const original = fs.readFileSync(path.join(REPO_ROOT, plant.file), 'utf8');
      assert.deepEqual(await restrictedImports(plant.file, original), [], `${plant.file} is clean as committed`);
      const planted = await restrictedImports(plant.file, `${plant.importLine}\n${original}`);
      assert.equal(planted.length, 1, `the planted import was not caught: ${plant.importLine}`);
    });
  }

  it('the fences leave the allowed directions open', async () => {
    // The registry may name every provider; the emulator CLI may start every emulator.
    assert.deepEqual(await restrictedImports('lib/providers/index.ts', fs.readFileSync(path.join(REPO_ROOT, 'lib/providers/index.ts'), 'utf8')), []);
    const withShared = `import { Decimal as FloorDecimal } from '../shared/decimal';\n${fs.readFileSync(path.join(REPO_ROOT, 'emulator/cpg/seed.ts'), 'utf8')}`;
    assert.deepEqual(await restrictedImports('emulator/cpg/seed.ts', withShared), []);
  });
});

/**
 * Node code, node HTML, resources/ and the node message catalogs name no provider: what a
 * provider calls things comes from its folder through the catalog (labels, node labels,
 * translations) or its help fragments. Comments may still mention one.
 */
describe('nodes/ and resources/ name no provider', () => {
  const ids = catalog().providers.map((p) => p.id);
  const nodes = path.join(REPO_ROOT, 'nodes');
  const codeFiles = [
    ...fs.readdirSync(nodes).filter((f) => /\.(ts|html)$/.test(f)).map((f) => path.join(nodes, f)),
    ...fs.readdirSync(path.join(nodes, 'shared')).filter((f) => f.endsWith('.ts')).map((f) => path.join(nodes, 'shared', f)),
    ...fs.readdirSync(path.join(REPO_ROOT, 'resources')).filter((f) => f.endsWith('.js')).map((f) => path.join(REPO_ROOT, 'resources', f)),
  ];
  const localeFiles = fs.readdirSync(path.join(nodes, 'locales')).flatMap((lang) =>
    fs.readdirSync(path.join(nodes, 'locales', lang)).filter((f) => f.endsWith('.json')).map((f) => path.join(nodes, 'locales', lang, f)),
  );

  /** Provider ids as a string literal or an object key in code, comments left out. */
  function namedInCode(text: string): string[] {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1').replace(/<!--[\s\S]*?-->/g, '');
    const found: string[] = [];
    for (const id of ids) {
      const quoted = id.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
      if (new RegExp(`(['"\`])${quoted}\\1|[{,]\\s*${quoted}\\s*:`).test(code)) found.push(id);
    }
    return found;
  }

  /** Provider ids as a key anywhere in a message catalog. */
  function keysNaming(value: unknown, at = ''): string[] {
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, inner]) => [...(ids.includes(key) ? [`${at}${key}`] : []), ...keysNaming(inner, `${at}${key}.`)]);
  }

  it('in node code, node HTML and the shared editor script', () => {
    assert.ok(codeFiles.length >= 25, `${codeFiles.length} files`);
    const named = codeFiles.flatMap((f) => namedInCode(fs.readFileSync(f, 'utf8')).map((id) => `${path.relative(REPO_ROOT, f)}: ${id}`));
    assert.deepEqual(named, []);
  });

  it('as a key of a node message catalog', () => {
    assert.ok(localeFiles.length >= 18, `${localeFiles.length} files`);
    const named = localeFiles.flatMap((f) => keysNaming(JSON.parse(fs.readFileSync(f, 'utf8'))).map((key) => `${path.relative(REPO_ROOT, f)}: ${key}`));
    assert.deepEqual(named, []);
  });

  it('finds a planted one (the checks above are not vacuous)', () => {
    assert.deepEqual(namedInCode("var own = message(node, 'providerLabel.cpg.create');"), []);
    assert.deepEqual(namedInCode("if (provider === 'cpg') label = 'Key id';"), ['cpg']);
    assert.deepEqual(namedInCode('var labels = { "payment-orders": "x", cryptopay: "y" };'), ['cryptopay', 'payment-orders']);
    assert.deepEqual(namedInCode("// only for 'cpg'\n/* or \"cryptopay\" */ var x = 1;"), []);
    assert.deepEqual(keysNaming({ 'paywire-invoice': { providerLabel: { cpg: { create: 'x' } } } }), ['paywire-invoice.providerLabel.cpg']);
  });
});
