import type { Database } from "../db/database.js";
import { credentialOwner } from "./account-repository.js";
import type { Notifier } from "../engine/notifier.js";
import type { Principal } from "./account-service.js";

/**
 * Ends long-lived requests (event streams, long-polls) whose credential stops being valid:
 * a revoked token, a session logged out or expired, a user disabled or given another role.
 * A request is authenticated once, when it starts; these can last hours. Every watched
 * principal is re-checked against the database when an `auth` hint arrives (revocation,
 * logout, disabling and role changes publish one, across processes on PostgreSQL) and every
 * `intervalMs` anyway, because a hint can be lost and the CLI in local mode publishes none.
 */
export class CredentialWatcher {
  private readonly watched = new Map<symbol, { principal: Principal; onEnded: () => void }>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private checking: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly database: Database,
    private readonly notifier: Notifier | undefined,
    private readonly intervalMs = 5_000,
  ) {}

  /** Calls `onEnded` once when the principal's credential is no longer valid; returns the unwatch. */
  watch(principal: Principal, onEnded: () => void): () => void {
    const id = Symbol("watch");
    this.watched.set(id, { principal, onEnded });
    if (this.timer === null) {
      this.timer = setInterval(() => void this.checkAll(), this.intervalMs);
      this.timer.unref();
      this.unsubscribe = this.notifier?.subscribe("auth", () => void this.checkAll()) ?? null;
    }
    return () => {
      this.watched.delete(id);
      if (this.watched.size === 0) this.stop();
    };
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** One pass at a time; a hint during a pass asks for another (it may concern a row read before it). */
  checkAll(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        for (const [id, entry] of [...this.watched]) {
          const current = await this.isCurrent(entry.principal).catch(() => true); // a database hiccup ends nobody
          if (!current && this.watched.delete(id)) entry.onEnded();
        }
      } while (this.again);
    })().finally(() => {
      this.checking = null;
      if (this.watched.size === 0) this.stop();
    });
    return this.checking;
  }

  /** The credential still exists and is live, and its user is enabled with the same role. */
  async isCurrent(principal: Principal): Promise<boolean> {
    const row = await credentialOwner(this.database.db, principal, Date.now());
    return row !== undefined && Number(row.disabled) === 0 && row.role === principal.user.role;
  }
}
