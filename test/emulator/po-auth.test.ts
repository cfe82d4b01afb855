import assert from 'node:assert/strict';
import { ISO_SECONDS_RE, PO_API_KEY, fails, login, ok, po, usePoEmulator } from './po-helpers';

describe('payment-orders emulator: bearer authentication (reference §2)', () => {
  const fx = usePoEmulator({ tokenTtlSeconds: 600 });

  it('logs in with username and password and answers the token in the success envelope', async () => {
    const res = await po(fx.emu.url, 'POST', '/api/auth/login', { username: 'merchant', password: 'merchant-pass' });
    const data = ok(res);
    assert.match(data.token, /^[0-9a-f]{40}$/);
    assert.equal(data.token_type, 'Bearer');
    assert.equal(data.expires_in, 600);
    assert.equal(data.expires_at, '2024-01-01T10:10:00Z');
    assert.equal(data.username, 'merchant');
    assert.equal((res.json as { timestamp: string }).timestamp, '2024-01-01T10:00:00Z');
    // The documented path has no trailing slash; the slashed form works too.
    ok(await po(fx.emu.url, 'POST', '/api/auth/login/', { username: 'merchant', password: 'merchant-pass' }));
    ok(await po(fx.emu.url, 'GET', '/api/merchant-wallets/', undefined, { token: data.token }));
  });

  it('refuses a wrong password with 401 and missing fields with DRF field errors', async () => {
    const wrong = fails(await po(fx.emu.url, 'POST', '/api/auth/login', { username: 'merchant', password: 'nope' }), 401, 'AUTHENTICATION_ERROR');
    assert.equal(wrong.message, 'Invalid username or password.');
    assert.deepEqual(wrong.details, {});
    const missing = fails(await po(fx.emu.url, 'POST', '/api/auth/login', {}), 400, 'VALIDATION_ERROR');
    assert.equal(missing.message, 'Invalid request data');
    assert.deepEqual(missing.details, { username: ['This field is required.'], password: ['This field is required.'] });
  });

  it('answers 401 without, with a malformed and with an unknown bearer, with WWW-Authenticate', async () => {
    const none = await po(fx.emu.url, 'GET', '/api/payment-orders/');
    assert.equal(fails(none, 401, 'AUTHENTICATION_ERROR').message, 'Authentication credentials were not provided.');
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="api"');
    const basic = await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { headers: { Authorization: 'Basic bWU6cHc=' } });
    assert.equal(fails(basic, 401, 'AUTHENTICATION_ERROR').message, 'Invalid token.');
    const unknown = await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token: 'f'.repeat(40) });
    assert.equal(fails(unknown, 401, 'AUTHENTICATION_ERROR').message, 'Invalid token.');
  });

  it('accepts the dashboard API key directly as a bearer token; it never expires', async () => {
    ok(await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token: PO_API_KEY }));
    fx.clock += 10 * 86_400_000;
    assert.equal(fx.emu.expireTokens(), 0);
    ok(await po(fx.emu.url, 'GET', '/api/payment-orders/', undefined, { token: PO_API_KEY }));
  });

  it('expires login tokens after their lifetime and on demand; a new login works again', async () => {
    const token = await login(fx.emu.url);
    fx.clock += 599_000;
    ok(await po(fx.emu.url, 'GET', '/api/transactions/', undefined, { token }));
    fx.clock += 1_000;
    assert.equal(fails(await po(fx.emu.url, 'GET', '/api/transactions/', undefined, { token }), 401, 'AUTHENTICATION_ERROR').message, 'Token has expired.');

    const second = await login(fx.emu.url);
    const expired = ok(await po(fx.emu.url, 'POST', '/_emulator/tokens/expire'));
    assert.deepEqual(expired, { expired: 1 });
    fails(await po(fx.emu.url, 'GET', '/api/transactions/', undefined, { token: second }), 401, 'AUTHENTICATION_ERROR');
    ok(await po(fx.emu.url, 'GET', '/api/transactions/', undefined, { token: await login(fx.emu.url) }));
    assert.deepEqual(
      fx.emu.requests().map((r) => [r.method, r.path, r.status, r.auth]).slice(-2),
      [
        ['POST', '/api/auth/login', 200, 'none'],
        ['GET', '/api/transactions/', 200, 'token'],
      ],
    );
  });

  it('puts ISO-8601 UTC timestamps with Z on errors too', async () => {
    const res = await po(fx.emu.url, 'GET', '/api/payment-orders/');
    assert.match((res.json as { timestamp: string }).timestamp, ISO_SECONDS_RE);
  });
});
