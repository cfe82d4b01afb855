// Schema validation with Pydantic v2 wording (reference §4): every problem of a request at once,
// as "field: problem" items joined by "; ", answered with 422 (FastAPI's status; our assumption).
import { Decimal } from '../shared/decimal';
import { cpgErrors } from './envelope';

export interface Issue {
  field: string;
  problem: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export class Checker {
  private readonly issues: Issue[] = [];

  constructor(private readonly source: Readonly<Record<string, unknown>>) {}

  add(field: string, problem: string): void {
    this.issues.push({ field, problem });
  }

  /** A string field with Pydantic's min_length / max_length. Optional fields accept null. */
  string(field: string, rules: { required: boolean; min?: number; max?: number }): string | undefined {
    const value = this.source[field];
    if (value === undefined || (value === null && !rules.required)) {
      if (rules.required) this.add(field, 'Field required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(field, 'Input should be a valid string');
      return undefined;
    }
    if (rules.min !== undefined && value.length < rules.min) {
      this.add(field, `String should have at least ${plural(rules.min, 'character')}`);
      return undefined;
    }
    if (rules.max !== undefined && value.length > rules.max) {
      this.add(field, `String should have at most ${plural(rules.max, 'character')}`);
      return undefined;
    }
    return value;
  }

  /** A required decimal given as a string or a JSON number, > 0. */
  positiveDecimal(field: string): Decimal | undefined {
    const value = this.source[field];
    if (value === undefined || value === null) {
      this.add(field, 'Field required');
      return undefined;
    }
    const parsed = typeof value === 'string' || typeof value === 'number' ? Decimal.parse(value) : null;
    if (!parsed) {
      this.add(field, 'Input should be a valid decimal');
      return undefined;
    }
    if (!parsed.isPositive()) {
      this.add(field, 'Input should be greater than 0');
      return undefined;
    }
    return parsed;
  }

  /** An optional integer query parameter within [min, max]. */
  integer(field: string, rules: { min?: number; max?: number } = {}): number | undefined {
    const value = this.source[field];
    if (value === undefined) return undefined;
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
    if (!/^[+-]?\d+$/.test(text)) {
      this.add(field, 'Input should be a valid integer, unable to parse string as an integer');
      return undefined;
    }
    const n = Number(text);
    if (rules.min !== undefined && n < rules.min) {
      this.add(field, `Input should be greater than or equal to ${rules.min}`);
      return undefined;
    }
    if (rules.max !== undefined && n > rules.max) {
      this.add(field, `Input should be less than or equal to ${rules.max}`);
      return undefined;
    }
    return n;
  }

  /** An optional value from a fixed list (a Literal / Enum field). */
  oneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const value = this.source[field];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    const quoted = allowed.map((a) => `'${a}'`);
    const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}` : (quoted[0] ?? '');
    this.add(field, `Input should be ${list}`);
    return undefined;
  }

  /** Throws the 422 with every issue collected so far. */
  done(): void {
    if (this.issues.length > 0) throw cpgErrors.invalid(formatIssues(this.issues));
  }
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.field}: ${i.problem}`).join('; ');
}

/** A JSON object body; FastAPI's wording for a body that is not JSON or not an object. */
export function objectBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) throw cpgErrors.invalid('body: Field required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw cpgErrors.invalid('body: JSON decode error');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw cpgErrors.invalid('body: Input should be a valid dictionary or object to extract fields from');
  }
  return parsed as Record<string, unknown>;
}

/** A path id that must be an integer ≥ 1 (404 for ids that parse but do not exist). */
export function pathId(field: string, text: string): number {
  const checker = new Checker({ [field]: text });
  const id = checker.integer(field);
  checker.done();
  return id ?? 0;
}
