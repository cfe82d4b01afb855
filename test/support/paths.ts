import path from 'node:path';

/** Repository root (tests run from dist/test/…). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Real Cryptopay responses and callbacks recorded from the official SDKs' test suites, kept in
 * the repository (test/fixtures/README.md) so a clone anywhere runs every test.
 */
export const CRYPTOPAY_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'cryptopay');
