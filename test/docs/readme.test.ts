/**
 * The README serves a Node-RED user first and stays true: its first screen has the two set-up
 * commands with what `npm test` needs right under them and names the demo's tabs as they are
 * labelled; every demo variable, node, palette label and example is in it; and its links (and
 * those of docs/) lead somewhere. Evidence and design notes live in docs/, without issue numbers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { listExamples, readExample } from '../support/examples';
import { REPO_ROOT } from '../support/paths';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const DOCS = path.join(REPO_ROOT, 'docs');
const docFiles = (): string[] => fs.readdirSync(DOCS).filter((f) => f.endsWith('.md'));

/** What GitHub shows before the first section heading. */
const firstScreen = README.slice(0, README.indexOf('\n## '));

/** GitHub's anchor for a heading. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function paletteLabels(): Record<string, string> {
  const dir = path.join(REPO_ROOT, 'nodes', 'locales', 'en-US');
  const labels: Record<string, string> = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const type = file.replace(/\.json$/, '');
    labels[type] = (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, { paletteLabel: string }>)[type]!.paletteLabel;
  }
  return labels;
}

describe('README', () => {
  it('opens with exactly the two set-up commands, and what npm test needs right under them', () => {
    const blocks = [...firstScreen.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.equal(blocks.length, 1, 'one block of commands on the first screen');
    const commands = blocks[0]!
      .trim()
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim());
    assert.deepEqual(commands, ['npm install && npm start', 'npm test']);
    const after = firstScreen.slice(firstScreen.indexOf('```', firstScreen.indexOf('```sh') + 3) + 3).trim();
    const nextParagraph = after.split('\n\n')[0]!;
    for (const need of ['Chromium', 'redis-server', '.ci/run', 'Node 20']) assert.ok(nextParagraph.includes(need), `"${need}" right under the commands`);
  });

  it('names the demo’s three tabs on its first screen as the editor labels them', () => {
    for (const example of ['03', '08', '09']) {
      const label = String(readExample(example).find((n) => n.type === 'tab')!.label);
      assert.ok(firstScreen.includes(`**${label}**`), `the first screen names "${label}"`);
    }
  });

  it('documents every variable and option of the demo', () => {
    const demo = fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'demo.ts'), 'utf8');
    const variables = new Set(demo.match(/PAYWIRE_[A-Z_]+/g));
    assert.ok(variables.size >= 5, [...variables].join(', '));
    for (const variable of variables) assert.ok(README.includes(`\`${variable}\``), `${variable} is documented`);
    assert.ok(README.includes('npm start -- --reset'));
  });

  it('has an install section for Node-RED users: the palette manager and npm in the user directory', () => {
    const install = README.slice(README.indexOf('## Install'), README.indexOf('\n## ', README.indexOf('## Install') + 3));
    assert.match(install, /Manage palette/);
    assert.match(install, /~\/\.node-red/);
    assert.ok(install.includes('npm install @paywire/node-red-crypto-payments'));
  });

  it('lists every node with its palette label (config nodes as such), and every example', () => {
    for (const [type, label] of Object.entries(paletteLabels())) {
      const html = fs.readFileSync(path.join(REPO_ROOT, 'nodes', `${type}.html`), 'utf8');
      const shown = /category:\s*'config'/.test(html) ? '(config)' : label;
      assert.ok(README.includes(`| ${shown} | **${type}** |`), `${type} is in the nodes table as "${shown}"`);
    }
    for (const { file } of listExamples()) assert.ok(README.includes(`| ${file.replace(/\.json$/, '')} |`), `${file} is listed`);
  });

  it('keeps evidence in docs/ and names no issue numbers', () => {
    for (const [name, text] of [['README.md', README], ...docFiles().map((f) => [`docs/${f}`, fs.readFileSync(path.join(DOCS, f), 'utf8')])] as const) {
      assert.doesNotMatch(text, /\bissues? #?\d+|(^|\s)#\d+\b/im, `${name} names an issue number`);
    }
    for (const doc of ['docs/reliability.md', 'docs/performance.md', 'docs/design.md']) assert.ok(README.includes(`](${doc})`), `the README links ${doc}`);
    // Benchmark tables are evidence: in docs/performance.md, not in the README.
    assert.doesNotMatch(README, /invoices\/s|callbacks\/s|p99/);
  });

  it('links only to files and headings that exist, and shows every picture in docs/images', () => {
    const used = new Set<string>();
    for (const [file, text] of [['README.md', README], ...docFiles().map((f) => [path.join('docs', f), fs.readFileSync(path.join(DOCS, f), 'utf8')])] as const) {
      const headings = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!)));
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target!)) continue;
        if (target!.startsWith('#')) {
          assert.ok(headings.has(target!.slice(1)), `${file}: no heading for ${target}`);
          continue;
        }
        const resolved = path.join(REPO_ROOT, path.dirname(file), target!);
        assert.ok(fs.existsSync(resolved), `${file}: ${target} does not exist`);
        used.add(path.relative(REPO_ROOT, resolved));
      }
    }
    const pictures = fs.readdirSync(path.join(DOCS, 'images')).map((f) => path.join('docs', 'images', f));
    assert.deepEqual(
      pictures.filter((p) => !used.has(p)),
      [],
      'pictures nobody shows',
    );
  });
});
