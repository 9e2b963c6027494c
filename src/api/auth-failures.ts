import { hashToken } from "../accounts/secrets.js";

/**
 * Counts failed verifications of presented credentials per client address in fixed windows.
 *
 * Why: the per-token and per-IP rate limits run after authentication (they key on who the
 * caller is), so without this a client could send unlimited requests with made-up tokens,
 * each costing a database lookup. Once an address has failed `max` times in a window, the
 * credentials it presents are no longer looked up until the window ends, unless they are
 * credentials this process has verified before: one address is often many users (a proxy,
 * an office NAT), and a flood of bad requests from it must not lock out the good ones.
 * Requests that present nothing cost no lookup and are not counted.
 *
 * In memory and per process, like the other rate limits; bounded so a spray of addresses
 * or credentials cannot grow it without end.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();
  /** Hashes of credentials verified recently, with when: they pass a blocked address. */
  private readonly knownGood = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly windowMs = 60_000,
    private readonly maxTracked = 100_000,
    private readonly clock: () => number = Date.now,
    private readonly knownGoodMs = 24 * 3_600_000,
  ) {}

  /**
   * Milliseconds until `secret` from this address may be looked up, or 0 when it may now.
   * A credential verified in the last day is never held back (it is re-verified as usual).
   */
  blockedFor(address: string, secret: string): number {
    const entry = this.windows.get(address);
    if (!entry) return 0;
    const elapsed = this.clock() - entry.start;
    if (elapsed >= this.windowMs) {
      this.windows.delete(address);
      return 0;
    }
    if (entry.failures < this.max) return 0;
    const verified = this.knownGood.get(hashToken(secret));
    if (verified !== undefined && this.clock() - verified < this.knownGoodMs) return 0;
    return this.windowMs - elapsed;
  }

  /** A credential verified (or just issued, as at login): it passes a blocked address. */
  recordSuccess(secret: string): void {
    const hash = hashToken(secret);
    this.knownGood.delete(hash);
    if (this.knownGood.size >= this.maxTracked) {
      const oldest = this.knownGood.keys().next().value;
      if (oldest !== undefined) this.knownGood.delete(oldest);
    }
    this.knownGood.set(hash, this.clock());
  }

  recordFailure(address: string, secret: string): void {
    this.knownGood.delete(hashToken(secret));
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
