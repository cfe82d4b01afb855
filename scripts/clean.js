const fs = require('node:fs');
const path = require('node:path');

for (const dir of ['dist', '.test-results']) {
  fs.rmSync(path.resolve(__dirname, '..', dir), { recursive: true, force: true });
}
