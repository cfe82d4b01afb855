// Spec output plus the plain closing line CI reads ("N passed, N failed"), the pending
// (skipped) tests counted on the line before it, and a JSON copy so .ci/run can add up several
// runs (for example two Node-RED versions) and show each run's pending tests.
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      const label = process.env.PAYWIRE_TEST_LABEL ?? 'default';
      const dir = path.resolve('.test-results');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, `summary-${label}.json`),
        JSON.stringify({ label, passed: stats.passes, failed: stats.failures, pending: stats.pending }),
      );
      // Printed after Spec's epilogue so it is the last line of the run.
      process.on('exit', () => {
        console.log(`${stats.pending} pending`);
        console.log(`${stats.passes} passed, ${stats.failures} failed`);
      });
    });
  }
}

export = SummaryReporter;
