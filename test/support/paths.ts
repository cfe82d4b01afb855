import fs from 'node:fs';
import path from 'node:path';

/** Repository root (tests run from dist/test/…). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * `shared/` (API references and recorded fixtures) beside the repository, or beside the folder
 * that holds it (a git worktree under e.g. `wt/<branch>`).
 */
function findShared(): string {
  for (const up of [['..'], ['..', '..']]) {
    const candidate = path.resolve(REPO_ROOT, ...up, 'shared');
    if (fs.existsSync(path.join(candidate, 'reference'))) return candidate;
  }
  return path.resolve(REPO_ROOT, '..', 'shared');
}
export const SHARED = findShared();
export const CRYPTOPAY_FIXTURES = path.join(SHARED, 'fixtures', 'cryptopay');
