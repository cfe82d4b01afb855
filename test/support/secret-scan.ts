/**
 * Looks for secrets in text the user (or anyone reading logs) can see: each secret as given,
 * case-insensitively, and in the encodings a careless code path would produce: URL-encoding,
 * base64 (standard and URL-safe, at every byte alignment, so a secret inside a larger encoded
 * string such as `user:password` is found too), hex, JSON string escaping, and the secret's
 * random tag alone (a truncated status text or a partial copy still carries it).
 */
import { createHash } from 'node:crypto';

export interface Secret {
  /** Which credential this is, for the report (never the value). */
  name: string;
  value: string;
  /** A random part unique to this secret; found on its own it is a partial leak. */
  tag?: string;
}

export interface Artifact {
  /** Where the text came from: "log", "GET /flows", "debug dbg-out" … */
  name: string;
  text: string;
}

export interface Finding {
  secret: string;
  encoding: string;
  artifact: string;
  index: number;
  /** The surrounding text with the match itself masked, for a readable failure. */
  context: string;
}

interface Needle {
  encoding: string;
  text: string;
  caseInsensitive: boolean;
}

/**
 * A recognisable secret: `pw-SECRET-<tag>-<name>`, the tag derived from the seed (reproducible)
 * and early in the value, so even a copy clipped to a 32-character status text still carries it.
 */
export function makeSecret(name: string, seed: string, shape: (tag: string) => string = (tag) => `pw-SECRET-${tag}-${name}`): Secret {
  const tag = createHash('sha256').update(`${seed}:${name}`).digest('hex').slice(0, 12);
  return { name, value: shape(tag), tag };
}

/** The base64 characters that depend only on the secret's bytes, when it starts `offset` bytes into a 3-byte group. */
function base64Core(bytes: Buffer, offset: number): string {
  const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
  const encoded = padded.toString('base64');
  let out = '';
  for (let group = 0; group * 3 < padded.length; group++) {
    const start = group * 3;
    if (start >= offset && start + 2 < padded.length) out += encoded.slice(group * 4, group * 4 + 4);
  }
  return out;
}

function needlesOf(secret: Secret): Needle[] {
  const bytes = Buffer.from(secret.value, 'utf8');
  const list: Needle[] = [{ encoding: 'plain', text: secret.value, caseInsensitive: true }];
  const add = (encoding: string, text: string, caseInsensitive = false): void => {
    if (text.length >= 8 && !list.some((n) => n.text === text)) list.push({ encoding, text, caseInsensitive });
  };
  add('url-encoded', encodeURIComponent(secret.value), true);
  add('url-encoded (form)', encodeURIComponent(secret.value).replace(/%20/g, '+'), true);
  add('json-escaped', JSON.stringify(secret.value).slice(1, -1), true);
  for (const offset of [0, 1, 2]) {
    const core = base64Core(bytes, offset);
    add(`base64@${offset}`, core);
    add(`base64url@${offset}`, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  add('hex', bytes.toString('hex'), true);
  if (secret.tag) add('tag', secret.tag, true);
  return list;
}

export class SecretScanner {
  private readonly needles: Array<Needle & { secret: string }>;
  readonly secrets: readonly Secret[];

  /** `markers`: texts every secret here shares (e.g. `pw-SECRET-`); any copy of one is a leak. */
  constructor(secrets: Secret[], markers: string[] = []) {
    this.secrets = secrets;
    this.needles = secrets.flatMap((s) => needlesOf(s).map((n) => ({ ...n, secret: s.name })));
    for (const marker of markers) this.needles.push({ encoding: 'marker', text: marker, caseInsensitive: true, secret: `marker ${marker}` });
  }

  get needleCount(): number {
    return this.needles.length;
  }

  scan(artifacts: Artifact[]): Finding[] {
    const findings: Finding[] = [];
    for (const artifact of artifacts) {
      const lower = artifact.text.toLowerCase();
      for (const needle of this.needles) {
        const haystack = needle.caseInsensitive ? lower : artifact.text;
        const wanted = needle.caseInsensitive ? needle.text.toLowerCase() : needle.text;
        for (let at = haystack.indexOf(wanted); at !== -1; at = haystack.indexOf(wanted, at + 1)) {
          const before = artifact.text.slice(Math.max(0, at - 60), at);
          const after = artifact.text.slice(at + wanted.length, at + wanted.length + 60);
          findings.push({ secret: needle.secret, encoding: needle.encoding, artifact: artifact.name, index: at, context: `${before}<${needle.secret}>${after}` });
        }
      }
    }
    return findings;
  }
}

/** A deep, lossless-enough serialization of anything a flow produced (Buffers, Errors, cycles). */
export function deepText(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, function replacer(this: unknown, _key: string, v: unknown) {
    if (Buffer.isBuffer(v)) return `Buffer(${v.toString('utf8')})`;
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return `Buffer(${Buffer.from((v as { data: number[] }).data).toString('utf8')})`;
    }
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack, ...(v as unknown as Record<string, unknown>) };
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
    }
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}
