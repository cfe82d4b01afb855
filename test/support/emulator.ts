import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { CryptopayEmulatorOptions } from '../../emulator/cryptopay';
import { CpgEmulator } from '../../emulator/cpg';
import type { CpgEmulatorOptions } from '../../emulator/cpg';

export const EMU_KEY = 'emu-key';
export const EMU_SECRET = 'emu-secret';
export const EMU_CALLBACK_SECRET = 'emu-callback-secret';

/** A fast emulator: real-world delays (retries, event spacing) shrunk 1000×. */
export async function startCryptopayEmulator(options: CryptopayEmulatorOptions = {}): Promise<CryptopayEmulator> {
  const emulator = new CryptopayEmulator({
    credentials: { [EMU_KEY]: EMU_SECRET },
    callbackSecret: EMU_CALLBACK_SECRET,
    timeScale: 0.001,
    ...options,
  });
  await emulator.start(0);
  return emulator;
}

/** A paywire-gateway config node pointing at any emulator (Cryptopay by default). */
export function gatewayConfig(emulator: { url: string }, id = 'gw', provider = 'cryptopay'): { id: string; type: string; [k: string]: unknown } {
  return { id, type: 'paywire-gateway', name: 'emulator', provider, environment: 'custom', baseUrl: emulator.url, timeout: 5 };
}

export function gatewayCredentials(overrides: Record<string, string> = {}): Record<string, string> {
  return { apiKey: EMU_KEY, apiSecret: EMU_SECRET, callbackSecret: EMU_CALLBACK_SECRET, ...overrides };
}

export const CPG_KEY_ID = 'cpg-node-key';
export const CPG_SECRET = 'cpg-node-secret';
export const CPG_WEBHOOK_SECRET = 'cpg-node-webhook-secret';

/** A CPG emulator with one key for the node tests; webhook retries shrunk 1000×. */
export async function startCpgEmulator(options: CpgEmulatorOptions = {}): Promise<CpgEmulator> {
  const emulator = new CpgEmulator({ keys: [{ keyId: CPG_KEY_ID, secret: CPG_SECRET }], timeScale: 0.001, ...options });
  await emulator.start(0);
  return emulator;
}

/** Gateway credentials for that emulator (the webhook secret as the callback secret). */
export function cpgCredentials(overrides: Record<string, string> = {}): Record<string, string> {
  return { apiKey: CPG_KEY_ID, apiSecret: CPG_SECRET, callbackSecret: CPG_WEBHOOK_SECRET, ...overrides };
}
