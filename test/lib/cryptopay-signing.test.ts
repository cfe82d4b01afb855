import assert from 'node:assert/strict';
import { bodyMd5, signature, stringToSign, authorizationHeader } from '../../lib/providers/cryptopay/signing';
import { callbackSignature } from '../../lib/providers/cryptopay/callbacks';

// Reference §3.2: secret, date and content type shared by every vector.
const SECRET = 'Oe8TBDzg4tatdq2cL9ojeEj3U3oWSCSC5fqOHAqaKVg';
const DATE = 'Tue, 25 Sep 2018 17:41:40 GMT';
const CT = 'application/json';

const vectors: Array<{ method: string; target: string; body?: string; md5: string; sig: string }> = [
  { method: 'GET', target: '/api/invoices', md5: '', sig: 'YwlljI1OeHbCQunyCENT/xmc1fI=' },
  {
    method: 'GET',
    target: '/api/invoices?customer_id=CUSTOMER-123&starting_after=e177d55b-96cd-472f-be3c-e9b43f4345e2',
    md5: '',
    sig: 'Mi1oQXLMpYqYMqzy75B1u3yiiJM=',
  },
  { method: 'GET', target: '/api/rates/BTC/EUR', md5: '', sig: 'Ssz5y0bsG97tci7nq9Kkm6FaZEw=' },
  {
    method: 'POST',
    target: '/api/coin_withdrawals/ef329f6f-c8b1-49d1-be07-a83ce60252b9/commit',
    md5: '',
    sig: 'OYjoO4bcP4YqmZe0ixzDZNjF3Mc=',
  },
  {
    method: 'POST',
    target: '/api/invoices',
    body: '{"price_amount":"100","price_currency":"EUR","pay_currency":"BTC"}',
    md5: 'c3194269dfdb76d62f7d10ac912a609c',
    sig: 'AuEyodOYd570+kY1HpYbpQNF3Yc=',
  },
  {
    method: 'PATCH',
    target: '/api/channels/15d0bb11-1e9f-4295-bec5-abd9d5a906a1',
    body: '{"status":"disabled"}',
    md5: '07767cc140e70dba07213fff4eea4c94',
    sig: 'PEbCCio+5lkT0UpjhgdsN4ngo/A=',
  },
];

describe('Cryptopay request signing (reference §3.2 vectors)', () => {
  for (const v of vectors) {
    it(`${v.method} ${v.target}`, () => {
      const body = v.body === undefined ? undefined : Buffer.from(v.body);
      const req = { method: v.method, target: v.target, body, contentType: CT, date: DATE };
      assert.equal(bodyMd5(body), v.md5);
      assert.equal(signature(SECRET, req), v.sig);
      assert.equal(authorizationHeader('KEY', SECRET, req), `HMAC KEY:${v.sig}`);
    });
  }

  it('uses an empty MD5 field for an empty body, never the MD5 of ""', () => {
    assert.equal(bodyMd5(Buffer.alloc(0)), '');
    assert.equal(stringToSign({ method: 'post', target: '/x', contentType: CT, date: DATE }), `POST\n\n${CT}\n${DATE}\n/x`);
  });

  it('signs the query string as part of the request-target', () => {
    const base = { method: 'GET', contentType: CT, date: DATE };
    assert.notEqual(signature(SECRET, { ...base, target: '/api/invoices' }), signature(SECRET, { ...base, target: '/api/invoices?customer_id=A' }));
  });
});

describe('Cryptopay callback signature (reference §7.1 vector)', () => {
  it('is the hex HMAC-SHA256 of the raw body', () => {
    const body = Buffer.from(
      '{"type":"Subscription","event":"paid","data":{"id":"de37fb63-986b-4f83-bf9f-612734316fdc","status":"active"}}',
    );
    assert.equal(callbackSignature(SECRET, body), '831e1e97b4ee3bd63c44d17159a234f51b21246652631339bf604c1a541ff0c9');
  });
});
