import assert from 'node:assert/strict';
import * as paywire from '../../lib';
import { PROVIDERS } from '../../lib/providers';

describe('lib/index (the core entry point)', () => {
  it('exports every registered provider definition, none favoured', () => {
    const exported = new Set<unknown>(Object.values(paywire));
    const missing = Object.values(PROVIDERS).filter((p) => !exported.has(p)).map((p) => p.id);
    assert.deepEqual(missing, []);
    assert.ok(Object.keys(PROVIDERS).length >= 3);
  });
});
