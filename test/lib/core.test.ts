import assert from 'node:assert/strict';
import { checkAmount, decimalsEqual, isDecimalString, normalizeDecimal, plainNumberText } from '../../lib/decimal';
import { buildQuery, segment, withQuery } from '../../lib/http/query';
import { MemoryDedupeStore } from '../../lib/dedupe';
import type { ClaimResult } from '../../lib/dedupe';
import { AutoPager } from '../../lib/pagination';
import type { Page } from '../../lib/pagination';
import { describeFields, parseInput } from '../../lib/operations';
import { GatewayError, InputError } from '../../lib/errors';
import { PROVIDERS, catalog, findOperation, getProvider } from '../../lib/providers';
import { cryptopayOperations } from '../../lib/providers/cryptopay/operations';

describe('decimals', () => {
  it('accepts plain decimal strings only', () => {
    for (const ok of ['0', '100.0', '-1.14763712', '0.00000001']) assert.ok(isDecimalString(ok), ok);
    for (const bad of ['1e-7', '.5', '1.', '', ' 1', '0x10', 1]) assert.ok(!isDecimalString(bad), String(bad));
  });
  it('compares exactly, without floats', () => {
    assert.equal(normalizeDecimal('0100.500'), '100.5');
    assert.equal(normalizeDecimal('-0.0'), '0');
    assert.ok(decimalsEqual('100', '100.000'));
    assert.ok(!decimalsEqual('0.30000000000000004', '0.3'));
    assert.ok(decimalsEqual('100.0', '100'));
    assert.ok(!decimalsEqual('100.00000001', '100'));
  });
  it('writes numbers in plain notation with their significant digits', () => {
    const cases: Array<[number, string, number]> = [
      [1e-7, '0.0000001', 1],
      [1e21, '1000000000000000000000', 1],
      [10.5, '10.5', 3],
      [0.1 + 0.2, '0.30000000000000004', 17],
      [123456789012345, '123456789012345', 15],
      [1.5e-10, '0.00000000015', 2],
      [-2.5e-8, '-0.000000025', 2],
    ];
    for (const [n, text, digits] of cases) assert.deepEqual(plainNumberText(n), { text, significantDigits: digits }, String(n));
  });
  it('checks an amount against a gateway precision: exact text or one clear problem', () => {
    const rule = { maxFractionDigits: 18, positive: true };
    const ok = (v: unknown): string => {
      const c = checkAmount(v, rule);
      assert.ok(c.ok, JSON.stringify(v));
      return c.text;
    };
    assert.equal(ok('10.123456789012345678'), '10.123456789012345678', 'a string is sent exactly');
    assert.equal(ok('100.000000000000000000000'), '100', 'zeros past the precision are dropped, the value kept');
    assert.equal(ok(' 7.50 '), '7.50');
    assert.equal(ok(1e-7), '0.0000001');
    assert.equal(ok(99999999999999.9), '99999999999999.9');
    for (const bad of ['-5.00', -5, '0', 0, -0, '0.000', 0.1 + 0.2, 2 ** 53, '1e-7', '.5', '5.', '1.0000000000000000001', Number.NaN, null, undefined, [], {}]) {
      assert.equal(checkAmount(bad, rule).ok, false, JSON.stringify(bad) ?? 'undefined');
    }
    assert.equal(checkAmount('0', { maxFractionDigits: 2, positive: false }).ok, true, 'zero where the gateway allows it');
    const long = checkAmount('\u0000'.repeat(5000), rule);
    assert.ok(!long.ok && long.problem.length < 200, 'a huge value is shown shortened');
  });
});

describe('query strings', () => {
  it('encodes once, skips empty values, keeps order', () => {
    assert.equal(buildQuery({ a: 'x y', b: undefined, c: '', d: '2019-11-10T16:56:19+00:00' }), 'a=x%20y&d=2019-11-10T16%3A56%3A19%2B00%3A00');
    assert.equal(withQuery('/api/invoices', {}), '/api/invoices');
    assert.equal(segment('a/b?c'), 'a%2Fb%3Fc');
  });
});

