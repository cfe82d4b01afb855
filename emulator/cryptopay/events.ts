// Hands callback events to the dispatcher strictly in order per object (type + id): a batch (e.g.
// the three events of an invoice payment, or created → completed of a channel payment) is spaced
// by the event spacing × timeScale, and a later batch waits until the earlier one was handed over.
import type { CallbackDispatcher } from './callbacks';
import type { TimerRegistry } from '../shared/timers';

export interface CallbackEvent {
  event: string;
  data: Record<string, unknown>;
}

interface Queue {
  items: Array<CallbackEvent & { gapMs: number }>;
  running: boolean;
}

export class EventSequencer {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly dispatcher: CallbackDispatcher,
    private readonly timers: TimerRegistry,
    /** Real ms between the events of one batch (already scaled). */
    private readonly spacingMs: () => number,
  ) {}

  emit(type: string, resourceId: string, events: readonly CallbackEvent[]): void {
    const key = `${type}:${resourceId}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { items: [], running: false };
      this.queues.set(key, queue);
    }
    const spacing = this.spacingMs();
    events.forEach(({ event, data }, i) => queue.items.push({ event, data, gapMs: i === 0 ? 0 : spacing }));
    if (!queue.running) this.drain(type, resourceId);
  }

  clear(): void {
    this.queues.clear();
  }

  private drain(type: string, resourceId: string): void {
    const key = `${type}:${resourceId}`;
    const queue = this.queues.get(key);
    const item = queue?.items.shift();
    if (!queue || !item) {
      this.queues.delete(key);
      return;
    }
    queue.running = true;
    const fire = (): void => {
      this.dispatcher.enqueue(type, item.event, resourceId, item.data);
      this.drain(type, resourceId);
    };
    if (item.gapMs > 0) this.timers.set(fire, item.gapMs);
    else fire();
  }
}
