/** JSON text that may not be JSON (error bodies, proxies' HTML pages): the value, or undefined. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
