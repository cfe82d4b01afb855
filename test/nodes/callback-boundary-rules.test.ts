/**
 * The decisions behind the callback's HTTP boundary, on real Express apps arranged as
 * Node-RED's red.js arranges them: which paths belong to the admin app, when the fast path is
 * the same as Node-RED's own route, which probe targets are refused, and how refusals are summed up.
 */
import assert from 'node:assert/strict';
import express from 'express';
import { shadowedAdminPath } from '../../nodes/shared/admin-paths';
import { httpNodeRules } from '../../nodes/shared/http-node-rules';
import { forbiddenTarget, isForbiddenAddress } from '../../nodes/shared/probe-target';
import { refusalReport } from '../../nodes/shared/refusal-report';
import { guardCallbackPath } from '../../nodes/shared/raw-body';
import type { ExpressApp } from '../../nodes/shared/red';

/** root ← admin (editor-api app ← runtime app for node routes), root ← node app, as red.js mounts them. */
function nodeRedApps(adminRoot: string, nodeRoot: string, beforeNodes?: express.RequestHandler) {
  const root = express();
  const editorApi = express();
  const runtimeAdmin = express();
  runtimeAdmin.get('/inject-like/:id', (_req, res) => res.end());
  editorApi.use(runtimeAdmin);
  root.use(adminRoot, editorApi);
  if (beforeNodes) root.use(nodeRoot, beforeNodes);
  const httpNode = express();
  root.use(nodeRoot, httpNode);
  return { root, httpAdmin: runtimeAdmin as unknown as ExpressApp, httpNode: httpNode as unknown as ExpressApp };
}

describe('callback boundary rules', () => {
  it('finds the admin path a callback would shadow, for every arrangement of the two roots', () => {
    const { httpAdmin } = nodeRedApps('/', '/');
    const table: Array<[unknown, string, string | undefined]> = [
      ['/', '/flows', '/flows'],
      ['/', '/Flows/state', '/flows/state'],
      ['/', '/', '/'],
      ['/', '/red/main.js', '/red/main.js'],
      ['/', '/inject-like/abc', '/inject-like/abc'],
      ['/', '/paywire/callback', undefined],
      ['/', '/flowsx', undefined],
      // httpNodeRoot /api inside httpAdminRoot /: a callback at /flows is /api/flows, clear of the admin.
      ['/', '/api/flows', undefined],
      // httpAdminRoot /admin inside httpNodeRoot /.
      ['/admin', '/admin/flows', '/admin/flows'],
      ['/admin', '/admin', '/admin'],
      ['/admin/', '/admin/settings', '/admin/settings'],
      ['/admin', '/flows', undefined],
      ['/admin', '/administrator/flows', undefined],
      [false, '/flows', undefined],
    ];
    for (const [adminRoot, fullPath, expected] of table) {
      assert.equal(shadowedAdminPath({ httpAdminRoot: adminRoot }, httpAdmin, fullPath), expected, `${String(adminRoot)} ${fullPath}`);
    }
  });

  it('takes the fast path only when nothing would run before the node routes', () => {
    const plain = nodeRedApps('/', '/');
    assert.equal(httpNodeRules({}, plain.httpNode, plain.httpAdmin, '/pw/cb').routedBecause, undefined);
    // The guard itself, hoisted to the top of the root app, does not count.
    const stop = guardCallbackPath(plain.httpNode, '/pw/cb', {});
    assert.equal(httpNodeRules({}, plain.httpNode, plain.httpAdmin, '/pw/cb').routedBecause, undefined);
    stop();
    const gate: express.RequestHandler = (_req, _res, next) => next();
    assert.equal(httpNodeRules({ httpNodeMiddleware: gate }, plain.httpNode, plain.httpAdmin, '/pw/cb').routedBecause, 'httpNodeMiddleware');
    assert.equal(httpNodeRules({ httpNodeMiddleware: [gate, [gate]] }, plain.httpNode, plain.httpAdmin, '/pw/cb').middleware.length, 2);
    assert.equal(httpNodeRules({ httpNodeMiddleware: 'not a function' }, plain.httpNode, plain.httpAdmin, '/pw/cb').routedBecause, undefined);
    assert.equal(httpNodeRules({ httpNodeAuth: { user: 'a', pass: 'b' } }, plain.httpNode, plain.httpAdmin, '/pw/cb').routedBecause, 'httpNodeAuth');
    assert.equal(httpNodeRules({ httpAuth: { user: 'a', pass: 'b' } }, plain.httpNode, plain.httpAdmin, '/pw/cb').routedBecause, 'httpNodeAuth');
    // httpAdminAuth at a shared root, or an embedding app's own middleware, runs before the node routes.
    const guarded = nodeRedApps('/', '/', function adminBasicAuth(_req, _res, next) {
      next();
    });
    assert.match(httpNodeRules({}, guarded.httpNode, guarded.httpAdmin, '/pw/cb').routedBecause ?? '', /adminBasicAuth/);
    // ... but not when it is mounted where the callback is not.
    const elsewhere = nodeRedApps('/admin', '/hooks');
    assert.equal(httpNodeRules({}, elsewhere.httpNode, elsewhere.httpAdmin, '/hooks/pw/cb').routedBecause, undefined);
  });

  it('refuses link-local and metadata probe targets, by address and by what a name resolves to', async () => {
    for (const a of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'FE80::abcd', 'febf::1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fd00:ec2::254', '100.100.100.200']) assert.equal(isForbiddenAddress(a), true, a);
    for (const a of ['127.0.0.1', '10.0.0.1', '169.255.0.1', 'fec0::1', '::1', '2001:db8::1']) assert.equal(isForbiddenAddress(a), false, a);
    const lookup = (host: string): Promise<string[]> => Promise.resolve(host === 'sneaky.example' ? ['93.184.216.34', '169.254.169.254'] : ['93.184.216.34']);
    assert.match((await forbiddenTarget('http://sneaky.example/', lookup)) ?? '', /resolves to a link-local/);
    assert.equal(await forbiddenTarget('https://api.example/', lookup), undefined);
    assert.match((await forbiddenTarget('http://METADATA.google.internal./', lookup)) ?? '', /metadata/);
    assert.match((await forbiddenTarget('http://0xa9fea9fe/', lookup)) ?? '', /link-local/);
  });

  it('sums refusals up: one warning at once, then at most one per interval, with counts by reason', async () => {
    const warnings: string[] = [];
    const statuses: string[] = [];
    const report = refusalReport('cb /x', { warn: (t) => warnings.push(t), status: (s) => statuses.push(String(s.text)) }, 300);
    try {
      report.count('bad_signature', 401, 'signature does not match');
      for (let i = 0; i < 99; i++) report.count('bad_signature', 401, 'signature does not match');
      for (let i = 0; i < 5; i++) report.count('payload_too_large', 413, 'over 1048576 bytes');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /refused 1 request since the last report: 1 bad_signature \(401\)/);
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal(warnings.length, 2);
      assert.match(warnings[1]!, /refused 104 requests .*: 99 bad_signature \(401\), 5 payload_too_large \(413\); latest: over 1048576 bytes/);
      assert.ok(statuses.length <= 2, statuses.join(' | '));
      assert.match(statuses.at(-1)!, /^refused \d+/);
    } finally {
      report.close();
    }
  });
});
