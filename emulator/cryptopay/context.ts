// What the route modules need from the emulator.
import type { CallbackDelivery } from './callbacks';
import type { InvoiceService } from './invoices';
import type { EmuRequest } from './server';

export interface EmulatorContext {
  now(): number;
  readonly invoices: InvoiceService;
  /** Verifies HMAC auth (401), counts the request and applies the rate limit (429). Returns the api key. */
  authenticate(req: EmuRequest): string;
  pay(invoiceId: string, scenario: unknown): Record<string, unknown>;
  setCallback(url: string | undefined, secret?: string): void;
  deliveries(): CallbackDelivery[];
  /** null when the delivery id is unknown. */
  redeliverOrNull(deliveryId: string): Promise<void> | null;
  advanceClock(seconds: number): void;
  reset(): void;
}
