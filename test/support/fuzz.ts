/**
 * Seeded fuzzing for the reliability tests: a small PRNG (mulberry32) and generators of the
 * values flows really produce by mistake: wrong types, nulls, huge and odd unicode strings,
 * prototype-pollution keys, NaN and Infinity, negative, float and exponent amounts, deep
 * nesting, Buffers and other non-JSON objects. Every run prints its seed; set
 * PAYWIRE_FUZZ_SEED to that number to replay the same cases.
 */

/** The seed for this run: PAYWIRE_FUZZ_SEED (decimal or 0x hex) when set, else the file's default. */
export function fuzzSeed(fallback: number): number {
  const text = process.env.PAYWIRE_FUZZ_SEED?.trim();
  if (!text) return fallback >>> 0;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`PAYWIRE_FUZZ_SEED must be a whole number >= 0, got ${JSON.stringify(text)}`);
  return seed >>> 0;
}

/**
 * How to replay a run, shown in failures. --no-config: the .mocharc spec would add the whole
 * suite to a file named on the command line.
 */
export function replayHint(seed: number, file: string): string {
  return `replay: npm run build && PAYWIRE_FUZZ_SEED=${seed} npx mocha --no-config --timeout 120000 --exit ${file}`;
}

export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One of the entries, with probability proportional to its weight. */
  weighted<T>(entries: ReadonlyArray<readonly [number, T]>): T {
    const total = entries.reduce((sum, [w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [w, value] of entries) {
      roll -= w;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1]![1];
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** A child generator with its own stream, so adding cases in one place does not shift another. */
  fork(label: string): Rng {
    let h = this.seed ^ 0x9e3779b9;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Rng(h >>> 0);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/** Keys that pollute Object.prototype when a parser or merge is careless. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf'] as const;

/** An object that really owns a `__proto__` key (as JSON.parse makes it), plus constructor.prototype. */
export function pollutedObject(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const polluted = JSON.parse('{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}') as Record<string, unknown>;
  return Object.assign(polluted, extra);
}

export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  'true',
  '[object Object]',
  '💸💰🪙',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil\u202C',
  'Z\u0351\u0359\u0353\u036e\u0352\u0302A\u0357L\u0300\u0312G\u033aO',
  'Ω≈ç√∫˜µ≤≥÷',
  '١٢٣٫٤٥',
  '１０.５０',
  "'; DROP TABLE invoices; --",
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00%0d%0a',
  '{{payload}}',
  '${process.env.HOME}',
  'https://evil.example/redirect',
  'javascript:alert(1)',
  '{"json":"inside a string"}',
  '[1,2,3]',
  '__proto__',
  'constructor',
  'a'.repeat(300),
];

export const ODD_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  0.1 + 0.2,
  1.5,
  -10.5,
  1e21,
  1e-7,
  -1e-7,
  5e-324,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  NaN,
  Infinity,
  -Infinity,
  2 ** 31,
  -(2 ** 31) - 1,
];

/** Amount-shaped nonsense: negative, float, exponent, locale, padded, oversized. */
export const ODD_AMOUNTS: readonly unknown[] = [
  '-10',
  '-0',
  '0',
  '0.00',
  '-0.01',
  '1e3',
  '1E-7',
  '1e400',
  '10.505050505050505050505',
  '10,50',
  '1 000',
  '1_000',
  '+10',
  '.5',
  '10.',
  '0x10',
  '0b101',
  ' 10.50 ',
  'ten',
  '10.50 EUR',
  '9'.repeat(400),
  `0.${'0'.repeat(300)}1`,
  10.5,
  -10.5,
  1e21,
  1e-7,
  NaN,
  Infinity,
  -Infinity,
];

export interface ValueOptions {
  /** Deepest nesting to build (objects and arrays). */
  maxDepth?: number;
  /** Longest string to build. */
  maxString?: number;
}

/** Values that do not belong in a message field, built from one Rng. */
export class Values {
  private readonly maxDepth: number;
  private readonly maxString: number;

  constructor(
    readonly rng: Rng,
    options: ValueOptions = {},
  ) {
    this.maxDepth = options.maxDepth ?? 400;
    this.maxString = options.maxString ?? 1024 * 1024;
  }

  oddString(): string {
    return this.rng.pick(ODD_STRINGS);
  }

  /** A long string: mostly kilobytes, sometimes up to maxString. */
  hugeString(): string {
    const size = this.rng.chance(0.1) ? this.maxString : this.rng.int(1_000, 64_000);
    return this.rng.pick(['x', '9', '💸', 'é', '\u0000', 'ab ']).repeat(Math.ceil(size / 2)).slice(0, size);
  }

  /** Nested `depth` levels, as objects or arrays. */
  deep(depth = this.rng.int(20, this.maxDepth)): unknown {
    const asArray = this.rng.chance(0.5);
    let value: unknown = this.rng.chance(0.5) ? 'bottom' : null;
    for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
    return value;
  }

  /** Objects that are not plain JSON: Buffer, Date, Map, Set, functions, class instances … */
  exotic(): unknown {
    const kind = this.rng.int(0, 15);
    switch (kind) {
      case 0:
        return Buffer.from(this.rng.hex(this.rng.int(0, 64)), 'hex');
      case 1:
        return new Date(this.rng.chance(0.5) ? NaN : this.rng.int(-1e12, 1e13));
      case 2:
        return new Map([['price_amount', '10']]);
      case 3:
        return new Set(['BTC', 'EUR']);
      case 4:
        return () => 'a function';
      case 5:
        return Symbol('fuzz');
      case 6:
        return BigInt(this.rng.int(-1e9, 1e9)) * 10n ** 20n;
      case 7:
        return /regexp/gi;
      case 8:
        return new Uint8Array([1, 2, 3]);
      case 9:
        return Object.freeze({ frozen: true, price_amount: '10' });
      case 10: {
        const bare = Object.create(null) as Record<string, unknown>;
        bare.id = 'no-prototype';
        return bare;
      }
      case 11:
        return new (class Invoice {
          readonly id = 'class-instance';
        })();
      case 12:
        return new Error('an error object as a value');
      case 13: {
        const circular: Record<string, unknown> = { name: 'circular' };
        circular.self = circular;
        return circular;
      }
      case 14:
        return new Number(10);
      default:
        return new String('10.50');
    }
  }

  /** A small random JSON-ish tree. */
  tree(depth = 0): unknown {
    if (depth > 3 || this.rng.chance(0.4)) return this.scalar();
    if (this.rng.chance(0.5)) return Array.from({ length: this.rng.int(0, 4) }, () => this.tree(depth + 1));
    const out: Record<string, unknown> = {};
    for (let i = this.rng.int(0, 4); i > 0; i--) out[this.rng.chance(0.2) ? this.rng.pick(POLLUTION_KEYS) : `k${this.rng.int(0, 99)}`] = this.tree(depth + 1);
    return out;
  }

  scalar(): unknown {
    return this.rng.weighted<() => unknown>([
      [3, () => this.oddString()],
      [3, () => this.rng.pick(ODD_NUMBERS)],
      [1, () => this.rng.chance(0.5)],
      [1, () => null],
      [1, () => undefined],
    ])();
  }

  /** Anything at all. */
  any(): unknown {
    return this.rng.weighted<() => unknown>([
      [6, () => this.scalar()],
      [2, () => this.rng.pick(ODD_AMOUNTS)],
      [2, () => this.tree()],
      [1, () => pollutedObject()],
      [1, () => this.deep()],
      [1, () => this.hugeString()],
      [2, () => this.exotic()],
    ])();
  }
}
