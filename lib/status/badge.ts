import type { MappedStatus } from './mapping';
import type { BadgeStyle } from './vocabulary';
import { STATE_INFO } from './vocabulary';

export interface Badge extends BadgeStyle {
  text: string;
}

/** The Node-RED status badge for a mapped state: short text, reason appended when there is one. */
export function badgeFor(mapped: Pick<MappedStatus, 'state' | 'reason'>): Badge {
  const style = STATE_INFO[mapped.state].badge;
  const label = mapped.state.replace('_', ' ');
  const text = mapped.reason ? `${label}: ${mapped.reason.replace('_', ' ')}` : label;
  return { ...style, text };
}
