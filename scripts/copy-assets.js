// Node-RED loads a node's .html, icons/ and locales/ from the folder of its .js,
// so the editor assets are copied beside the compiled runtime files; catalog-locales/ holds
// the translated texts of the editor's catalog, which the gateway node reads itself.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'nodes');
const dest = path.join(root, 'dist', 'nodes');

fs.mkdirSync(dest, { recursive: true });
for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
  const from = path.join(src, entry.name);
  if (entry.isDirectory() && (entry.name === 'icons' || entry.name === 'locales')) {
    fs.cpSync(from, path.join(dest, entry.name), { recursive: true });
  } else if (entry.isFile() && entry.name.endsWith('.html')) {
    fs.copyFileSync(from, path.join(dest, entry.name));
  }
}
