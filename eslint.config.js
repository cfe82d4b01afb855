// Flat config: type-aware rules catch floating promises in async node handlers,
// the bug that turns a gateway error into an unhandled rejection in Node-RED.
const fs = require('node:fs');
const path = require('node:path');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

// The architecture's "nevers", enforced per folder. Folder lists are read from disk so a new
// provider or emulator is fenced in the moment its folder exists.
const subfolders = (dir) =>
  fs.readdirSync(path.join(__dirname, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const PROVIDERS = subfolders('lib/providers');
const EMULATORS = subfolders('emulator').filter((name) => name !== 'shared');

/** A relative import whose path passes through one of `folders` (`../x`, `../../x/y`). */
const relativeInto = (folders) => `^\\.{1,2}/(.*/)?(${folders.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(/|$)`;
const never = (regex, message) => ({ regex, message });

const LIB_NEVERS = [
  never('^(node-red|@node-red/)', 'lib/ is framework-free: it never imports Node-RED.'),
  never(relativeInto(['nodes']), 'lib/ never imports nodes/: the nodes depend on lib, not the other way.'),
  never(relativeInto(['emulator', 'test']), 'lib/ is shipped; emulator/ and test/ are not.'),
];
const EMULATOR_NEVERS = [
  never(relativeInto(['lib', 'nodes']), 'An emulator plays the gateway: it never borrows the client code it is meant to test.'),
];

/** One config object per folder; each repeats the wider folder's nevers, as a later match replaces the rule. */
const fence = (files, nevers) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns: nevers }] } });
const BOUNDARIES = [
  fence(['lib/**/*.ts'], LIB_NEVERS),
  ...PROVIDERS.map((provider) =>
    fence([`lib/providers/${provider}/**/*.ts`], [
      ...LIB_NEVERS,
      never(relativeInto(PROVIDERS.filter((p) => p !== provider)), `A provider never imports another provider (${provider}); share through lib/.`),
    ]),
  ),
  fence(['emulator/**/*.ts'], EMULATOR_NEVERS),
  fence(['emulator/shared/**/*.ts'], [
    ...EMULATOR_NEVERS,
    never(relativeInto(EMULATORS), 'emulator/shared/ is the floor every emulator stands on: it imports no emulator.'),
  ]),
  ...EMULATORS.map((emulator) =>
    fence([`emulator/${emulator}/**/*.ts`], [
      ...EMULATOR_NEVERS,
      never(relativeInto(EMULATORS.filter((e) => e !== emulator)), `An emulator never imports a sibling (${emulator}); share through emulator/shared/.`),
    ]),
  ),
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.demo/**', '.test-results/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // Node-RED node constructors conventionally keep `const node = this`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
  },
  {
    // Tests read loosely shaped messages; @types/node-red-node-test-helper types the async
    // helper methods as void although 0.3.6 returns promises.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/await-thenable': 'off',
    },
  },
  ...BOUNDARIES,
);
