/**
 * Mocha root hook (.mocharc.js): every test starts with no remembered gateway accounts. The
 * emulators share one API key and listen on port 0, so a test can be given the port an earlier
 * test's emulator had; without this it would inherit that test's rate-limit window (kept for a
 * minute after the last request, as it must be against a real gateway) and be refused early.
 */
import { forgetUnusedLimiters } from '../../lib/http/shared-limiters';

export const mochaHooks = {
  beforeEach(): void {
    forgetUnusedLimiters();
  },
};
