/**
 * The example flows as files, and the loopback addresses they are written for: the ports of
 * `npm run emulator` and of the demo's Node-RED. The demo and the tests move them to the
 * ports they actually run on.
 */
import fs from 'node:fs';
import path from 'node:path';

export const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

/** Ports the example files name: the editor (for webhook URLs) and one emulator per gateway. */
export const EXAMPLE_PORTS = { editor: 1880, cryptopay: 4010, cpg: 4020, paymentOrders: 4030 } as const;
export type PortName = keyof typeof EXAMPLE_PORTS;
export type Ports = Record<PortName, number>;

export function exampleFiles(): string[] {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** The text of the example whose file name starts with `prefix` and a space, e.g. "03". */
export function readExampleText(prefix: string): string {
  const file = exampleFiles().find((f) => f.startsWith(`${prefix} `));
  if (!file) throw new Error(`no example ${prefix}`);
  return fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
}

/**
 * Points every http://127.0.0.1:<port> of `from` at the same role's port in `to`, in one pass
 * (so 4010 → 4020 and 4020 → 4030 do not chain). Other addresses are left alone.
 */
export function retargetUrls(text: string, from: Ports, to: Ports): string {
  const moved = new Map<string, number>();
  for (const name of Object.keys(EXAMPLE_PORTS) as PortName[]) moved.set(String(from[name]), to[name]);
  return text.replace(/http:\/\/127\.0\.0\.1:(\d+)/g, (url, port: string) => (moved.has(port) ? `http://127.0.0.1:${moved.get(port)}` : url));
}
