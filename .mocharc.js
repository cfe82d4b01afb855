module.exports = {
  spec: ['dist/test/**/*.test.js'],
  // Resolves node-red and undici from PAYWIRE_NODE_RED_DIR when set (the Node 22 run in .ci/run).
  // Then: each test starts with no rate-limit window left over from an earlier test's emulator.
  require: ['dist/test/support/redirect-modules.js', 'dist/test/support/fresh-accounts.js'],
  timeout: 20000,
  reporter: 'dist/test/support/summary-reporter.js',
  // A stray .only would silently run a fraction of the suite and still read green.
  forbidOnly: true,
  exit: true,
};
