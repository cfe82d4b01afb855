/**
 * Statuses the gateways document, through the nodes: bank transfers on hold, ledger rows of
 * every documented reference type (Manual included), a CPG deposit request past its display
 * time that a late deposit still completes, and statuses nobody documents.
 */
import assert from 'node:assert/strict';
import type { CpgEmulator } from '../../emulator/cpg';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { cpgCredentials, startCpgEmulator, startCryptopayEmulator } from '../support/emulator';
import { actionNode, actionNodeSuite } from '../support/flows';
import type { Msg } from '../support/flows';

describe('status tables cover what the gateways document', function () {
  const suite = actionNodeSuite();

  describe('Cryptopay ledger', () => {
    let emulator: CryptopayEmulator;
    beforeEach(async () => {
      emulator = await startCryptopayEmulator();
    });
    afterEach(async () => {
      await emulator.stop();
    });

    it('bank deposits and withdrawals on hold need attention (on_hold); Manual and ManualBalanceTransaction rows are accepted as filters and passed through; an undocumented status gives state null', async () => {
      const rows = [
        emulator.postMovement({ referenceType: 'BankDeposit', currency: 'EUR', amount: '500.00', status: 'on_hold' }),
        emulator.postMovement({ referenceType: 'BankWithdrawal', currency: 'EUR', amount: '-200.00', status: 'on_hold' }),
        emulator.postMovement({ referenceType: 'BankWithdrawal', currency: 'EUR', amount: '-10.00', status: 'pending' }),
        emulator.postMovement({ referenceType: 'BankDeposit', currency: 'EUR', amount: '1.00', status: 'held_for_review' }),
        emulator.postMovement({ referenceType: 'Manual', currency: 'EUR', amount: '3.50' }),
        emulator.postMovement({ referenceType: 'ManualBalanceTransaction', currency: 'EUR', amount: '-1.25' }),
      ];
      const list = async (referenceType: string): Promise<Msg[]> => {
        await suite.node?.close();
        suite.node = await actionNode(emulator, 'paywire-transactions', { operation: 'list', listMode: 'all' });
        const { out, error } = await suite.node.send({ payload: { reference_type: referenceType } });
        assert.equal(error, undefined, `${referenceType}: ${String(error?.error?.message)}`);
        return out!.payload as Msg[];
      };
      const deposits = await list('BankDeposit');
      assert.deepEqual(deposits.map((r) => [r.amount, r.status]), [['1.0', 'held_for_review'], ['500.0', 'on_hold']], 'the gateway’s rows, unchanged, newest first');
      for (const referenceType of ['BankWithdrawal', 'Manual', 'ManualBalanceTransaction']) {
        const found = await list(referenceType);
        assert.ok(found.length > 0 && found.every((r) => r.reference_type === referenceType), `${referenceType} filter`);
      }
      // One row per message, to read each row's state.
      await suite.node?.close();
      suite.node = await actionNode(emulator, 'paywire-transactions', { operation: 'list', listMode: 'item' });
      const perRow = await suite.node.sendMany({ payload: { currency: 'EUR' } }, rows.length);
      const byId = new Map(perRow.map((m) => [m.payload.id as string, m.paywire]));
      const meta = (i: number): Msg => byId.get(rows[i]!.id as string)!;
      assert.deepEqual([meta(0).state, meta(0).reason, meta(0).final], ['action_required', 'on_hold', false]);
      assert.deepEqual([meta(1).state, meta(1).reason], ['action_required', 'on_hold']);
      assert.equal(meta(2).state, 'pending');
      assert.deepEqual([meta(3).state, meta(3).reason, meta(3).final], [null, null, null], 'an undocumented status: state null, the row still delivered');
      assert.deepEqual([meta(4).state, meta(5).state], ['completed', 'completed'], 'a movement without a status has happened');
    });
  });

  describe('CPG deposit requests', () => {
    let emulator: CpgEmulator;
    beforeEach(async () => {
      // The address is shown for no time at all: the request is past display_expires_at at once.
      emulator = await startCpgEmulator({ displayTtlSeconds: 0 });
    });
    afterEach(async () => {
      await emulator.stop();
    });

    it('expired is not final: a late deposit to the address still completes the request', async () => {
      suite.node = await actionNode(emulator, 'paywire-invoice', { operation: 'create' }, cpgCredentials(), 'cpg');
      const { out: made } = await suite.node.send({ payload: { currency: 'USDT', network: 'ETH' } });
      const requestId = made!.payload.request_id as number;
      await suite.node.close();
      suite.node = await actionNode(emulator, 'paywire-invoice', { operation: 'get' }, cpgCredentials(), 'cpg');
      const read = async (): Promise<[string, string, boolean]> => {
        const { out, error } = await suite.node!.send({ payload: { request_id: requestId } });
        assert.equal(error, undefined, error?.error?.message);
        return [out!.payload.status, out!.paywire.state, out!.paywire.final];
      };
      assert.deepEqual(await read(), ['expired', 'expired', false], 'past display_expires_at, but still watched');
      const late = emulator.simulateDeposit({ request_id: requestId, amount: '12' });
      assert.deepEqual(await read(), ['detected', 'confirming', false]);
      emulator.confirmDeposit(late.tx_hash as string);
      assert.deepEqual(await read(), ['confirmed', 'completed', true]);
    });
  });
});
