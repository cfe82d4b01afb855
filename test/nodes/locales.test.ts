/**
 * Every language has every message of en-US (a missing key shows as its raw name in the
 * editor), with the same __placeholders__, and nothing en-US lacks. Every en-US help page has
 * a counterpart in each language with the same structure, property names, code and links, so
 * a translation can not drift from the English page. The help pages checked are the built ones
 * (dist/nodes/locales), composed with the providers' help fragments, as Node-RED serves them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { messages } from '../support/messages';

const LOCALES = path.join(REPO_ROOT, 'nodes', 'locales');
const BUILT_HELP = path.join(REPO_ROOT, 'dist', 'nodes', 'locales');

const placeholders = (text: string): string[] => [...text.matchAll(/__([A-Za-z0-9_]+?)__/g)].map((m) => m[1]!).sort();

describe('message catalogs', () => {
  const reference = fs.readdirSync(path.join(LOCALES, 'en-US')).filter((f) => f.endsWith('.json'));
  const languages = fs.readdirSync(LOCALES).filter((l) => l !== 'en-US');

  it('exist in en-US and at least one more language', () => {
    assert.ok(reference.length >= 7);
    assert.ok(languages.length >= 1);
  });

  for (const lang of languages) {
    for (const file of reference) {
      it(`${lang}/${file} has every message of en-US with the same placeholders`, () => {
        const en = messages(JSON.parse(fs.readFileSync(path.join(LOCALES, 'en-US', file), 'utf8')));
        const target = path.join(LOCALES, lang, file);
        assert.ok(fs.existsSync(target), `${target} is missing`);
        const other = messages(JSON.parse(fs.readFileSync(target, 'utf8')));
        assert.deepEqual([...other.keys()].sort(), [...en.keys()].sort());
        for (const [key, text] of en) {
          assert.deepEqual(placeholders(other.get(key)!), placeholders(text), `${lang} ${key}`);
          assert.notEqual(other.get(key)!.trim(), '', `${lang} ${key} is empty`);
        }
      });
    }
  }
});

/** The h3 headings of a help page, as the German pages render them (paywire-status set the style). */
const HEADINGS: Record<string, Record<string, string>> = {
  de: { Inputs: 'Eingaben', Outputs: 'Ausgaben', Details: 'Details', References: 'Quellen' },
};

/** Block tags with their attributes, in order: the skeleton of a help page. */
const BLOCK = /<(\/?)(script|h3|h4|p|dl|dt|dd|ul|ol|li)(\s[^>]*)?>/g;

const textOf = (html: string): string =>
  html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();

interface Help {
  opening: string;
  helpName: string;
  skeleton: string[];
  h3: string[];
  h4: number;
  dt: { cls: string; name: string; type: string }[];
  code: string[];
  links: string[];
}

function parseHelp(html: string): Help {
  const opening = /^<script[^>]*>/.exec(html.trim())?.[0] ?? '';
  return {
    opening,
    helpName: /data-help-name="([^"]+)"/.exec(opening)?.[1] ?? '',
    skeleton: [...html.matchAll(BLOCK)].map((m) => `${m[1]}${m[2]}${m[3] ?? ''}`),
    h3: [...html.matchAll(/<h3>([\s\S]*?)<\/h3>/g)].map((m) => textOf(m[1]!)),
    h4: [...html.matchAll(/<h4>/g)].length,
    dt: [...html.matchAll(/<dt([^>]*)>([\s\S]*?)<\/dt>/g)].map((m) => ({
      cls: m[1]!.trim(),
      name: textOf(m[2]!.replace(/<span class="property-type">[\s\S]*?<\/span>/, '')),
      type: /<span class="property-type">([\s\S]*?)<\/span>/.exec(m[2]!)?.[1]?.trim() ?? '',
    })),
    code: [...html.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) => textOf(m[1]!)),
    links: [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => m[1]!),
  };
}

/** A property name such as payload.custom_id or pending, as opposed to a form label in prose. */
const isIdentifier = (name: string): boolean => /^[A-Za-z_$][\w$.[\]-]*$/.test(name);

/**
 * Node and operation names the editor shows translated (palette labels, operation labels):
 * en text → the same key's text in the other language, from the message catalogs.
 */
function labelAliases(lang: string): Map<string, Set<string>> {
  const aliases = new Map<string, Set<string>>();
  for (const file of fs.readdirSync(path.join(LOCALES, 'en-US')).filter((f) => f.endsWith('.json'))) {
    const target = path.join(LOCALES, lang, file);
    if (!fs.existsSync(target)) continue;
    const en = messages(JSON.parse(fs.readFileSync(path.join(LOCALES, 'en-US', file), 'utf8')));
    const other = messages(JSON.parse(fs.readFileSync(target, 'utf8')));
    for (const [key, text] of en) {
      if (!/\.(paletteLabel|operationLabel\..+)$/.test(key) || !other.has(key)) continue;
      const set = aliases.get(text) ?? new Set<string>();
      set.add(other.get(key)!);
      aliases.set(text, set);
    }
  }
  return aliases;
}

