/**
 * The editor help is composed at build time (scripts/compose-help.ts): each node's page in
 * nodes/locales keeps what holds for every provider, and the providers' own sections come from
 * their folders (lib/providers/<id>/help/<lang>/<node>.<slot>.html). The built pages keep their
 * headings, carry every fragment in registration order, and a fragment with nowhere to go
 * fails the build instead of vanishing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROVIDERS } from '../../lib/providers';
import { composeAllHelp, composeHelp, helpSlots, readHelpFragments } from '../../scripts/compose-help';
import type { HelpFragment } from '../../scripts/compose-help';
import { REPO_ROOT } from '../support/paths';

const SOURCE = path.join(REPO_ROOT, 'nodes', 'locales');
const BUILT = path.join(REPO_ROOT, 'dist', 'nodes', 'locales');
const PROVIDER_DIR = path.join(REPO_ROOT, 'lib', 'providers');
const SHIPPED = ['cryptopay', 'cpg', 'payment-orders'];

/** The h3 headings each node's help must have (config nodes take no input and send nothing). */
const REQUIRED_HEADINGS: Record<string, string[]> = {
  'paywire-gateway': ['Details'],
  'paywire-redis': ['Details'],
  'paywire-callback': ['Outputs', 'Details'],
};
const HEADING_IN: Record<string, Record<string, string>> = {
  'en-US': { Inputs: 'Inputs', Outputs: 'Outputs', Details: 'Details' },
  de: { Inputs: 'Eingaben', Outputs: 'Ausgaben', Details: 'Details' },
};

const h3 = (html: string): string[] => [...html.matchAll(/<h3>([\s\S]*?)<\/h3>/g)].map((m) => m[1]!.trim());
const pagesIn = (dir: string): string[] =>
  fs.readdirSync(dir).flatMap((lang) => fs.readdirSync(path.join(dir, lang)).filter((f) => f.endsWith('.html')).map((f) => `${lang}/${f}`)).sort();

