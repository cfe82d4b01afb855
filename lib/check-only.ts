/**
 * Answer validation without the copy. The provider schemas are loose objects (unknown keys
 * survive a parse) and the clients hand on the gateway's own object, not zod's parsed copy. A
 * loose object's parse still copies every key the schema does not declare, one by one through
 * its catchall, and a recorded invoice has more of those than declared ones: that copy was
 * most of what validating an answer cost (3.8 µs of 4.6 per invoice answer).
 *
 * `checkOnly(schema)` is the same schema with every loose object turned into a plain one,
 * which checks the same declared keys in the same order and ignores the rest. A catchall of
 * `unknown` accepts every value, so both accept and refuse exactly the same inputs with the
 * same issues (test/lib/check-only.test.ts compares them on the recorded answers and on
 * broken ones); only the output differs, and callers of checkOnly never use it. Types it does
 * not know (unions, pipes, records …) are kept as they are: still right, just not faster.
 */
import { z } from 'zod';

const twins = new WeakMap<z.ZodType, z.ZodType>();

/** A schema for `safeParse(...).success` and its issues only: do not use its parsed output. */
export function checkOnly(schema: z.ZodType): z.ZodType {
  let twin = twins.get(schema);
  if (!twin) {
    twin = withoutCopies(schema);
    twins.set(schema, twin);
  }
  return twin;
}

function withoutCopies(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodOptional) return rewrap(schema, { innerType: checkOnly(schema.unwrap() as z.ZodType) });
  if (schema instanceof z.ZodNullable) return rewrap(schema, { innerType: checkOnly(schema.unwrap() as z.ZodType) });
  if (schema instanceof z.ZodArray) return rewrap(schema, { element: checkOnly(schema.element as z.ZodType) });
  if (schema instanceof z.ZodObject) {
    const catchall = schema.def.catchall;
    // Only a catchall that accepts anything can go: `strict` (never) or a typed catchall checks the extra keys.
    if (catchall !== undefined && !(catchall instanceof z.ZodUnknown)) return schema;
    const shape = Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, value]) => [key, checkOnly(value)]));
    return rewrap(schema, { shape, catchall: undefined });
  }
  return schema;
}

/** The same schema (its checks, error messages and other settings) with some parts replaced. */
function rewrap(schema: z.ZodType, parts: Record<string, unknown>): z.ZodType {
  return schema.clone({ ...schema.def, ...parts });
}
