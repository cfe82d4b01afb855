// Node-RED loads a node's .html, icons/ and locales/ from the folder of its .js,
// so the editor assets are copied beside the compiled runtime files. The help pages in
// locales/ are composed on the way: each provider's own help fragments (lib/providers/<id>/help/)
// go where the page marks them, for the registered providers in registration order
// (scripts/compose-help.ts, compiled by the tsc run before this one).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'nodes');
const dest = path.join(root, 'dist', 'nodes');
const { composeAllHelp, readHelpFragments } = require(path.join(root, 'dist', 'scripts', 'compose-help.js'));
const { PROVIDERS } = require(path.join(root, 'dist', 'lib', 'providers'));

fs.mkdirSync(dest, { recursive: true });
for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
  const from = path.join(src, entry.name);
  if (entry.isDirectory() && (entry.name === 'icons' || entry.name === 'locales')) {
    fs.cpSync(from, path.join(dest, entry.name), { recursive: true });
  } else if (entry.isFile() && entry.name.endsWith('.html')) {
    fs.copyFileSync(from, path.join(dest, entry.name));
  }
}

const fragments = readHelpFragments(path.join(root, 'lib', 'providers'), Object.keys(PROVIDERS));
for (const [page, html] of composeAllHelp(path.join(src, 'locales'), fragments)) {
  fs.writeFileSync(path.join(dest, 'locales', page), html);
}
