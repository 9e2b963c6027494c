import { sql, type Kysely } from "kysely";
import type { SecretBox } from "../crypto/secret-box.js";
import type { Database } from "../db/database.js";
import type { DatabaseSchema } from "../db/schema.js";
import type { DeliveryTables, WebhookDeliveriesTable } from "../destinations/tables.js";
import type { Logger } from "../logger.js";
import { OutgoingRequestError, safeRequest } from "../net/safe-http.js";
import { signedHeaders } from "./signature.js";

/** Waits between attempts of one delivery; the last is repeated until the 24 h window ends. */
export const DEFAULT_BACKOFF_MS = [
  10_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000,
];

export interface SenderOptions {
  allowPrivateUrls: boolean;
  backoffMs?: readonly number[];
  /** How long one attempt may take (default 15 s). */
  timeoutMs?: number;
  clock?: () => number;
}

const BATCH = 50;
const LOCK_MS = 60_000;

/**
 * Sends due webhook deliveries: each is claimed with a lease (`locked_until`) so two
 * processes never send it at once, signed at send time, and recorded with the answer's
 * status. A delivery waits while an earlier one for the same document (order key) of the
 * same subscription is still undelivered: in order per document. Failures back off; when
 * the 24 h window ends the delivery fails and the subscription is disabled with the reason.
 */
export class WebhookSender {
  private readonly db: Kysely<DatabaseSchema & DeliveryTables>;
  private readonly clock: () => number;

  constructor(
    database: Database,
    private readonly box: SecretBox,
    private readonly log: Logger,
    private readonly options: SenderOptions,
  ) {
    this.db = database.db.withTables<DeliveryTables>();
    this.clock = options.clock ?? Date.now;
  }

  /** Sends what is due now; returns how many were attempted, and when the next retry (in the future) is due. */
  async step(signal: AbortSignal): Promise<{ attempted: number; nextDueAt: number | null }> {
    const now = this.clock();
    const due = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_subscriptions as s", "s.id", "d.subscription_id")
      .selectAll("d")
      .select(["s.url", "s.secret"])
      .where("s.active", "=", 1)
      .where("d.status", "in", ["pending", "retrying"])
      .where("d.next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("d.locked_until", "is", null), eb("d.locked_until", "<", now)]))
      // Not while an earlier delivery of the same document to the same subscription is undelivered.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("webhook_deliveries as e")
              .select(sql`1`.as("one"))
              .whereRef("e.subscription_id", "=", "d.subscription_id")
              .whereRef("e.order_key", "=", "d.order_key")
              .where("e.status", "in", ["pending", "retrying"])
              .where((eb) =>
                eb.or([
                  eb("e.event_id", "<", eb.ref("d.event_id")),
                  eb.and([eb("e.event_id", "=", eb.ref("d.event_id")), eb("e.id", "<", eb.ref("d.id"))]),
                ]),
              ),
          ),
        ),
      )
      .orderBy("d.event_id")
      .orderBy("d.id")
      .limit(BATCH)
      .execute();
    let attempted = 0;
    for (const delivery of due) {
      if (signal.aborted) break;
      if (!(await this.claim(delivery.id, now))) continue;
      attempted++;
      await this.attempt(delivery, delivery.url, delivery.secret, signal);
    }
    const next = await this.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_subscriptions as s", "s.id", "d.subscription_id")
      .select((eb) => eb.fn.min("d.next_attempt_at").as("at"))
      .where("s.active", "=", 1)
      .where("d.status", "in", ["pending", "retrying"])
      .where("d.next_attempt_at", ">", this.clock())
      .executeTakeFirst();
    return { attempted, nextDueAt: next?.at === null || next?.at === undefined ? null : Number(next.at) };
  }

  private async claim(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable("webhook_deliveries")
      .set({ locked_until: now + LOCK_MS })
      .where("id", "=", id)
      .where("status", "in", ["pending", "retrying"])
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async attempt(
    delivery: WebhookDeliveriesTable,
    url: string,
    storedSecret: string,
    signal: AbortSignal,
  ): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secret = this.box.decrypt(storedSecret);
      const response = await safeRequest(
        {
          method: "POST",
          url,
          body: delivery.payload,
          headers: signedHeaders({ secret, body: delivery.payload, deliveryId: delivery.id, event: delivery.event }),
          signal,
        },
        {
          allowPrivate: this.options.allowPrivateUrls,
          timeoutMs: this.options.timeoutMs ?? 15_000,
          maxResponseBytes: 64 * 1024,
        },
      );
      status = response.status;
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (failure) {
      error = failure instanceof OutgoingRequestError ? failure.message : (failure as Error).message;
    }
    const now = this.clock();
    const attempts = delivery.attempts + 1;
    if (error === null) {
      await this.db
        .updateTable("webhook_deliveries")
        .set({
          status: "delivered",
          attempts,
          response_status: status,
          last_error: null,
          delivered_at: now,
          locked_until: null,
          updated_at: now,
        })
        .where("id", "=", delivery.id)
        .execute();
      return;
    }
    // 410 Gone: the receiver says this endpoint is no more; waiting a day would only add noise.
    const gone = status === 410;
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    const wait = backoff[Math.min(attempts - 1, backoff.length - 1)]! * (0.8 + Math.random() * 0.4);
    const exhausted = gone || now + wait > Number(delivery.retry_until);
    await this.db
      .updateTable("webhook_deliveries")
      .set({
        status: exhausted ? "failed" : "retrying",
        attempts,
        response_status: status,
        last_error: error,
        next_attempt_at: exhausted ? now : Math.round(now + wait),
        locked_until: null,
        updated_at: now,
      })
      .where("id", "=", delivery.id)
      .execute();
    if (exhausted) {
      const reason = gone
        ? `the endpoint answered 410 Gone (delivery ${delivery.id})`
        : `deliveries failed for 24 hours; the last attempt of ${delivery.id}: ${error}`;
      await this.db
        .updateTable("webhook_subscriptions")
        .set({ active: 0, disabled_reason: reason, disabled_at: now, updated_at: now })
        .where("id", "=", delivery.subscription_id)
        .where("active", "=", 1)
        .execute();
      this.log.warn(
        { subscriptionId: delivery.subscription_id, deliveryId: delivery.id },
        "webhook subscription disabled",
      );
    }
  }
}