describe('help composed from provider fragments', () => {
  const fragments = readHelpFragments(PROVIDER_DIR, Object.keys(PROVIDERS));

  it('every shipped provider brings fragments, each in en-US and de, and every language has a page per node', () => {
    assert.deepEqual(Object.keys(PROVIDERS), SHIPPED);
    for (const id of SHIPPED) assert.ok(fragments.some((f) => f.provider === id), `${id} has no help fragments`);
    const names = (lang: string): string[] => fragments.filter((f) => f.lang === lang).map((f) => `${f.provider}/${f.node}.${f.slot}`).sort();
    assert.deepEqual(names('de'), names('en-US'));
    assert.deepEqual(pagesIn(BUILT), pagesIn(SOURCE));
  });

  it('every built page keeps its Inputs / Outputs / Details headings and no marker', () => {
    for (const page of pagesIn(BUILT)) {
      const [lang, file] = page.split('/') as [string, string];
      const built = fs.readFileSync(path.join(BUILT, page), 'utf8');
      const source = fs.readFileSync(path.join(SOURCE, page), 'utf8');
      const required = REQUIRED_HEADINGS[file.replace(/\.html$/, '')] ?? ['Inputs', 'Outputs', 'Details'];
      for (const heading of required) assert.ok(h3(built).includes(HEADING_IN[lang]![heading]!), `${page} lacks ${heading}`);
      // Fragments add sections under the page's headings, never headings of their own.
      assert.deepEqual(h3(built), h3(source), page);
      assert.ok(!built.includes('<!-- provider help'), `${page} still has a marker`);
    }
  });

  it('every fragment is in its built page, in provider registration order within its slot', () => {
    for (const page of pagesIn(BUILT)) {
      const built = fs.readFileSync(path.join(BUILT, page), 'utf8');
      const source = fs.readFileSync(path.join(SOURCE, page), 'utf8');
      for (const slot of helpSlots(source)) {
        const own = fragments.filter((f) => `${f.lang}/${f.node}.html` === page && f.slot === slot);
        const at = own.map((f) => built.indexOf(f.text.trimEnd()));
        own.forEach((f, i) => assert.ok(at[i]! >= 0, `${f.file} is not in ${page}`));
        assert.deepEqual([...at].sort((a, b) => a - b), at, `${page} ${slot}: ${own.map((f) => f.provider).join(', ')} out of order`);
      }
    }
    // Every fragment had a page and a slot.
    for (const f of fragments) assert.ok(fs.readFileSync(path.join(BUILT, f.lang, `${f.node}.html`), 'utf8').includes(f.text.trimEnd()), f.file);
  });

  it('the generic pages name the providers only where fragments do not replace them (no provider section headings)', () => {
    for (const page of pagesIn(SOURCE)) {
      const source = fs.readFileSync(path.join(SOURCE, page), 'utf8');
      assert.deepEqual([...source.matchAll(/<h4>(CPG|CryptoPay)[^<]*<\/h4>/g)].map((m) => m[0]), [], page);
      assert.ok(!/href="https:\/\/(developers\.cryptopay\.me|docs-pg\.neuradigi\.com|www\.docs\.echogate\.craftfolio\.dev)/.test(source), `${page} links a provider's documentation itself`);
    }
  });

  describe('composition', () => {
    const fragment = (provider: string, slot: string, text: string): HelpFragment => ({ provider, lang: 'en-US', node: 'paywire-x', slot, file: `${provider}.${slot}`, text });

    it('puts each fragment where its slot is marked, followed by the blank lines after the marker', () => {
      const source = ['<h3>Inputs</h3>', '', '    <!-- provider help: inputs -->', '', '<h3>Outputs</h3>', '<ul>', '    <!-- provider help: references -->', '    <li>Node-RED</li>', '</ul>', ''].join('\n');
      const composed = composeHelp(source, [
        fragment('a', 'inputs', '    <h4>A</h4>\n    <p>a</p>\n\n'),
        fragment('b', 'inputs', '    <h4>B</h4>\n'),
        fragment('a', 'references', '    <li>A docs</li>\n'),
        fragment('b', 'references', '    <li>B docs</li>'),
      ]);
      assert.equal(
        composed,
        ['<h3>Inputs</h3>', '', '    <h4>A</h4>', '    <p>a</p>', '', '    <h4>B</h4>', '', '<h3>Outputs</h3>', '<ul>', '    <li>A docs</li>', '    <li>B docs</li>', '    <li>Node-RED</li>', '</ul>', ''].join('\n'),
      );
      // Without fragments the marker and its blank lines go.
      assert.equal(composeHelp(source, []), ['<h3>Inputs</h3>', '', '<h3>Outputs</h3>', '<ul>', '    <li>Node-RED</li>', '</ul>', ''].join('\n'));
    });

    describe('a fragment with nowhere to go fails the build', () => {
      let dir: string;
      beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-help-'));
      });
      afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

      const plant = (provider: string, lang: string, name: string): void => {
        fs.mkdirSync(path.join(dir, provider, 'help', lang), { recursive: true });
        fs.writeFileSync(path.join(dir, provider, 'help', lang, name), '<h4>Planted</h4>\n');
      };
      const compose = (ids: string[]): Map<string, string> => composeAllHelp(SOURCE, readHelpFragments(dir, ids));

      it('is accepted for a node, language and slot a page marks (the checks below are not vacuous)', () => {
        plant('planted', 'de', 'paywire-invoice.inputs.html');
        assert.ok(compose(['planted']).get('de/paywire-invoice.html')!.includes('<h4>Planted</h4>'));
      });

      for (const [lang, name, expected] of [
        ['en-US', 'paywire-nosuch.inputs.html', /no "inputs" marker in en-US\/paywire-nosuch\.html/],
        ['fr', 'paywire-invoice.inputs.html', /no "inputs" marker in fr\/paywire-invoice\.html/],
        ['en-US', 'paywire-invoice.outputs.html', /no "outputs" marker in en-US\/paywire-invoice\.html/],
        ['en-US', 'invoice-inputs.html', /is named <node>\.<slot>\.html/],
      ] as const) {
        it(`${lang}/${name}`, () => {
          plant('planted', lang, name);
          assert.throws(() => compose(['planted']), expected);
        });
      }

      it('of a provider that is not registered', () => {
        plant('unlisted', 'en-US', 'paywire-invoice.inputs.html');
        assert.throws(() => compose(['planted']), /not registered: .*unlisted/);
      });
    });
  });
});
