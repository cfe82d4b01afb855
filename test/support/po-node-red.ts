/** Node-RED's test server and one payment-orders emulator for a describe block; a flow set on it is closed afterwards. */
import type { PaymentOrdersEmulator } from '../../emulator/payment-orders';
import { startPoEmulator } from '../emulator/po-helpers';
import { helper } from './node-red';
import type { LoadedFlow } from './node-red';

export interface PoNodeRedFixture {
  emulator: PaymentOrdersEmulator;
  flow: LoadedFlow | undefined;
}

export function usePoNodeRed(): PoNodeRedFixture {
  const fx = { flow: undefined } as PoNodeRedFixture;
  before(async () => {
    await helper.startServer();
    fx.emulator = await startPoEmulator();
  });
  after(async () => {
    await fx.flow?.close();
    await helper.unload();
    await helper.stopServer();
    await fx.emulator.stop();
  });
  return fx;
}