describe('MemoryDedupeStore', () => {
  const ttl = { inflightMs: 100, doneMs: 1000 };
  const tokenOf = (claim: ClaimResult): string => {
    assert.equal(claim.state, 'claimed');
    return (claim as { token: string }).token;
  };

  it('claims in flight, then done by compare-and-set; a stale token changes nothing', async () => {
    let now = 1000;
    const store = new MemoryDedupeStore({ maxEntries: 10, now: () => now, ttl });
    const first = tokenOf(await store.claim('a'));
    assert.deepEqual(await store.claim('a'), { state: 'inflight' });
    now += 101; // the first claimant never finished: its claim lapses
    const second = tokenOf(await store.claim('a'));
    assert.equal(await store.markDone('a', first), false, 'a lapsed claim cannot become done');
    await store.release('a', first);
    assert.deepEqual(await store.claim('a'), { state: 'inflight' }, 'nor free the claim made since');
    assert.equal(await store.markDone('a', second), true);
    assert.deepEqual(await store.claim('a'), { state: 'done' });
    await store.release('a', second);
    assert.deepEqual(await store.claim('a'), { state: 'done' }, 'release never frees a done claim');
    now += 1001;
    tokenOf(await store.claim('a'));
  });

  it('release frees an in-flight claim for the next attempt', async () => {
    const store = new MemoryDedupeStore({ ttl });
    const token = tokenOf(await store.claim('a'));
    await store.release('a', token);
    tokenOf(await store.claim('a'));
  });

  it('stays bounded', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 5 });
    for (let i = 0; i < 20; i++) {
      const claim = await store.claim(`k${i}`);
      if (i % 2) await store.markDone(`k${i}`, tokenOf(claim));
    }
    assert.equal(store.size, 5);
  });

  it('at the cap forgets the oldest live claim, skipping released ones', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 3 });
    const a = tokenOf(await store.claim('a'));
    await store.claim('b');
    await store.claim('c');
    await store.release('a', a); // a is free again: b is now the oldest
    tokenOf(await store.claim('a'));
    tokenOf(await store.claim('d')); // evicts b, the oldest live claim
    assert.equal(store.size, 3);
    tokenOf(await store.claim('b'));
    for (const key of ['a', 'd', 'b']) assert.equal((await store.claim(key)).state, 'inflight', `${key} still held`);
  });

  it('keeps released and finished claims from piling up', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 10 });
    for (let i = 0; i < 1000; i++) await store.release(`k${i}`, tokenOf(await store.claim(`k${i}`)));
    assert.equal(store.size, 0);
    for (let i = 0; i < 1000; i++) await store.markDone(`d${i}`, tokenOf(await store.claim(`d${i}`)));
    assert.equal(store.size, 10);
    const order = (store as unknown as { order: { length: number } }).order;
    assert.ok(order.length <= 21, `${order.length} stale entries kept`);
  });

  // Found by the callback bench: at the cap, each claim walked every hole the Map's deletions had
  // left at its front (0.9 µs per claim at first, 200 µs after 300,000 callbacks).
  it('claims in constant time at the cap, however many callbacks came before', async () => {
    const store = new MemoryDedupeStore({ maxEntries: 20_000 });
    let next = 0;
    const round = async (): Promise<number> => {
      const started = process.hrtime.bigint();
      for (const end = next + 5_000; next < end; next++) await store.claim(`cryptopay:invoice:${next}`);
      return Number(process.hrtime.bigint() - started);
    };
    // The fastest of several short rounds on each side, so one GC pause or a busy CI neighbour
    // cannot decide the result; the old code was over 20x slower after this many claims.
    const fastest = async (rounds: number): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < rounds; i++) best = Math.min(best, await round());
      return best;
    };
    for (let i = 0; i < 4; i++) await round(); // fills the store to its cap
    const first = await fastest(4);
    while (next < 120_000) await round();
    const last = await fastest(4);
    assert.equal(store.size, 20_000);
    assert.ok(last < first * 5, `5,000 claims after ${next - 20_000} took ${(last / first).toFixed(1)}× the first 5,000 at the cap`);
  });
});

