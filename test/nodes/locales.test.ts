/**
 * Every language has every message of en-US (a missing key shows as its raw name in the
 * editor), with the same __placeholders__, and nothing en-US lacks.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/paths';

const LOCALES = path.join(REPO_ROOT, 'nodes', 'locales');

/** Flattens a message catalog to "a.b.c" → text. */
function messages(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(prefix, value);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) for (const [k, v] of messages(child, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  }
  return out;
}

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
