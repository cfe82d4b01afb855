/**
 * Operations are what nodes run: a typed zod input (whose field metadata also drives the
 * editor form and the help), and a function that calls the provider client. Nodes only
 * know resource and operation names, so a new provider is a new folder, not node code.
 */
import { z } from 'zod';
import { InputError } from './errors';
import type { ErrorDetail } from './errors';
import type { MappedStatus, Reason, State } from './status';
import { checkAmount } from './decimal';
import type { AmountRule } from './decimal';
import type { CallContext } from './http/reliable';

/** What every node puts on `msg.paywire`. */
export interface PaywireMeta {
  provider: string;
  /** Shared resource name, e.g. `invoice`, `refund`. */
  resource: string;
  id: string | null;
  state: State | null;
  reason: Reason | null;
  final: boolean | null;
  /** Callback event, for messages from paywire-callback. */
  event?: string;
  /** True when an earlier identical request's result was returned instead of acting twice. */
  replayed?: boolean;
}

export interface ResultItem {
  payload: unknown;
  meta: PaywireMeta;
}

export interface ResultPage {
  items: ResultItem[];
  hasMore: boolean;
  total?: number | undefined;
}

export type OperationResult =
  | ({ kind: 'object' } & ResultItem)
  | { kind: 'list'; resource: string; pages: AsyncIterable<ResultPage> };

/**
 * What a node hands an operation: `signal` cancels it (node closed); `onWait` hears about
 * waits on the way (rate-limit queue, retries) so the node can show them in its status.
 */
export type OperationContext = CallContext;
export type { WaitProgress } from './http/reliable';

export type FieldKind = 'string' | 'decimal' | 'boolean' | 'integer' | 'object';

export interface FieldMeta {
  label: string;
  kind: FieldKind;
  help?: string;
  /** msg.payload keys to read this field from, in order (default: the field name). */
  payloadKeys?: string[];
  /** Extra spellings the editor may show, e.g. allowed values. */
  options?: string[];
}

export interface OperationDefinition<Client, Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  label: string;
  /**
   * The node's label on the canvas, in lower case, where the provider's words differ from the
   * node type's own ("create payment order" where the invoice node says "create invoice").
   */
  nodeLabel?: string;
  description: string;
  input: z.ZodObject<Shape>;
  /** Returns a list result: the node then offers its list output modes. */
  list?: boolean;
  /**
   * Field holding the request's idempotency key. When the message gives none, the node
   * generates one and writes it back onto the message, so a retried message reuses it.
   */
  idempotencyField?: string;
  /** Makes a fresh idempotency key (default `pw-<uuid>`), for gateways that want another form. */
  generateIdempotencyKey?: () => string | number;
  run(client: Client, input: z.infer<z.ZodObject<Shape>>, ctx: OperationContext): Promise<OperationResult>;
}

/** Keeps each operation's input type attached to its run function. */
export function defineOperation<Client, Shape extends z.ZodRawShape>(
  def: OperationDefinition<Client, Shape>,
): OperationDefinition<Client> {
  return def;
}

/** Why JSON.stringify refuses a value (a cycle, a BigInt), in one line; undefined when it does not. */
function notJson(value: unknown): string | undefined {
  try {
    JSON.stringify(value);
    return undefined;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n')[0];
  }
}

// ---- field builders: zod types with the metadata the editor and help use ----

