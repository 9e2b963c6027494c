import type { SecretBox } from "../crypto/secret-box.js";
import type { Database } from "../db/database.js";
import type { Notifier } from "../engine/notifier.js";
import type { Logger } from "../logger.js";
import { WebhookOutbox, type ReadEventsAfter } from "./webhook-outbox.js";
import { WebhookSender } from "./webhook-sender.js";

export interface DispatcherOptions {
  database: Database;
  readAfter: ReadEventsAfter;
  notifier: Pick<Notifier, "subscribe">;
  box: SecretBox;
  log: Logger;
  allowPrivateUrls: boolean;
  backoffMs?: readonly number[];
  /** How long a delivery is retried (default 24 h). */
  retryWindowMs?: number;
  /** The backstop poll when no hint arrives (default 2 s). */
  pollMs?: number;
  clock?: () => number;
}

/**
 * Event webhooks: tails the job event log (woken by the `events` hint, polling as the
 * backstop), turns job outcomes into delivery rows (WebhookOutbox), and sends what is due
 * (WebhookSender). Every process may run one; the database decides who sends what. The
 * engine's transactions are untouched: this only reads the log they write.
 */
export class WebhookDispatcher {
  private readonly outbox: WebhookOutbox;
  private readonly sender: WebhookSender;
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly o: DispatcherOptions) {
    this.outbox = new WebhookOutbox(o.database, o.readAfter, o.clock, o.retryWindowMs);
    this.sender = new WebhookSender(o.database, o.box, o.log, {
      allowPrivateUrls: o.allowPrivateUrls,
      ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
    });
  }

  start(): void {
    this.unsubscribe = this.o.notifier.subscribe("events", () => this.poke());
    this.timer = setInterval(() => this.poke(), this.o.pollMs ?? 2_000);
    this.timer.unref();
    this.poke();
  }

  /** Runs a pass now (new events, redeliveries). */
  poke(): void {
    if (this.stopping.signal.aborted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.o.log.warn({ err: error }, "webhook dispatch failed; will try again"))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.wake) clearTimeout(this.wake);
    await this.running;
  }

  private async pass(): Promise<void> {
    while (await this.outbox.step()) if (this.stopping.signal.aborted) return;
    for (;;) {
      const { attempted, nextDueAt } = await this.sender.step(this.stopping.signal);
      if (this.stopping.signal.aborted) return;
      if (attempted > 0) continue;
      // Wake for the next retry sooner than the poll when it is due sooner.
      // (One due now but not sent is waiting for an earlier delivery of its document: the poll
      // and the hints cover it; waking for it here would spin.)
      const now = (this.o.clock ?? Date.now)();
      if (nextDueAt !== null && nextDueAt > now) {
        const delay = nextDueAt - now;
        if (this.wake) clearTimeout(this.wake);
        this.wake = setTimeout(() => this.poke(), Math.min(delay + 5, 60_000));
        this.wake.unref();
      }
      return;
    }
  }
}
