/** Regression tests for what fuzzing the nodes' input found (test/reliability/fuzz-inputs.test.ts). */
import assert from 'node:assert/strict';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { helper } from '../support/node-red';
import { actionNode } from '../support/flows';
import type { ActionHarness } from '../support/flows';
import { startCryptopayEmulator } from '../support/emulator';

describe('action nodes: malformed input found by fuzzing', () => {
  let emulator: CryptopayEmulator;
  let node: ActionHarness | undefined;

  before(async () => {
    await helper.startServer();
    emulator = await startCryptopayEmulator();
  });
  after(async () => {
    await helper.stopServer();
    await emulator.stop();
  });
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  it('a frozen msg.payload still gets its generated idempotency key, on the message', async () => {
    node = await actionNode(emulator, 'paywire-api', { resource: 'exchange_transfer', operation: 'create' });
    const payload = Object.freeze({ charged_currency: 'EUR', received_currency: 'BTC', charged_amount: '50' });
    const { out, error } = await node.send({ payload });
    assert.equal(error, undefined, String(error?.error?.message));
    assert.match(String(out!.idempotencyKey), /^pw-/);
    assert.equal(out!.payload.custom_id, out!.idempotencyKey);
  });
});
