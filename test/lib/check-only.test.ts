/**
 * checkOnly(schema) must accept and refuse exactly what the schema does, with the same issues:
 * the clients validate gateway answers with it and rely on that. Compared on every exported
 * schema of the three providers, against the recorded Cryptopay answers and callbacks, signed
 * CPG webhooks, and seeded random objects built from each schema's own keys (so the checks go
 * deep), mutated (a key removed, retyped, nulled, extra keys added).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { checkOnly } from '../../lib/check-only';
import * as cryptopaySchemas from '../../lib/providers/cryptopay/schemas';
import * as cpgSchemas from '../../lib/providers/cpg/schemas';
import * as paymentOrderSchemas from '../../lib/providers/payment-orders/schemas';
import { seededRandom } from '../../emulator/shared/faults';
import { cpgDepositWebhook } from '../support/callbacks';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'cryptopay');

function schemasOf(module: Record<string, unknown>): Array<[string, z.ZodType]> {
  return Object.entries(module).filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType);
}

const SCHEMAS = [...schemasOf(cryptopaySchemas), ...schemasOf(cpgSchemas), ...schemasOf(paymentOrderSchemas)];

/** The JSON objects the recordings hold, at any depth (answers, their data, list items, callbacks). */
function recordedObjects(): unknown[] {
  // One object per set of keys: the recordings repeat the same shapes thousands of times.
  const byKeys = new Map<string, unknown>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const signature = Object.keys(value).sort().join(',');
      if (!byKeys.has(signature)) byKeys.set(signature, value);
      Object.values(value).forEach(walk);
    }
  };
  for (const file of ['recorded/ruby-sdk-2021-2023.json', 'recorded/php-sdk-2023.json']) {
    for (const rec of JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as Array<{ responseBody: string }>) {
      try {
        walk(JSON.parse(rec.responseBody));
      } catch {
        // a recorded answer that is not JSON has no object to compare
      }
    }
  }
  for (const file of fs.readdirSync(path.join(FIXTURES, 'callbacks'))) walk(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'callbacks', file), 'utf8')));
  for (let i = 1; i <= 3; i++) walk(JSON.parse(cpgDepositWebhook('s', i).body.toString()));
  return [...byKeys.values()];
}

/** The keys a schema declares at any depth, so random objects use them. */
function declaredKeys(schema: z.ZodType, into = new Set<string>(), seen = new Set<z.ZodType>()): Set<string> {
  if (seen.has(schema)) return into;
  seen.add(schema);
  if (schema instanceof z.ZodObject) {
    for (const [key, value] of Object.entries(schema.shape)) {
      into.add(key);
      declaredKeys(value, into, seen);
    }
  } else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) declaredKeys(schema.unwrap() as z.ZodType, into, seen);
  else if (schema instanceof z.ZodArray) declaredKeys(schema.element as z.ZodType, into, seen);
  return into;
}

function outcome(schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  return result.success ? 'ok' : result.error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message }));
}

describe('checkOnly: the same verdicts as the schema, without the copy', () => {
  const recorded = recordedObjects();

  it(`agrees with each of the ${SCHEMAS.length} provider schemas on recorded, random and mutated objects`, () => {
    const rnd = seededRandom(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
    let compared = 0;
    let accepted = 0;
    for (const [name, schema] of SCHEMAS) {
      const keys = [...declaredKeys(schema)];
      const values: unknown[] = ['', 'x', '1.50', '-0.1', 'abc.1', 7, 0.5, null, true, [], {}, ...recorded.slice(0, 40)];
      const randomObject = (depth: number): Record<string, unknown> => {
        const out: Record<string, unknown> = {};
        for (const key of keys) if (rnd() < 0.7) out[key] = depth > 0 && rnd() < 0.2 ? (rnd() < 0.5 ? [randomObject(depth - 1)] : randomObject(depth - 1)) : pick(values);
        if (rnd() < 0.5) out[`extra_${Math.floor(rnd() * 1000)}`] = pick(values);
        return out;
      };
      const mutate = (value: unknown): unknown => {
        if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
        const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
        const present = Object.keys(copy);
        const key = present.length > 0 && rnd() < 0.8 ? pick(present) : pick(keys.length > 0 ? keys : ['k']);
        const how = rnd();
        if (how < 0.3) delete copy[key];
        else if (how < 0.8) copy[key] = pick(values);
        else copy[`unknown_${Math.floor(rnd() * 100)}`] = { nested: pick(values) };
        return copy;
      };
      const cases: unknown[] = [...recorded, ...recorded.map(mutate), undefined, null, 'text', 12, []];
      for (let i = 0; i < 150; i++) cases.push(i % 2 === 0 ? randomObject(2) : mutate(randomObject(2)));
      for (const value of cases) {
        const expected = outcome(schema, value);
        const actual = outcome(checkOnly(schema), value);
        if (JSON.stringify(actual) !== JSON.stringify(expected)) assert.deepEqual(actual, expected, `${name} on ${JSON.stringify(value)?.slice(0, 300)}`);
        compared += 1;
        if (expected === 'ok') accepted += 1;
      }
    }
    // The comparison must cover both verdicts, or it proves nothing.
    console.log(`      ${compared} cases, ${accepted} accepted`);
    assert.ok(accepted > 200, `only ${accepted} of ${compared} cases were accepted`);
    assert.ok(compared - accepted > 5000, `only ${compared - accepted} of ${compared} cases were refused`);
  });

  it('turns loose objects into plain ones, and keeps a strict or typed catchall', () => {
    const loose = z.looseObject({ a: z.string(), inner: z.array(z.looseObject({ b: z.number() })).optional() });
    const twin = checkOnly(loose) as z.ZodObject;
    assert.equal(twin.def.catchall, undefined);
    assert.deepEqual(twin.parse({ a: 'x', extra: 1 }), { a: 'x' }, 'the twin ignores undeclared keys instead of copying them');
    const strict = z.strictObject({ a: z.string() });
    assert.equal(checkOnly(strict), strict);
    assert.equal(checkOnly(strict).safeParse({ a: 'x', extra: 1 }).success, false);
    const typed = z.object({ a: z.string() }).catchall(z.number());
    assert.equal(checkOnly(typed), typed);
    assert.equal(checkOnly(loose), checkOnly(loose), 'built once per schema');
  });
});