/** Every difference between an en-US help page and its translation that must not happen. */
function helpDrift(en: Help, other: Help, headings: Record<string, string>, aliases: Map<string, Set<string>>): string[] {
  const drift: string[] = [];
  if (other.opening !== en.opening) drift.push(`opening tag ${other.opening} is not ${en.opening}`);
  if (other.helpName !== en.helpName) drift.push(`data-help-name ${other.helpName} is not ${en.helpName}`);
  if (other.skeleton.join(' ') !== en.skeleton.join(' ')) {
    const at = en.skeleton.findIndex((tag, i) => other.skeleton[i] !== tag);
    drift.push(`block structure differs at tag ${at}: ${other.skeleton[at] ?? 'end'} instead of ${en.skeleton[at] ?? 'end'}`);
  }
  const wanted = en.h3.map((h) => headings[h] ?? `(no translation for ${h})`);
  if (other.h3.join('|') !== wanted.join('|')) drift.push(`h3 headings ${other.h3.join('|')} are not ${wanted.join('|')}`);
  if (other.h4 !== en.h4) drift.push(`${other.h4} h4 headings instead of ${en.h4}`);
  if (other.dt.length !== en.dt.length) drift.push(`${other.dt.length} <dt> instead of ${en.dt.length}`);
  en.dt.forEach((dt, i) => {
    const o = other.dt[i];
    if (!o) return;
    if (o.cls !== dt.cls || o.type !== dt.type) drift.push(`<dt> ${i} (${dt.name}): class/type ${o.cls} ${o.type} instead of ${dt.cls} ${dt.type}`);
    if (isIdentifier(dt.name) && o.name !== dt.name) drift.push(`<dt> ${i}: ${o.name} instead of ${dt.name}`);
  });
  const left = [...other.code];
  const missing: string[] = [];
  for (const code of en.code) {
    let at = left.indexOf(code);
    if (at < 0) at = left.findIndex((c) => aliases.get(code)?.has(c) ?? false);
    if (at < 0) missing.push(code);
    else left.splice(at, 1);
  }
  if (missing.length) drift.push(`<code> missing: ${missing.join(' | ')}`);
  if (left.length) drift.push(`<code> not in en-US: ${left.join(' | ')}`);
  if (other.links.join(' ') !== en.links.join(' ')) drift.push(`links ${other.links.join(' ')} are not ${en.links.join(' ')}`);
  return drift;
}

describe('help pages', () => {
  const reference = fs.readdirSync(path.join(BUILT_HELP, 'en-US')).filter((f) => f.endsWith('.html')).sort();
  const languages = fs.readdirSync(BUILT_HELP).filter((l) => l !== 'en-US');
  const read = (lang: string, file: string): Help => parseHelp(fs.readFileSync(path.join(BUILT_HELP, lang, file), 'utf8'));

  it('exist in en-US for every node, each with a help name, headings, properties and links', () => {
    assert.equal(reference.length, 9);
    for (const file of reference) {
      const en = read('en-US', file);
      assert.equal(en.helpName, file.replace(/\.html$/, ''), file);
      assert.ok(en.h3.length >= 2 && en.code.length > 0 && en.links.length > 0, file);
    }
  });

  it('drift is detected: a dropped <dt>, a changed field, a changed link, an English heading', () => {
    const html = fs.readFileSync(path.join(BUILT_HELP, 'en-US', 'paywire-withdraw.html'), 'utf8');
    const en = parseHelp(html);
    const de = parseHelp(fs.readFileSync(path.join(BUILT_HELP, 'de', 'paywire-status.html'), 'utf8'));
    const aliases = labelAliases('de');
    const identity = Object.fromEntries(en.h3.map((h) => [h, h]));
    assert.deepEqual(helpDrift(en, parseHelp(html), identity, aliases), []);
    const mutations: [string, string, RegExp][] = [
      ['<dt class="optional">payload.network<span class="property-type">string</span></dt>', '', /<dt>|block structure/],
      ['<code>custom_id</code>', '<code>customid</code>', /<code> missing: custom_id/],
      ['<dt>payload.to_address', '<dt>payload.toAddress', /payload\.toAddress instead of payload\.to_address/],
      ['href="https://developers.cryptopay.me/"', 'href="https://developers.cryptopay.me/de"', /links/],
      ['<h3>Outputs</h3>', '<h4>Outputs</h4>', /h3 headings|h4 headings/],
      ['data-help-name="paywire-withdraw"', 'data-help-name="paywire-withdrawal"', /data-help-name/],
    ];
    for (const [from, to, expected] of mutations) {
      assert.ok(html.includes(from), from);
      const drift = helpDrift(en, parseHelp(html.replace(from, to)), identity, aliases);
      assert.match(drift.join('\n'), expected, `${from} → ${to}`);
    }
    // Translated node names in <code> are accepted only as the catalog's label for that name.
    assert.ok(aliases.get('invoice')?.has('Rechnung'));
    assert.ok(helpDrift(en, de, HEADINGS.de!, aliases).length > 0);
  });

  for (const lang of languages) {
    for (const file of reference) {
      it(`${lang}/${file} matches en-US: help name, structure, headings, <dt> names, <code>, links`, () => {
        const target = path.join(BUILT_HELP, lang, file);
        assert.ok(fs.existsSync(target), `${target} is missing`);
        const headings = HEADINGS[lang];
        assert.ok(headings, `no h3 heading translations for ${lang} in this test`);
        const en = read('en-US', file);
        const other = read(lang, file);
        assert.deepEqual(helpDrift(en, other, headings, labelAliases(lang)), []);
        assert.notEqual(textOf(fs.readFileSync(target, 'utf8')), textOf(fs.readFileSync(path.join(BUILT_HELP, 'en-US', file), 'utf8')), 'not translated');
      });
    }
  }
});
