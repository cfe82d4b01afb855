import path from 'node:path';

/** Repository root (tests run from dist/test/…). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/**
 * `../shared` beside the repository: API references and recorded fixtures. PAYWIRE_SHARED
 * points elsewhere (a git worktree whose parent has no `shared`).
 */
export const SHARED = process.env.PAYWIRE_SHARED ? path.resolve(process.env.PAYWIRE_SHARED) : path.resolve(REPO_ROOT, '..', 'shared');
export const CRYPTOPAY_FIXTURES = path.join(SHARED, 'fixtures', 'cryptopay');
