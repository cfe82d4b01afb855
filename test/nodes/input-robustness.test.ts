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

  it('a msg path that is not on the message, or a failing JSONata expression, is an invalid_input naming the field', async () => {
    node = await actionNode(emulator, 'paywire-invoice', {
      operation: 'create',
      params: {
        price_amount: { type: 'msg', value: 'order.amount.value' },
        price_currency: { type: 'jsonata', value: 'order.currency * 1' },
        pay_currency: { type: 'str', value: 'BTC' },
      },
    });
    const missing = await node.send({ payload: {} });
    assert.equal(missing.error!.error.code, 'invalid_input');
    assert.match(missing.error!.error.message, /^InputError: price_amount: could not read msg "order\.amount\.value" from this message: /);
    const jsonata = await node.send({ payload: {}, order: { amount: { value: '10' }, currency: 'EUR' } });
    assert.equal(jsonata.error!.error.code, 'invalid_input');
    assert.match(jsonata.error!.error.message, /^InputError: price_currency: could not read jsonata "order\.currency \* 1" from this message: .*\S/);
    assert.doesNotMatch(jsonata.error!.error.message, /\[object Object\]/);
    assert.deepEqual(node.statuses.at(-1), { fill: 'red', shape: 'ring', text: 'invalid input' });
    const numeric = await node.send({ payload: {}, order: { amount: { value: '10' }, currency: 2 } });
    assert.match(String(numeric.error?.error?.message ?? ''), /price_currency/, 'a number where a currency belongs is still refused by the schema');
  });

  it('broken unicode (an unpaired surrogate) in an id is an invalid_input before anything is sent', async () => {
    node = await actionNode(emulator, 'paywire-invoice', { operation: 'get' });
    const before = emulator.requestCount();
    const { error } = await node.send({ payload: { invoice_id: 'inv-\uD800' } });
    assert.equal(error!.error.code, 'invalid_input');
    assert.match(error!.error.message, /contains broken unicode text/);
    assert.equal(emulator.requestCount(), before);
  });
});
