import type { Kysely } from "kysely";
import type { Database } from "../db/database.js";
import type { DatabaseSchema } from "../db/schema.js";
import { writeTransaction } from "../db/transaction.js";
import type { DeliveryTables, WebhookDeliveriesTable } from "../destinations/tables.js";
import type { JobEvent } from "../domain/types.js";
import { newId } from "../engine/ids.js";
import { jobToJson, loadJobs } from "../jobs/job-view.js";
import { webhookEventsFor, type WebhookEvent } from "./webhook-events.js";

/** Reads `job_events` after an event id, in commit order (the engine's event feed does this safely on both databases). */
export type ReadEventsAfter = (afterId: string, limit: number) => Promise<JobEvent[]>;

const BATCH = 200;
/** How long deliveries are retried before they fail for good (and their subscription is disabled). */
export const RETRY_WINDOW_MS = 24 * 3600_000;

/**
 * Turns new job events into webhook delivery rows. The position in the event log is the
 * `webhook_cursor` row; the rows and the cursor's move commit together, and the move is a
 * compare-and-set, so two processes doing this at once cannot both insert (and the unique
 * (subscription, event id, event) index would refuse a repeat anyway). Nothing here sends:
 * a delivery exists before its first attempt, so a crash between the two loses nothing.
 */
export class WebhookOutbox {
  private readonly db: Kysely<DatabaseSchema & DeliveryTables>;

  constructor(
    private readonly database: Database,
    private readonly readAfter: ReadEventsAfter,
    private readonly clock: () => number = Date.now,
    private readonly retryWindowMs = RETRY_WINDOW_MS,
  ) {
    this.db = database.db.withTables<DeliveryTables>();
  }

  /** Materialises one batch; returns whether there may be more. */
  async step(): Promise<boolean> {
    const cursor = await this.db
      .selectFrom("webhook_cursor")
      .select("event_id")
      .where("name", "=", "events")
      .executeTakeFirst();
    if (!cursor) return false;
    const from = Number(cursor.event_id);
    const events = await this.readAfter(String(from), BATCH);
    if (events.length === 0) return false;
    const rows = await this.rowsFor(events.filter((e) => e.step === null));
    const to = Math.max(from, ...events.map((e) => Number(e.id)));
    await writeTransaction(this.database, async (trx) => {
      const db = trx.withTables<DeliveryTables>();
      const moved = await db
        .updateTable("webhook_cursor")
        .set({ event_id: to })
        .where("name", "=", "events")
        .where("event_id", "=", from)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return; // another process took this batch
      for (const row of rows)
        await db
          .insertInto("webhook_deliveries")
          .values(row)
          .onConflict((oc) => oc.columns(["subscription_id", "event_id", "event"]).doNothing())
          .execute();
    });
    return events.length === BATCH;
  }

  private async rowsFor(events: JobEvent[]): Promise<WebhookDeliveriesTable[]> {
    const outcomes = events.filter((e) => e.status === "completed" || e.status === "failed");
    if (outcomes.length === 0) return [];
    const owners = [...new Set(outcomes.map((e) => e.ownerId))];
    const subscriptions = await this.db
      .selectFrom("webhook_subscriptions")
      .select(["id", "owner_id", "events", "created_at"])
      .where("owner_id", "in", owners)
      .execute();
    if (subscriptions.length === 0) return [];
    const jobs = await loadJobs(this.database, [...new Set(outcomes.map((e) => e.jobId))]);
    const extra = await this.jobExtras([...jobs.keys()]);
    const rows: WebhookDeliveriesTable[] = [];
    const now = this.clock();
    for (const event of outcomes) {
      const loaded = jobs.get(event.jobId);
      const facts = extra.get(event.jobId);
      if (!loaded || !facts) continue; // the job was deleted since
      const types = webhookEventsFor({
        status: event.status,
        step: event.step,
        reviewReason: loaded.job.reviewReason,
        collectionId: facts.collectionId,
      });
      for (const sub of subscriptions) {
        if (sub.owner_id !== event.ownerId) continue;
        // Only events after the subscription was made (should the cursor ever be re-read from further back).
        if (event.createdAt.getTime() < Number(sub.created_at)) continue;
        const wanted = JSON.parse(sub.events) as WebhookEvent[];
        for (const type of types.filter((t) => wanted.includes(t))) {
          const id = `whd_${newId()}`;
          const payload = {
            id,
            type,
            created_at: event.createdAt.toISOString(),
            data: {
              job: jobToJson(loaded.job, loaded.steps),
              document_id: facts.documentId,
              collection_id: facts.collectionId,
              ...(type === "document.manual_review" ? { review_reason: loaded.job.reviewReason } : {}),
            },
          };
          rows.push({
            id,
            subscription_id: sub.id,
            owner_id: sub.owner_id,
            event: type,
            event_id: Number(event.id),
            // Deliveries of one document (or collection) are sent in event order.
            order_key: facts.collectionId ?? facts.documentId ?? event.jobId,
            payload: JSON.stringify(payload),
            status: "pending",
            attempts: 0,
            next_attempt_at: now,
            retry_until: now + this.retryWindowMs,
            locked_until: null,
            response_status: null,
            last_error: null,
            created_at: now,
            updated_at: now,
            delivered_at: null,
          });
        }
      }
    }
    return rows;
  }

  /** The job's document and collection (collection jobs have no document; the column exists since 0003). */
  private async jobExtras(
    jobIds: string[],
  ): Promise<Map<string, { documentId: string | null; collectionId: string | null }>> {
    if (jobIds.length === 0) return new Map();
    const rows = (await this.db.selectFrom("jobs").selectAll().where("id", "in", jobIds).execute()) as unknown as {
      id: string;
      document_id: string | null;
      collection_id?: string | null;
    }[];
    return new Map(rows.map((r) => [r.id, { documentId: r.document_id, collectionId: r.collection_id ?? null }]));
  }
}
