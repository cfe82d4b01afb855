import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { STATES, STATE_INFO, GROUPS, badgeFor, mapStatus, UnmappedStatusError } from '../../lib/status';
import { renderReadmeStatusSection, README_START, README_END } from '../../scripts/status-readme';
import {
  CHANNEL_PAYMENT_CONTEXTS,
  CHANNEL_PAYMENT_EVENTS,
  CHANNEL_PAYMENT_STATUSES,
  COIN_WITHDRAWAL_EVENTS,
  COIN_WITHDRAWAL_STATUSES,
  INVOICE_EVENTS,
  INVOICE_STATUSES,
  INVOICE_STATUS_CONTEXTS,
  SUBSCRIPTION_EVENTS,
  SUBSCRIPTION_STATUSES,
} from '../../lib/providers/cryptopay/schemas';
import {
  channelPaymentStatusTable,
  coinWithdrawalStatusTable,
  invoiceRefundStatusTable,
  invoiceStatusTable,
  subscriptionStatusTable,
} from '../../lib/providers/cryptopay/status';
import { transactionStatus } from '../../lib/providers/cryptopay/operations/ledger';
import { depositRequestStatusTable } from '../../lib/providers/cpg/status';
import { PaywireError } from '../../lib/errors';
import { REPO_ROOT } from '../support/paths';

describe('shared status vocabulary', () => {
  it('has the eight states with final flags, groups and badges', () => {
    assert.deepEqual([...STATES], ['pending', 'confirming', 'completed', 'action_required', 'refunded', 'cancelled', 'expired', 'failed']);
    const finals = STATES.filter((s) => STATE_INFO[s].final);
    assert.deepEqual(finals, ['completed', 'refunded', 'cancelled', 'expired', 'failed']);
    for (const s of STATES) assert.ok(GROUPS.includes(STATE_INFO[s].group));
  });

  it('builds short badges with the reason', () => {
    assert.deepEqual(badgeFor({ state: 'action_required', reason: 'paid_late' }), { fill: 'yellow', shape: 'dot', text: 'action required: paid late' });
    assert.deepEqual(badgeFor({ state: 'completed', reason: null }), { fill: 'green', shape: 'dot', text: 'completed' });
  });
});

describe('Cryptopay status mapping', () => {
  it('maps every invoice status × context × event (and no event)', () => {
    for (const status of INVOICE_STATUSES) {
      for (const context of [null, ...INVOICE_STATUS_CONTEXTS]) {
        if (status !== 'unresolved' && context !== null) continue;
        for (const event of [undefined, ...INVOICE_EVENTS]) {
          const mapped = mapStatus(invoiceStatusTable, { status, context, event, object: { transactions: [] } });
          assert.ok(STATES.includes(mapped.state));
        }
      }
    }
  });

  const invoiceCases: Array<[string, string | null, string | undefined, unknown, string, string | null]> = [
    ['new', null, undefined, { transactions: [] }, 'pending', null],
    ['new', null, 'transaction_created', { transactions: [{}] }, 'confirming', null],
    ['new', null, 'transaction_confirmed', { transactions: [{}] }, 'confirming', null],
    ['new', null, undefined, { transactions: [{ txid: 'a' }] }, 'confirming', null],
    ['completed', null, 'status_changed', {}, 'completed', null],
    ['unresolved', 'underpaid', 'status_changed', {}, 'action_required', 'underpaid'],
    ['unresolved', 'overpaid', undefined, {}, 'action_required', 'overpaid'],
    ['unresolved', 'paid_late', undefined, {}, 'action_required', 'paid_late'],
    ['unresolved', 'illicit_resource', undefined, {}, 'action_required', 'high_risk'],
    ['refunded', null, undefined, {}, 'refunded', null],
    ['cancelled', null, undefined, {}, 'cancelled', null],
  ];
  for (const [status, context, event, object, state, reason] of invoiceCases) {
    it(`invoice ${status}/${context ?? '-'}/${event ?? '-'} → ${state}${reason ? `/${reason}` : ''}`, () => {
      const mapped = mapStatus(invoiceStatusTable, { status, context, event, object });
      assert.equal(mapped.state, state);
      assert.equal(mapped.reason, reason);
      assert.equal(mapped.final, STATE_INFO[mapped.state].final);
    });
  }

  it('maps every channel payment, withdrawal and subscription status and event', () => {
    for (const status of CHANNEL_PAYMENT_STATUSES)
      for (const context of [null, ...CHANNEL_PAYMENT_CONTEXTS])
        for (const event of [undefined, ...CHANNEL_PAYMENT_EVENTS]) mapStatus(channelPaymentStatusTable, { status, context, event });
    for (const status of COIN_WITHDRAWAL_STATUSES)
      for (const event of [undefined, ...COIN_WITHDRAWAL_EVENTS]) mapStatus(coinWithdrawalStatusTable, { status, event });
    for (const status of SUBSCRIPTION_STATUSES)
      for (const event of [undefined, ...SUBSCRIPTION_EVENTS]) mapStatus(subscriptionStatusTable, { status, event, object: {} });
    assert.equal(mapStatus(coinWithdrawalStatusTable, { status: 'failed' }).final, false, 'Cryptopay withdrawal failed is not final');
    assert.equal(mapStatus(invoiceRefundStatusTable, { status: null, object: { txid: null } }).state, 'pending');
    assert.equal(mapStatus(invoiceRefundStatusTable, { status: null, object: { txid: 'abc' } }).state, 'completed');
  });

  it('throws a clear error for a status it does not know', () => {
    assert.throws(() => mapStatus(invoiceStatusTable, { status: 'paid' }), UnmappedStatusError);
    assert.throws(() => mapStatus(invoiceStatusTable, { status: 'paid' }), /cryptopay Invoice: no shared state for status "paid"/);
    assert.throws(() => mapStatus(invoiceStatusTable, { status: 'paid' }), (err: unknown) => err instanceof PaywireError && err.code === 'unknown_status');
  });

  it('covers the documented gaps: bank transfers on hold, a CPG deposit that expired but can still complete', () => {
    for (const referenceType of ['BankDeposit', 'BankWithdrawal']) {
      assert.deepEqual(transactionStatus({ reference_type: referenceType, status: 'on_hold', status_context: null }), { state: 'action_required', reason: 'on_hold', final: false });
    }
    assert.deepEqual(transactionStatus({ reference_type: 'Manual', status: null, status_context: null }), { state: 'completed', reason: null, final: true });
    assert.deepEqual(mapStatus(depositRequestStatusTable, { status: 'expired' }), { state: 'expired', reason: null, final: false });
    assert.equal(STATE_INFO.expired.final, true, 'elsewhere expired stays final');
  });

  it('looks a ledger row’s table up by its own reference types only: prototype names find nothing', () => {
    for (const referenceType of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      assert.equal(transactionStatus({ reference_type: referenceType, status: 'completed', status_context: null }), null, referenceType);
    }
    assert.equal(transactionStatus({ reference_type: 'Invoice', status: 'constructor', status_context: null }), null);
  });
});

describe('README status table', () => {
  it('is the one generated from the status tables (run `npm run docs` after changing them)', () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    assert.ok(start >= 0 && end > start, 'README lacks the status-table markers');
    assert.equal(readme.slice(start, end + README_END.length), renderReadmeStatusSection());
  });
});
