// Every timer the emulator starts goes through one registry so stop()/reset() can clear them all
// and tests can assert that nothing is left behind.

export class TimerRegistry {
  private readonly handles = new Set<NodeJS.Timeout>();

  /** setTimeout that forgets itself when it fires; delays are clamped to [0, 2^31-1] ms. */
  set(fn: () => void, delayMs: number): NodeJS.Timeout {
    const ms = Math.min(Math.max(0, Math.round(delayMs)), 2_147_483_647);
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      fn();
    }, ms);
    this.handles.add(handle);
    return handle;
  }

  clear(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.handles.delete(handle);
  }

  clearAll(): void {
    for (const h of this.handles) clearTimeout(h);
    this.handles.clear();
  }

  get size(): number {
    return this.handles.size;
  }
}
