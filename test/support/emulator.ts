import { CryptopayEmulator } from '../../emulator/cryptopay';
import type { CryptopayEmulatorOptions } from '../../emulator/cryptopay';

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
