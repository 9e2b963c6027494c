/**
 * The `job_deliveries` table: where each `deliver:` step sent a job's files. The deliver step
 * writes it through these functions and the job's result reads it; functions take `db` first.
 */
import type { Kysely, Selectable } from "kysely";
import type { DatabaseSchema } from "../db/schema.js";
import type { DeliveryTables, JobDeliveriesTable } from "./tables.js";

type Db = Kysely<DatabaseSchema>;
export type JobDeliveryRow = Selectable<JobDeliveriesTable>;

const deliveries = (db: Db) => db.withTables<DeliveryTables>();

/** Records an attempt about to start: a new row, or the earlier attempt's row with its error cleared. */
export async function recordDeliveryAttempt(
  db: Db,
  row: Pick<JobDeliveryRow, "job_id" | "step" | "destination_id" | "owner_id" | "kind" | "delivery_id">,
  now: number,
): Promise<void> {
  await deliveries(db)
    .insertInto("job_deliveries")
    .values({ ...row, location: null, last_error: null, delivered_at: null, updated_at: now })
    .onConflict((oc) => oc.columns(["job_id", "step"]).doUpdateSet({ last_error: null, updated_at: now }))
    .execute();
}

export async function markDelivered(db: Db, jobId: string, step: string, location: string | null): Promise<void> {
  await deliveries(db)
    .updateTable("job_deliveries")
    .set({ location, delivered_at: Date.now(), last_error: null, updated_at: Date.now() })
    .where("job_id", "=", jobId)
    .where("step", "=", step)
    .execute();
}

export async function markDeliveryFailed(db: Db, jobId: string, step: string, message: string): Promise<void> {
  await deliveries(db)
    .updateTable("job_deliveries")
    .set({ last_error: message, updated_at: Date.now() })
    .where("job_id", "=", jobId)
    .where("step", "=", step)
    .execute();
}

export function deliveriesOfJob(db: Db, jobId: string): Promise<JobDeliveryRow[]> {
  return deliveries(db).selectFrom("job_deliveries").selectAll().where("job_id", "=", jobId).execute();
}
