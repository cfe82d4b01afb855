import assert from 'node:assert/strict';
import { bodyMd5, expectedSignature, parseDateHeader, verifyRequest } from '../../emulator/cryptopay/auth';
import { callbackSignature, retryDelaySeconds } from '../../emulator/cryptopay/callbacks';
import { testSign } from './helpers';

// Reference §3.2 (request signing) and §7.1 (callback signature) test vectors.
const SECRET = 'Oe8TBDzg4tatdq2cL9ojeEj3U3oWSCSC5fqOHAqaKVg';
const DATE = 'Tue, 25 Sep 2018 17:41:40 GMT';
const VECTORS: Array<{ method: string; target: string; body: string; md5: string; signature: string }> = [
  { method: 'GET', target: '/api/invoices', body: '', md5: '', signature: 'YwlljI1OeHbCQunyCENT/xmc1fI=' },
  {
    method: 'GET',
    target: '/api/invoices?customer_id=CUSTOMER-123&starting_after=e177d55b-96cd-472f-be3c-e9b43f4345e2',
    body: '',
    md5: '',
    signature: 'Mi1oQXLMpYqYMqzy75B1u3yiiJM=',
  },
  { method: 'GET', target: '/api/rates/BTC/EUR', body: '', md5: '', signature: 'Ssz5y0bsG97tci7nq9Kkm6FaZEw=' },
  { method: 'POST', target: '/api/coin_withdrawals/ef329f6f-c8b1-49d1-be07-a83ce60252b9/commit', body: '', md5: '', signature: 'OYjoO4bcP4YqmZe0ixzDZNjF3Mc=' },
  {
    method: 'POST',
    target: '/api/invoices',
    body: '{"price_amount":"100","price_currency":"EUR","pay_currency":"BTC"}',
    md5: 'c3194269dfdb76d62f7d10ac912a609c',
    signature: 'AuEyodOYd570+kY1HpYbpQNF3Yc=',
  },
  {
    method: 'PATCH',
    target: '/api/channels/15d0bb11-1e9f-4295-bec5-abd9d5a906a1',
    body: '{"status":"disabled"}',
    md5: '07767cc140e70dba07213fff4eea4c94',
    signature: 'PEbCCio+5lkT0UpjhgdsN4ngo/A=',
  },
];

describe('emulator auth module', () => {
  describe('§3.2 request-signing vectors', () => {
    for (const v of VECTORS) {
      it(`${v.method} ${v.target}`, () => {
        const body = Buffer.from(v.body, 'utf8');
        assert.equal(bodyMd5(body), v.md5);
        assert.equal(expectedSignature(SECRET, v.method, body, 'application/json', DATE, v.target), v.signature);
        // the test-side signer agrees too (it is what the HTTP tests use)
        assert.equal(testSign(SECRET, v.method, v.target, v.body, 'application/json', DATE), v.signature);
      });
    }
  });

  it('§7.1 callback signature vector', () => {
    const body = '{"type":"Subscription","event":"paid","data":{"id":"de37fb63-986b-4f83-bf9f-612734316fdc","status":"active"}}';
    assert.equal(callbackSignature(SECRET, body), '831e1e97b4ee3bd63c44d17159a234f51b21246652631339bf604c1a541ff0c9');
  });

  it('never hashes an empty body (no d41d8cd9…)', () => {
    assert.equal(bodyMd5(Buffer.alloc(0)), '');
  });

  it('parses every accepted Date format to the same instant', () => {
    const expected = Date.UTC(2021, 9, 14, 10, 51, 56);
    for (const text of [
      'Thu, 14 Oct 2021 10:51:56 GMT', // RFC 1123 (Ruby httpdate, Node toUTCString)
      'Thu, 14 Oct 2021 10:51:56 +0000', // RFC 2822 (PHP DATE_RFC2822)
      '2021-10-14T10:51:56+00:00', // ISO 8601 (official sample, hyperswitch)
      '2021-10-14T10:51:56Z',
      '2021-10-14T12:51:56+02:00',
    ]) {
      assert.equal(parseDateHeader(text), expected, text);
    }
    // Java RFC_1123_DATE_TIME: non-padded day
    assert.equal(parseDateHeader('Thu, 6 Jan 2022 12:09:25 GMT'), Date.UTC(2022, 0, 6, 12, 9, 25));
    for (const bad of ['', 'yesterday', '14 Oct 2021', 'Xyz, 14 Oct 2021 10:51:56 GMT', '2021-02-31T10:00:00Z', '1634208716']) {
      assert.equal(parseDateHeader(bad), null, bad);
    }
  });

  it('verifyRequest: raw target, decoded target, stale date and wrong key', () => {
    const credentials = new Map([['k', SECRET]]);
    const now = Date.UTC(2018, 8, 25, 17, 41, 40);
    const base = { method: 'GET', body: Buffer.alloc(0), contentType: 'application/json', date: DATE, credentials, nowMs: now, dateWindowSeconds: 900 };
    const target = '/api/transactions?created_at_from=2019-11-10T16%3A56%3A19Z';
    const sign = (t: string): string => `HMAC k:${testSign(SECRET, 'GET', t, '', 'application/json', DATE)}`;
    assert.deepEqual(verifyRequest({ ...base, target, authorization: sign(target) }), { ok: true, apiKey: 'k', matchedTarget: 'raw' });
    // Java SDK signs the decoded query
    assert.deepEqual(verifyRequest({ ...base, target, authorization: sign('/api/transactions?created_at_from=2019-11-10T16:56:19Z') }), {
      ok: true,
      apiKey: 'k',
      matchedTarget: 'decoded',
    });
    assert.deepEqual(verifyRequest({ ...base, target, authorization: sign(target), nowMs: now + 901_000 }), { ok: false, reason: 'stale_date' });
    assert.deepEqual(verifyRequest({ ...base, target, authorization: sign(target), nowMs: now - 901_000 }), { ok: false, reason: 'stale_date' });
    assert.equal(verifyRequest({ ...base, target, authorization: sign(target), nowMs: now + 899_000 }).ok, true);
    assert.deepEqual(verifyRequest({ ...base, target, authorization: sign(target).replace('HMAC k:', 'HMAC other:') }), { ok: false, reason: 'unknown_key' });
    assert.deepEqual(verifyRequest({ ...base, target, authorization: 'Bearer abc' }), { ok: false, reason: 'malformed_authorization' });
    assert.deepEqual(verifyRequest({ ...base, target, authorization: undefined }), { ok: false, reason: 'missing_authorization' });
  });

  it('retry delays follow 30 + n^4 + n (documented table)', () => {
    const table = [30, 32, 48, 114, 290, 660, 1332, 2438, 4134, 6600, 10040, 14682, 20778, 28604, 38460, 50670, 65582, 83568, 105024, 130370];
    assert.deepEqual(
      Array.from({ length: 20 }, (_, n) => retryDelaySeconds(n)),
      table,
    );
    assert.equal(table[19], 36 * 3600 + 12 * 60 + 50); // "1d 12:12:50"
  });
});
