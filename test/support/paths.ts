import fs from 'node:fs';
import path from 'node:path';

/** Repository root (tests run from dist/test/…). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The nearest `shared` folder beside the repository or one of its parents (a worktree sits one level deeper). */
function findShared(): string {
  for (let dir = path.dirname(REPO_ROOT); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(REPO_ROOT, '..', 'shared');
  }
}

/** `../shared` beside the repository: API references and recorded fixtures. */
export const SHARED = findShared();
export const CRYPTOPAY_FIXTURES = path.join(SHARED, 'fixtures', 'cryptopay');
