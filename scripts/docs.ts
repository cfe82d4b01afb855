/** Regenerates the README's status table from the providers' status tables. */
import fs from 'node:fs';
import path from 'node:path';
import { replaceStatusSection } from './status-readme';

const readmePath = path.resolve(__dirname, '..', '..', 'README.md');
const before = fs.readFileSync(readmePath, 'utf8');
const after = replaceStatusSection(before);
if (after !== before) fs.writeFileSync(readmePath, after);
console.log(after === before ? 'README status table is up to date' : 'README status table updated');
