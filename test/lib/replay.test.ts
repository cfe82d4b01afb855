import assert from 'node:assert/strict';
import { GatewayError, IdempotencyConflictError } from '../../lib/errors';
import { assertSameRequest, compareReplay, createOrReplay } from '../../lib/replay';
import type { ReplayFields } from '../../lib/replay';

interface Req {
  amount: string;
  currency: string;
  address: string;
  network?: string;
  customer?: string;
}

const FIELDS: ReplayFields<Req, Record<string, unknown>> = [
  { name: 'amount', as: 'decimal', requested: (r) => r.amount, existing: (e) => e.amount },
  { name: 'currency', as: 'code', requested: (r) => r.currency, existing: (e) => e.currency },
  { name: 'address', as: 'address', requested: (r) => r.address, existing: (e) => e.address },
  { name: 'network', as: 'code', requested: (r) => r.network, existing: (e) => e.network, defaulted: true },
  { name: 'customer', as: 'text', requested: (r) => r.customer, existing: (e) => e.customer },
];

const REQUEST: Req = { amount: '100', currency: 'BTC', address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ' };
const SAME = { amount: '100.0', currency: 'btc', address: '2Mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ', network: 'bitcoin', customer: null };

describe('create-or-replay comparison (lib/replay.ts)', () => {
  it('compares decimals as decimals, codes in any case, addresses exactly (0x-hex in any case)', () => {
    assert.deepEqual(compareReplay(FIELDS, REQUEST, SAME), { differences: [], unverifiable: [] });
    const diff = (existing: Record<string, unknown>, request: Req = REQUEST) => compareReplay(FIELDS, request, { ...SAME, ...existing }).differences;
    assert.deepEqual(diff({ amount: '100.00000001' }), [{ field: 'amount', requested: '100', existing: '100.00000001' }]);
    assert.deepEqual(diff({ amount: 100 }), [], 'a number the gateway sends is compared by value');
    assert.deepEqual(diff({ address: '2mz3bcjSVHG8uQJpNjmCxp24VdTjwaqmFcJ' }).map((d) => d.field), ['address'], 'base58 letter case matters');
    const evm = { ...REQUEST, address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' };
    assert.deepEqual(diff({ address: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' }, evm), [], 'an EVM checksum is only letter case');
    assert.deepEqual(diff({ currency: 'ETH' }), [{ field: 'currency', requested: '"BTC"', existing: '"ETH"' }]);
  });

  it('a default the gateway picked is no difference; a customer the request did not ask for is', () => {
    assert.deepEqual(compareReplay(FIELDS, REQUEST, { ...SAME, network: 'bnb_smart_chain' }).differences, [], 'network not requested: the gateway chose it');
    assert.deepEqual(compareReplay(FIELDS, { ...REQUEST, network: 'bitcoin' }, { ...SAME, network: 'bnb_smart_chain' }).differences.map((d) => d.field), ['network']);
    assert.deepEqual(compareReplay(FIELDS, REQUEST, { ...SAME, customer: 'c-1' }).differences, [{ field: 'customer', requested: 'none', existing: '"c-1"' }]);
    assert.deepEqual(compareReplay(FIELDS, { ...REQUEST, customer: 'c-1' }, SAME).differences, [{ field: 'customer', requested: '"c-1"', existing: 'none' }]);
  });

  it('a field the object does not show cannot be checked (unverifiable), unless it is an optional echo', () => {
    const withoutNetwork: Record<string, unknown> = { ...SAME };
    delete withoutNetwork.network;
    assert.deepEqual(compareReplay(FIELDS, { ...REQUEST, network: 'bitcoin' }, withoutNetwork), { differences: [], unverifiable: ['network'] });
    const optional = FIELDS.map((f) => (f.name === 'network' ? { ...f, optionalInAnswer: true } : f));
    assert.deepEqual(compareReplay(optional, { ...REQUEST, network: 'bitcoin' }, withoutNetwork), { differences: [], unverifiable: [] });
  });

  it('throws idempotency_conflict naming every differing field with both values', () => {
    const spec = { provider: 'Gate', keyField: 'custom_id', key: 'k-1', fields: FIELDS, request: REQUEST, describe: () => 'payout p-9' };
    assert.throws(
      () => assertSameRequest(spec, { ...SAME, amount: '50.0', currency: 'LTC' }),
      (err: unknown) =>
        err instanceof IdempotencyConflictError &&
        err.code === 'idempotency_conflict' &&
        err.message ===
          'Gate: custom_id "k-1" already belongs to payout p-9, which differs from this request (amount: this request 100, existing 50.0; currency: this request "BTC", existing "LTC"). ' +
            'Nothing was created or paid again. Send the original details again, or use a new custom_id for a new request.',
    );
    assert.doesNotThrow(() => assertSameRequest(spec, SAME));
  });

  it('createOrReplay: creates; on a taken key returns the same object as replayed, refuses a different one, rethrows anything else', async () => {
    const taken = new GatewayError({ provider: 'Gate', httpStatus: 409, code: 'duplicate', message: 'taken' });
    const base = {
      provider: 'Gate',
      keyField: 'custom_id',
      key: 'k-1',
      fields: FIELDS,
      request: REQUEST,
      describe: () => 'payout p-9',
      keyTaken: (err: unknown) => err === taken,
    };
    assert.deepEqual(await createOrReplay({ ...base, create: () => Promise.resolve(SAME), findExisting: () => Promise.resolve(undefined) }), { value: SAME, replayed: false });
    assert.deepEqual(await createOrReplay({ ...base, create: () => Promise.reject(taken), findExisting: () => Promise.resolve(SAME) }), { value: SAME, replayed: true });
    await assert.rejects(createOrReplay({ ...base, create: () => Promise.reject(taken), findExisting: () => Promise.resolve({ ...SAME, amount: '1' }) }), IdempotencyConflictError);
    await assert.rejects(createOrReplay({ ...base, create: () => Promise.reject(taken), findExisting: () => Promise.resolve(undefined) }), (err) => err === taken);
    const other = new Error('boom');
    await assert.rejects(createOrReplay({ ...base, create: () => Promise.reject(other), findExisting: () => Promise.resolve(SAME) }), (err) => err === other);
  });
});
