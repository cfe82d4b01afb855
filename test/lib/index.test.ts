import assert from 'node:assert/strict';
import * as paywire from '../../lib';
import { DEFAULT_DEDUPE_TTL } from '../../lib/dedupe';
import { PROVIDERS, catalog, getProvider, registerProvider, registryRevision } from '../../lib/providers';
import { tollgateProvider } from '../support/tollgate';

describe('lib/index (the core entry point)', () => {
  it('exports every registered provider definition, none favoured', () => {
    const exported = new Set<unknown>(Object.values(paywire));
    const missing = Object.values(PROVIDERS).filter((p) => !exported.has(p)).map((p) => p.id);
    assert.deepEqual(missing, []);
    assert.ok(Object.keys(PROVIDERS).length >= 3);
  });
});

describe('provider registry', () => {
  it('one registerProvider() line adds a provider to the catalog; the returned function takes it out', () => {
    const before = registryRevision();
    const unregister = registerProvider(tollgateProvider);
    try {
      assert.equal(getProvider('tollgate'), tollgateProvider);
      assert.deepEqual(catalog().providers.map((p) => p.id).slice(-1), ['tollgate']);
      assert.notEqual(registryRevision(), before, 'a catalog cache can tell the providers changed');
      assert.throws(() => registerProvider(tollgateProvider), /registered already/);
    } finally {
      unregister();
    }
    assert.equal(getProvider('tollgate'), undefined);
    assert.equal(catalog().defaultProvider, Object.keys(PROVIDERS)[0]);
  });
});

describe('callback retry windows', () => {
  it('every provider that states one is outlasted by the duplicate memory, so a late retry is still known', () => {
    for (const provider of Object.values(PROVIDERS)) {
      if (provider.callbackRetryWindowMs === null) continue;
      assert.ok(provider.callbackRetryWindowMs < DEFAULT_DEDUPE_TTL.doneMs, `${provider.id} retries for ${provider.callbackRetryWindowMs} ms`);
    }
  });
});