/** A wrong-typed value in one short phrase for an error message. */
function describeInput(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export const fields = {
  string(meta: Omit<FieldMeta, 'kind'>) {
    return z.string().trim().min(1, 'must not be empty').meta({ ...meta, kind: 'string' });
  },
  /**
   * A money amount, checked before anything is sent (lib/decimal.ts checkAmount): a decimal
   * string within the gateway's precision, or a number that holds the decimal exactly; sent
   * as a plain decimal string, never in exponent form.
   */
  amount(meta: Omit<FieldMeta, 'kind'>, rule: AmountRule) {
    return z
      .union([z.string(), z.number()], {
        error: (issue) => (issue.input === undefined ? undefined : `is ${describeInput(issue.input)}, not an amount: pass the amount as a decimal string, e.g. "10.50"`),
      })
      .transform((value, ctx) => {
        const checked = checkAmount(value, rule);
        if (checked.ok) return checked.text;
        ctx.addIssue({ code: 'custom', message: checked.problem });
        return z.NEVER;
      })
      .meta({ ...meta, kind: 'decimal' });
  },
  boolean(meta: Omit<FieldMeta, 'kind'>) {
    return z
      .union([z.boolean(), z.enum(['true', 'false'])])
      .transform((v) => v === true || v === 'true')
      .meta({ ...meta, kind: 'boolean' });
  },
  /** A whole number from a number or a numeric string (ids, page sizes). */
  integer(meta: Omit<FieldMeta, 'kind'> & { min?: number; max?: number }) {
    const { min, max, ...rest } = meta;
    let target = z.number().int('must be a whole number');
    if (min !== undefined) target = target.min(min, `must be at least ${min}`);
    if (max !== undefined) target = target.max(max, `must be at most ${max}`);
    return z
      .union([z.number(), z.string().trim().regex(/^-?\d+$/, 'must be a whole number').transform(Number)])
      .pipe(target)
      .meta({ ...rest, kind: 'integer' });
  },
  stringMap(meta: Omit<FieldMeta, 'kind'>) {
    return z.record(z.string(), z.string()).meta({ ...meta, kind: 'object' });
  },
  /**
   * A value the gateway wants as JSON text: an object or array is encoded, a string must
   * already be valid JSON (a typo is reported here, not turned into a quoted string).
   */
  jsonText(meta: Omit<FieldMeta, 'kind'>) {
    return z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .transform((value, ctx) => {
        if (typeof value !== 'string') {
          const problem = notJson(value);
          if (problem === undefined) return JSON.stringify(value);
          ctx.addIssue({ code: 'custom', message: `can not be encoded as JSON (${problem})` });
          return z.NEVER;
        }
        try {
          JSON.parse(value);
          return value;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be an object, or text that is valid JSON' });
          return z.NEVER;
        }
      })
      .meta({ ...meta, kind: 'object' });
  },
  /** A list of names, from an array or a comma-separated string; with `options`, only those. */
  stringList(meta: Omit<FieldMeta, 'kind'>) {
    const item = meta.options
      ? z.string().refine((v) => meta.options!.includes(v), { message: `must be one of ${meta.options.join(', ')}` })
      : z.string().min(1);
    return z
      .union([z.array(z.string().trim()), z.string().transform((v) => v.split(',').map((part) => part.trim()).filter(Boolean))])
      .pipe(z.array(item).min(1, 'must name at least one'))
      .meta({ ...meta, kind: 'object' });
  },
};

// ---- reading an operation's fields (for the editor catalog, help and node input) ----

export interface FieldDescription extends FieldMeta {
  name: string;
  required: boolean;
  /** The operation's idempotency key: the node generates it when the message has none. */
  generated?: boolean;
}

/** Field metadata sits on the inner type when `.optional()` or `.default()` wraps it. */
function metaOf(type: z.ZodType): Partial<FieldMeta> {
  let current: unknown = type;
  for (let depth = 0; depth < 5 && current; depth++) {
    const meta = (current as z.ZodType).meta() as Partial<FieldMeta> | undefined;
    if (meta) return meta;
    const unwrap = (current as { unwrap?: () => unknown }).unwrap;
    current = typeof unwrap === 'function' ? unwrap.call(current) : undefined;
  }
  return {};
}

export function describeFields(input: z.ZodObject): FieldDescription[] {
  return Object.entries(input.shape).map(([name, schema]) => {
    const type = schema as z.ZodType;
    const meta = metaOf(type);
    return {
      name,
      label: meta.label ?? name,
      kind: meta.kind ?? 'string',
      ...(meta.help ? { help: meta.help } : {}),
      ...(meta.options ? { options: meta.options } : {}),
      payloadKeys: meta.payloadKeys ?? [name],
      required: !type.safeParse(undefined).success,
    };
  });
}

/** Validates raw field values; the error names every bad field and where it can be set. */
export function parseInput<Shape extends z.ZodRawShape>(
  operationLabel: string,
  input: z.ZodObject<Shape>,
  raw: Record<string, unknown>,
): z.infer<z.ZodObject<Shape>> {
  const parsed = input.safeParse(raw);
  if (parsed.success) {
    // Object fields pass extra keys through; one holding a cycle or a BigInt would otherwise
    // throw a bare TypeError while the request body is encoded.
    for (const [field, value] of Object.entries(parsed.data as Record<string, unknown>)) {
      const problem = typeof value === 'object' && value !== null ? notJson(value) : undefined;
      if (problem !== undefined) {
        throwInput(`${operationLabel}: ${field} can not be encoded as JSON (${problem}) (set fields on the node or in msg.payload)`, [
          { code: 'not_json', field, message: `can not be encoded as JSON (${problem})` },
        ]);
      }
    }
    return parsed.data;
  }
  const problems: ErrorDetail[] = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    const missing = issue.code !== 'custom' && issue.path.length === 1 && raw[field] === undefined;
    return {
      code: missing ? 'required' : issue.code,
      field,
      message: missing ? 'is required' : issue.message,
    };
  });
  const text = problems.map((p) => (p.field ? `${p.field} ${p.message}` : p.message)).join('; ');
  return throwInput(`${operationLabel}: ${text} (set fields on the node or in msg.payload)`, problems);
}

function throwInput(message: string, fields: ErrorDetail[]): never {
  throw new InputError(message, fields);
}

/** A list result that is a single page (lists the gateway does not paginate). */
export function singlePage(page: ResultPage): AsyncIterable<ResultPage> {
  return {
    [Symbol.asyncIterator]() {
      let sent = false;
      return {
        next: () => {
          if (sent) return Promise.resolve({ done: true as const, value: undefined });
          sent = true;
          return Promise.resolve({ done: false as const, value: page });
        },
      };
    },
  };
}

export function toMeta(provider: string, resource: string, id: string | null, status: MappedStatus | null): PaywireMeta {
  return {
    provider,
    resource,
    id,
    state: status?.state ?? null,
    reason: status?.reason ?? null,
    final: status?.final ?? null,
  };
}
