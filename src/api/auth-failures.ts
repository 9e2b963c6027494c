/**
 * Counts failed authentications per client address in fixed one-minute windows.
 *
 * Why: the per-token and per-IP rate limits run after authentication (they key on who the
 * caller is), so without this a client could send unlimited requests with made-up tokens,
 * each costing a database lookup. Once an address has failed `max` times in a window, its
 * requests are refused before any lookup until the window ends. In memory and per process,
 * like the other rate limits; bounded so a spray of addresses cannot grow it without end.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    readonly max: number,
    private readonly windowMs = 60_000,
    private readonly maxTracked = 100_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Milliseconds until this address may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    const entry = this.windows.get(address);
    if (!entry) return 0;
    const elapsed = this.clock() - entry.start;
    if (elapsed >= this.windowMs) {
      this.windows.delete(address);
      return 0;
    }
    return entry.failures >= this.max ? this.windowMs - elapsed : 0;
  }

  recordFailure(address: string): void {
    const now = this.clock();
    const entry = this.windows.get(address);
    if (entry && now - entry.start < this.windowMs) {
      entry.failures += 1;
      return;
    }
    if (entry) this.windows.delete(address);
    if (this.windows.size >= this.maxTracked) {
      // Maps iterate in insertion order: drop the oldest window first.
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(address, { start: now, failures: 1 });
  }
}
