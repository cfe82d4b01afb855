module.exports = {
  spec: ['dist/test/**/*.test.js'],
  timeout: 20000,
  reporter: 'dist/test/support/summary-reporter.js',
  exit: true,
};
