import fs from 'node:fs';
import path from 'node:path';

/** Repository root (tests run from dist/test/…). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The `shared` folder (API references and recorded fixtures): beside the checkout, or beside a
 * folder of worktrees one level further up; PAYWIRE_SHARED overrides both.
 */
function findShared(): string {
  if (process.env.PAYWIRE_SHARED) return path.resolve(process.env.PAYWIRE_SHARED);
  const candidates = [path.resolve(REPO_ROOT, '..', 'shared'), path.resolve(REPO_ROOT, '..', '..', 'shared')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'reference'))) ?? candidates[0]!;
}

export const SHARED = findShared();
export const CRYPTOPAY_FIXTURES = path.join(SHARED, 'fixtures', 'cryptopay');
