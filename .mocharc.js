module.exports = {
  spec: ['dist/test/**/*.test.js'],
  // Resolves node-red and undici from PAYWIRE_NODE_RED_DIR when set (the Node 22 run in .ci/run).
  require: ['dist/test/support/redirect-modules.js'],
  timeout: 20000,
  reporter: 'dist/test/support/summary-reporter.js',
  exit: true,
};
