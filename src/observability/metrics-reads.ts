/** What /metrics reads from the database: job counts, queue depth, a finished job's or step's times. */
import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../db/schema.js";

type Db = Kysely<DatabaseSchema>;

/** Jobs counted by status. */
export async function countJobsByStatus(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("jobs")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("status")
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/** Pending jobs whose run time has come. */
export async function countDueJobs(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom("jobs")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "pending")
    .where("run_at", "<=", now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function jobTimes(db: Db, jobId: string) {
  return db
    .selectFrom("jobs")
    .select(["started_at", "created_at", "error_code"])
    .where("id", "=", jobId)
    .executeTakeFirst();
}

export function stepStartedAt(db: Db, jobId: string, step: string) {
  return db
    .selectFrom("job_steps")
    .select(["started_at"])
    .where("job_id", "=", jobId)
    .where("name", "=", step)
    .executeTakeFirst();
}
