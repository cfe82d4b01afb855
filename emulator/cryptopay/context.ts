// What the route modules need from the emulator.
import type { CallbackDelivery } from './callbacks';
import type { ChannelService } from './channels';
import type { CustomerService } from './customers';
import type { ExchangeTransferService } from './exchange-transfers';
import type { FaultPlanOptions, FaultPlanStats } from '../shared/faults';
import type { Fault, FaultJson } from './faults';
import type { InvoiceService } from './invoices';
import type { Ledger, SeedResult } from './ledger';
import type { EmuRequest } from './server';
import type { SubscriptionService } from './subscriptions';
import type { WithdrawalService } from './withdrawals';

export interface EmulatorContext {
  now(): number;
  readonly invoices: InvoiceService;
  readonly ledger: Ledger;
  readonly withdrawals: WithdrawalService;
  readonly exchangeTransfers: ExchangeTransferService;
  readonly channels: ChannelService;
  readonly customers: CustomerService;
  readonly subscriptions: SubscriptionService;
  /** Verifies HMAC auth (401), counts the request and applies the rate limit (429). Returns the api key. */
  authenticate(req: EmuRequest): string;
  /** Lazy time-based transitions (14-day invoice cancellation, unpaid subscriptions). */
  sweep(): void;
  pay(invoiceId: string, scenario: unknown, confirmAfterSeconds?: unknown): Record<string, unknown>;
  payChannel(channelId: string, amount: unknown, scenario: unknown): Record<string, unknown>;
  paySubscription(subscriptionId: string): Record<string, unknown>;
  setWithdrawalStatus(withdrawalId: string, status: unknown): Record<string, unknown>;
  seedTransactions(count: unknown, currency: unknown): SeedResult;
  injectFault(fault: Fault): FaultJson;
  faults(): FaultJson[];
  clearFaults(): void;
  /** The seeded fault plan (emulator/shared/faults.ts): on with options, off with null. */
  setFaultPlan(options: FaultPlanOptions | null): unknown;
  faultPlanStats(): FaultPlanStats | null;
  setCallback(url: string | undefined, secret?: string): void;
  deliveries(): CallbackDelivery[];
  /** null when the delivery id is unknown. */
  redeliverOrNull(deliveryId: string): Promise<void> | null;
  advanceClock(seconds: number): void;
  reset(): void;
}
