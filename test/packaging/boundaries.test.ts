/**
 * The architecture's nevers live in eslint.config.js. Each case plants one forbidden import into a
 * real file's text and lints it with the repository's own config, so a rule that stopped matching
 * (a renamed folder, a rewritten pattern) fails here instead of silently allowing the import.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
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
