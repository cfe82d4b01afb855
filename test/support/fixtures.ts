import fs from 'node:fs';
import path from 'node:path';
import { CRYPTOPAY_FIXTURES } from './paths';

export interface Recording {
  source: string;
  name: string;
  method: string;
  uri: string;
  requestDate: string | null;
  requestBody: string | null;
  status: number;
  responseBody: string;
}

export function cryptopayRecordings(): Recording[] {
  const dir = path.join(CRYPTOPAY_FIXTURES, 'recorded');
  return fs.readdirSync(dir).flatMap((file) => {
    const list = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Omit<Recording, 'source'>[];
    return list.map((r) => ({ ...r, source: file }));
  });
}

export function cryptopayCallbacks(): Array<{ file: string; body: Buffer; json: { type: string; event: string; data: Record<string, unknown> } }> {
  const dir = path.join(CRYPTOPAY_FIXTURES, 'callbacks');
  return fs.readdirSync(dir).map((file) => {
    const body = fs.readFileSync(path.join(dir, file));
    return { file, body, json: JSON.parse(body.toString('utf8')) as { type: string; event: string; data: Record<string, unknown> } };
  });
}