describe('AutoPager', () => {
  it('stops on an empty page even if it claims more', async () => {
    let calls = 0;
    const pager = new AutoPager<number>(() => {
      calls++;
      return Promise.resolve({ items: calls === 1 ? [1, 2] : [], hasMore: true });
    });
    const all: number[] = [];
    for await (const n of pager) all.push(n);
    assert.deepEqual(all, [1, 2]);
    assert.equal(calls, 2);
  });

  /** A gateway of `total` pages whose answers the test releases one at a time. */
  function manualGateway(total: number, failAt?: number) {
    const requested: number[] = [];
    const answers: Array<() => void> = [];
    const pager = new AutoPager<number>((previous: Page<number> | undefined) => {
      const n = previous === undefined ? 1 : previous.items[0]! + 1;
      requested.push(n);
      return new Promise<Page<number>>((resolve, reject) => {
        answers.push(() => (n === failAt ? reject(new Error(`page ${n} failed`)) : resolve({ items: [n], hasMore: n < total })));
      });
    });
    const answerNext = async (): Promise<void> => {
      answers.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { pager, requested, answerNext };
  }

  it('fetches the next page while the caller handles one, holding at most two', async () => {
    const { pager, requested, answerNext } = manualGateway(10);
    const pages = pager.pages();
    const first = pages.next();
    assert.deepEqual(requested, [1]);
    await answerNext();
    assert.equal((await first).value!.items[0], 1);
    assert.deepEqual(requested, [1, 2], 'page 2 is on its way while the caller has page 1');
    await answerNext();
    assert.deepEqual(requested, [1, 2], 'no third page until the caller takes the second');
    assert.equal((await pages.next()).value!.items[0], 2);
    assert.deepEqual(requested, [1, 2, 3]);
    await pages.return(undefined);
  });

  it('throws a failed page when the caller reaches it, after the pages before it, and requests nothing after it', async () => {
    const { pager, requested, answerNext } = manualGateway(10, 3);
    const pages = pager.pages();
    const first = pages.next();
    await answerNext();
    assert.equal((await first).value!.items[0], 1);
    await answerNext();
    assert.equal((await pages.next()).value!.items[0], 2);
    await answerNext(); // page 3 fails while the caller still holds page 2
    await assert.rejects(pages.next(), /page 3 failed/);
    assert.deepEqual(requested, [1, 2, 3]);
  });

  it('a caller that stops early leaves at most one request unanswered, and no unhandled rejection', async () => {
    const { pager, requested, answerNext } = manualGateway(10, 2);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const seen: number[] = [];
      const reading = (async () => {
        for await (const n of pager) {
          seen.push(n);
          break;
        }
      })();
      await answerNext();
      await reading;
      assert.deepEqual(seen, [1]);
      await answerNext(); // page 2 fails after the caller left
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(unhandled, []);
      assert.deepEqual(requested, [1, 2]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('provider and operation lookups', () => {
  it('find only their own entries: names of Object.prototype members are unknown, not a crash', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(getProvider(name), undefined, name);
      for (const provider of Object.values(PROVIDERS)) assert.equal(findOperation(provider, name, 'create'), undefined, `${provider.id} ${name}`);
    }
    assert.equal(findOperation(PROVIDERS.cryptopay!, 'invoice', 'create')?.name, 'create');
  });
});

describe('operation inputs', () => {
  const create = cryptopayOperations.invoice!.find((o) => o.name === 'create')!;
  const get = cryptopayOperations.invoice!.find((o) => o.name === 'get')!;

  it('describe their fields for the editor, with labels and payload keys through optional()', () => {
    const fields = describeFields(create.input);
    const price = fields.find((f) => f.name === 'price_amount')!;
    assert.deepEqual([price.kind, price.required, price.label], ['decimal', true, 'Price amount']);
    const custom = fields.find((f) => f.name === 'custom_id')!;
    assert.deepEqual([custom.required, custom.label], [false, 'Custom id']);
    const id = describeFields(get.input).find((f) => f.name === 'invoice_id')!;
    assert.deepEqual(id.payloadKeys, ['invoice_id', 'id']);
  });

  it('accept numbers for amounts in plain notation, but not ones a double does not hold exactly', () => {
    const amount = (value: unknown): string => (parseInput('Create invoice', create.input, { price_amount: value, price_currency: 'EUR', pay_currency: 'BTC' }) as { price_amount: string }).price_amount;
    assert.equal(amount(12.5), '12.5');
    assert.equal(amount(1e-9), '0.000000001', 'exponent form becomes plain decimal notation');
    assert.throws(() => amount(0.1 + 0.2), /price_amount 0\.30000000000000004 has 17 significant digits/);
  });

  it('name every bad field in one message', () => {
    assert.throws(
      () => parseInput('Create invoice', create.input, { price_amount: 'ten', metadata: { a: 1 } }),
      (err: unknown) =>
        err instanceof InputError &&
        /price_amount "ten" is not a decimal amount/.test(err.message) &&
        /price_currency is required/.test(err.message) &&
        /metadata/.test(err.message) &&
        err.fields.length === 4,
    );
  });

  it('make get need an id or a custom_id', () => {
    assert.throws(() => parseInput('Get invoice', get.input, {}), /needs invoice_id/);
  });

  it('catalog lists the Cryptopay invoice operations without secrets', () => {
    const c = catalog();
    assert.deepEqual(
      c.providers[0]!.resources.invoice!.map((o) => o.name),
      ['create', 'get', 'list', 'refund', 'list-refunds', 'recalculate', 'commit-recalculation'],
    );
    assert.deepEqual(c.providers[0]!.credentials.map((x) => x.name), ['apiKey', 'apiSecret', 'callbackSecret']);
  });

  it('catalog marks a payout custom_id as generated, not required, and nothing else', () => {
    const withdraw = catalog().providers[0]!.resources.withdrawal!.find((o) => o.name === 'create')!;
    const customId = withdraw.fields.find((f) => f.name === 'custom_id')!;
    assert.equal(customId.generated, true);
    assert.equal(customId.required, false);
    assert.ok(withdraw.fields.filter((f) => f.generated).length === 1);
    assert.equal(withdraw.fields.find((f) => f.name === 'address')!.required, true);
  });
});

describe('query and path encoding of broken unicode (found by fuzzing)', () => {
  it('an unpaired surrogate is an InputError naming the field, not a bare URIError', () => {
    assert.throws(() => buildQuery({ customer_id: 'ab\uD800' }), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /"customer_id" contains broken unicode text \(an unpaired UTF-16 surrogate\)/);
      assert.equal(err.fields[0]?.field, 'customer_id');
      return true;
    });
    assert.throws(() => segment('\uDFFF'), /a value in the request path contains broken unicode text/);
    assert.equal(segment('💸/ä'), '%F0%9F%92%B8%2F%C3%A4', 'paired surrogates still encode');
  });
});

describe('GatewayError message length (found by fuzzing)', () => {
  it('clips text the gateway echoed back from a huge field, keeps the details whole', () => {
    const huge = 'x'.repeat(1_000_000);
    const err = new GatewayError({
      provider: 'CryptoPay payment orders',
      httpStatus: 400,
      code: 'validation_error',
      message: `Invalid request data ${huge}`,
      details: [{ code: 'invalid', field: 'blockchain', message: `"${huge}" is not a valid choice` }],
    });
    assert.ok(err.message.length < 800, `${err.message.length} characters`);
    assert.match(err.message, /^CryptoPay payment orders rejected the request: 400 validation_error - Invalid request data x+… \(1000021 characters\): blockchain "x+… \(1000035 characters\)$/);
    assert.equal(err.details[0]!.message.length, huge.length + 24, "the details keep the whole text");
  });
});

describe('input that JSON can not encode (found by fuzzing)', () => {
  const op = (provider: string, resource: string, name: string) => PROVIDERS[provider]!.operations[resource]!.find((o) => o.name === name)!;
  const cycle: Record<string, unknown> = { product: 'cycle' };
  cycle.self = cycle;

  it('a JSON-text field holding a cycle or a BigInt is an InputError naming it, not a TypeError', () => {
    const create = op('payment-orders', 'invoice', 'create');
    for (const order_info of [cycle, { n: 10n }]) {
      assert.throws(() => parseInput(create.label, create.input, { amount: '25.00', currency: 'USDC', blockchain: 'base', order_info }), (err: unknown) => {
        assert.ok(err instanceof InputError, String(err));
        assert.match(err.message, /order_info can not be encoded as JSON \((Converting circular structure to JSON|Do not know how to serialize a BigInt)\)/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    }
  });

  it('an object field whose extra keys hold a cycle is refused before anything is sent', () => {
    const create = op('cryptopay', 'withdrawal', 'create');
    const input = { address: '2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm', charged_currency: 'BTC', received_currency: 'BTC', charged_amount: '0.01', custom_id: 'fuzz-1', travel_rule_compliant: true, beneficiary: cycle };
    assert.throws(() => parseInput(create.label, create.input, input), (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.equal(err.fields[0]?.field, 'beneficiary');
      assert.equal(err.fields[0]?.code, 'not_json');
      return true;
    });
  });
});
