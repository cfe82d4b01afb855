/** Flattens a Node-RED message catalog to "a.b.c" → text. */
export function messages(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(prefix, value);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) for (const [k, v] of messages(child, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  }
  return out;
}
