// Risk scores the emulator attaches to simulated incoming and outgoing transfers (reference §5 Risk).
import type { Risk } from './store';

/** Ordinary counterparty. */
export const LOW_RISK: Readonly<Risk> = { score: 3.4, level: 'low', resource_name: 'default', resource_category: 'unknown' };
/** Counterparty linked to illicit activity (`high_risk` scenarios). */
export const HIGH_RISK: Readonly<Risk> = { score: 9.1, level: 'high', resource_name: 'Hydra Marketplace', resource_category: 'Dark Market - Centralised' };

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
