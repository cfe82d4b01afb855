import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths';

export type FlowJson = Array<{ id: string; type: string; z?: string; wires?: string[][]; [key: string]: unknown }>;

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

export function listExamples(): Array<{ file: string; flow: FlowJson }> {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, flow: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as FlowJson }));
}

export function readExample(name: string): FlowJson {
  const found = listExamples().find((e) => e.file.includes(name));
  if (!found) throw new Error(`no example named like ${name}`);
  return found.flow;
}

/**
 * Points an example's gateway and emulator-control URLs at another emulator; `from` is the
 * default address the example uses (Cryptopay's 4010, CPG's 4020).
 */
export function retarget(flow: FlowJson, emulatorUrl: string, from = 'http://127.0.0.1:4010'): FlowJson {
  const text = JSON.stringify(flow).split(from).join(emulatorUrl);
  return JSON.parse(text) as FlowJson;
}
