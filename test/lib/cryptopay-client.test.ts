import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CryptopayClient, cryptopayProvider } from '../../lib/providers/cryptopay';
import { connect } from '../../lib/providers';
import { GatewayError, PaywireError, ResponseFormatError, TransportError } from '../../lib/errors';
import { cryptopayCallbacks } from '../support/fixtures';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { EMU_KEY, EMU_SECRET, startCryptopayEmulator } from '../support/emulator';

describe('CryptopayClient against the emulator', () => {
  let emulator: CryptopayEmulator;
  let client: CryptopayClient;

  beforeEach(async () => {
    emulator = await startCryptopayEmulator();
    client = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET, timeoutMs: 5000 });
  });
  afterEach(async () => {
    await client.close();
    await emulator.stop();
  });

  it('creates, retrieves and retrieves by custom_id, keeping amounts as strings', async () => {
    const created = await client.invoices.create({ price_amount: '100.0', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'c-1' });
    assert.equal(created.status, 'new');
    assert.equal(typeof created.pay_amount, 'string');
    assert.equal((await client.invoices.retrieve(created.id)).id, created.id);
    assert.equal((await client.invoices.retrieveByCustomId('c-1')).id, created.id);
  });

  it('iterates every invoice across pages with starting_after, one page in memory at a time', async () => {
    for (let i = 0; i < 110; i++) await client.invoices.create({ price_amount: String(i + 1), price_currency: 'EUR', pay_currency: 'BTC' });
    const before = emulator.requestCount();
    const ids: string[] = [];
    for await (const invoice of client.invoices.list()) ids.push(invoice.id);
    assert.equal(ids.length, 110);
    assert.equal(new Set(ids).size, 110);
    assert.equal(emulator.requestCount() - before, 3, 'three pages of at most 50');
    const sizes: number[] = [];
    for await (const page of client.invoices.list().pages()) sizes.push(page.items.length);
    assert.deepEqual(sizes, [50, 50, 10]);
    await assert.rejects(client.invoices.list().toArray(100), RangeError);
  });

  it('throws typed gateway errors with status, code, details and request id', async () => {
    await assert.rejects(client.invoices.retrieve('00000000-0000-4000-8000-000000000000'), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.httpStatus, 404);
      assert.equal(err.code, 'not_found');
      assert.match(err.requestId ?? '', /^[0-9a-f]{32}$/);
      return true;
    });
    await assert.rejects(client.invoices.listPage({ starting_after: 'not-a-uuid' }), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.httpStatus, 422);
      assert.deepEqual(err.details.map((d) => [d.code, d.field]), [['must_be_uuid', 'starting_after']]);
      return true;
    });
    await client.invoices.create({ price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'dup' });
    await assert.rejects(client.invoices.create({ price_amount: '1', price_currency: 'EUR', pay_currency: 'BTC', custom_id: 'dup' }), { code: 'duplicate_custom_id', httpStatus: 409 });
  });

  it('is refused (401) with a wrong secret, and the error names neither key nor secret', async () => {
    const wrong = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: 'not-the-secret' });
    try {
      await assert.rejects(wrong.invoices.list().toArray(10), (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.httpStatus, 401);
        assert.equal(err.code, 'unauthenticated');
        assert.doesNotMatch(`${err.message} ${JSON.stringify(err)}`, /not-the-secret|emu-key|HMAC/);
        return true;
      });
    } finally {
      await wrong.close();
    }
  });

  it('is refused when its clock is outside the Date window', async () => {
    const skewed = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET, now: () => new Date(Date.now() - 16 * 60_000) });
    const fine = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET, now: () => new Date(Date.now() - 14 * 60_000) });
    try {
      await assert.rejects(skewed.invoices.listPage(), { httpStatus: 401 });
      assert.ok(Array.isArray((await fine.invoices.listPage()).data));
    } finally {
      await skewed.close();
      await fine.close();
    }
  });

  it('with retries and client-side limiting off, reports 429 past the per-key rate limit as a retryable GatewayError', async () => {
    await client.close();
    await emulator.stop();
    emulator = await startCryptopayEmulator({ rateLimitPerMinute: 3 });
    client = new CryptopayClient({ baseUrl: emulator.url, apiKey: EMU_KEY, apiSecret: EMU_SECRET, reliability: { deadlineMs: 0, rateLimit: 0 } });
    for (let i = 0; i < 3; i++) await client.invoices.listPage();
    await assert.rejects(client.invoices.listPage(), (err: unknown) => err instanceof GatewayError && err.httpStatus === 429 && err.retryable);
  });

  describe('against a misbehaving server', () => {
    let server: http.Server;
    let url: string;
    let behaviour: (res: http.ServerResponse) => void;

    beforeEach(async () => {
      server = http.createServer((_req, res) => behaviour(res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('times out a silent server', async () => {
      behaviour = () => undefined;
      const slow = new CryptopayClient({ baseUrl: url, apiKey: 'k', apiSecret: 's', timeoutMs: 200, reliability: { deadlineMs: 0 } });
      try {
        await assert.rejects(slow.invoices.listPage(), (err: unknown) => err instanceof TransportError && err.code === 'timeout' && err.retryable);
      } finally {
        await slow.close();
      }
    });

    it('rejects truncated JSON (after retrying it, within the deadline) and an unexpected shape with a clear error', async () => {
      const c = new CryptopayClient({ baseUrl: url, apiKey: 'k', apiSecret: 's', reliability: { deadlineMs: 600, rateLimit: 0 } });
      try {
        let answered = 0;
        behaviour = (res) => {
          answered += 1;
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {"id": "x"');
        };
        await assert.rejects(c.invoices.retrieve('x'), ResponseFormatError);
        assert.ok(answered >= 2, `a cut-off answer to a read is asked again (${answered} attempts)`);
        behaviour = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {"id": "x", "status": 7}}');
        await assert.rejects(c.invoices.retrieve('x'), /unexpected shape \(status:/);
      } finally {
        await c.close();
      }
    });

    it('a status nobody documents fails a single create or get loudly (unknown_status) and gives state null on a list row', async () => {
      const invoice: Record<string, unknown> = { ...cryptopayCallbacks().find((f) => f.file === 'ruby-invoice.json')!.json.data, status: 'disputed' };
      const known = { ...invoice, id: 'known-1', status: 'completed' };
      behaviour = (res) => {
        const list = res.req.method === 'GET' && /^\/api\/invoices(\?|$)/.test(res.req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list ? { data: [known, invoice], meta: { total: 2, has_more: false } } : { data: invoice }));
      };
      const gateway = connect(cryptopayProvider, { baseUrl: url, credentials: { apiKey: 'k', apiSecret: 's' }, timeoutMs: 2000, reliability: { rateLimit: 0 } });
      try {
        for (const [operation, input] of [
          ['get', { invoice_id: String(invoice.id) }],
          ['create', { price_amount: '10', price_currency: 'EUR', pay_currency: 'BTC' }],
        ] as const) {
          await assert.rejects(gateway.run('invoice', operation, input, {}), (err: unknown) => {
            assert.ok(err instanceof PaywireError && err.code === 'unknown_status', String(err));
            assert.match(err.message, /cryptopay Invoice: no shared state for status "disputed"\. The gateway answered, and the object exists/);
            return true;
          });
        }
        const listed = await gateway.run('invoice', 'list', {}, {});
        assert.equal(listed.kind, 'list');
        const rows = [];
        if (listed.kind === 'list') for await (const page of listed.pages) rows.push(...page.items);
        assert.deepEqual(rows.map((r) => [r.meta.id, r.meta.state]), [['known-1', 'completed'], [invoice.id, null]]);
      } finally {
        await gateway.close();
      }
    });
  });
});
