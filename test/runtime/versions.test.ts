/**
 * The suite runs more than once in CI (Node-RED 4.1 on Node 20, Node-RED 5 on Node 22). This
 * checks that each run really tests what it says, so a broken redirect can not pass as
 * "Node-RED 5" while testing 4.1 again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { helper } from '../support/node-red';
import { REPO_ROOT } from '../support/paths';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };

/** The version of a package as this process resolves it (through redirect-modules in the Node 22 run). */
function installedVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** The first number in a version or range: "~4.1.15" → 4, "v22.23.5" → 22. */
function major(text: string): number {
  const found = /\d+/.exec(text);
  if (!found) throw new Error(`no version in "${text}"`);
  return Number(found[0]);
}

describe('test run versions', () => {
  // The run's own expectation, else the project's devDependency and engines.
  const nodeRedMajor = major(process.env.PAYWIRE_EXPECT_NODE_RED ?? pkg.devDependencies['node-red']!);

  it(`loads Node-RED ${nodeRedMajor} in the test helper and for child processes`, async () => {
    const resolved = installedVersion('node-red');
    assert.equal(major(resolved), nodeRedMajor, `node-red ${resolved} resolved`);
    await helper.startServer();
    try {
      const RED = (helper as unknown as { _RED: { version(): string } })._RED;
      // Node-RED appends "-git" when it finds a .git folder above its install.
      assert.equal(RED.version().replace(/-git$/, ''), resolved);
    } finally {
      await helper.stopServer();
    }
  });

  it(`loads undici ${process.env.PAYWIRE_EXPECT_UNDICI ?? 'from the project'}`, () => {
    const resolved = installedVersion('undici');
    const expected = process.env.PAYWIRE_EXPECT_UNDICI;
    if (expected) assert.equal(major(resolved), major(expected), `undici ${resolved} resolved`);
    else assert.equal(require.resolve('undici'), require.resolve('undici', { paths: [REPO_ROOT] }));
  });

  it(`loads ioredis ${process.env.PAYWIRE_EXPECT_IOREDIS ?? 'from the project'}`, () => {
    const resolved = installedVersion('ioredis');
    const expected = process.env.PAYWIRE_EXPECT_IOREDIS;
    if (expected) assert.equal(major(resolved), major(expected), `ioredis ${resolved} resolved`);
    else assert.equal(require.resolve('ioredis'), require.resolve('ioredis', { paths: [REPO_ROOT] }));
  });

  it(`runs on the Node version the run asks for (${process.env.PAYWIRE_EXPECT_NODE ?? pkg.engines.node})`, () => {
    const expected = process.env.PAYWIRE_EXPECT_NODE;
    if (expected) assert.equal(major(process.versions.node), major(expected), `Node ${process.versions.node}`);
    else assert.ok(major(process.versions.node) >= major(pkg.engines.node), `Node ${process.versions.node} is below engines.node ${pkg.engines.node}`);
  });
});
