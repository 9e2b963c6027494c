/**
 * Small reads of the engine's tables (`jobs`, `job_steps`, `artifacts`) and of `batches` for
 * the services outside the engine: fields, review, document results, collections, delivery,
 * live and the blob sweeper. The engine writes these tables only through transitions; nothing here writes.
 * (job-view.ts is the jobs' JSON read side; this is what a service asks for a single fact.)
 */
import type { Kysely } from "kysely";
import type { DialectName } from "../db/database.js";
import type { DatabaseSchema } from "../db/schema.js";
import type { JobRow, JobStepRow } from "../engine/rows.js";

type Db = Kysely<DatabaseSchema>;

export async function jobStatus(db: Db, jobId: string): Promise<string | undefined> {
  const row = await db.selectFrom("jobs").select("status").where("id", "=", jobId).executeTakeFirst();
  return row?.status;
}

export async function jobVersion(db: Db, jobId: string): Promise<number | undefined> {
  const row = await db.selectFrom("jobs").select("version").where("id", "=", jobId).executeTakeFirst();
  return row === undefined ? undefined : Number(row.version);
}

/** The owner of a job or a batch, to check a caller may watch it (undefined: no such row). */
export function jobOwner(db: Db, jobId: string): Promise<{ owner_id: string } | undefined> {
  return db.selectFrom("jobs").select("owner_id").where("id", "=", jobId).executeTakeFirst();
}

export function batchOwner(db: Db, batchId: string): Promise<{ owner_id: string } | undefined> {
  return db.selectFrom("batches").select("owner_id").where("id", "=", batchId).executeTakeFirst();
}

/** The id of the document's latest completed job (by completion, then creation), if any. */
export async function latestCompletedJobIdOf(db: Db, documentId: string): Promise<string | undefined> {
  const job = await db
    .selectFrom("jobs")
    .select("id")
    .where("document_id", "=", documentId)
    .where("status", "=", "completed")
    .orderBy("completed_at", "desc")
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return job?.id;
}

/** Each of these documents' latest completed job (by creation): document id → job id and version. */
export async function latestCompletedJobsOf(
  db: Db,
  documentIds: readonly string[],
): Promise<Map<string, { id: string; version: number }>> {
  const jobs = await db
    .selectFrom("jobs")
    .select(["id", "document_id", "version", "created_at"])
    .where("document_id", "in", documentIds)
    .where("status", "=", "completed")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  const latest = new Map<string, { id: string; version: number }>();
  for (const j of jobs)
    if (j.document_id !== null && !latest.has(j.document_id))
      latest.set(j.document_id, { id: j.id, version: Number(j.version) });
  return latest;
}

/** The job row, locked for the caller's transaction on PostgreSQL (SQLite's write transaction already excludes writers). */
export function lockJob(trx: Db, dialect: DialectName, jobId: string): Promise<JobRow> {
  let query = trx.selectFrom("jobs").selectAll().where("id", "=", jobId);
  if (dialect === "postgres") query = query.forUpdate();
  return query.executeTakeFirstOrThrow();
}

export function stepsOfJob(db: Db, jobId: string): Promise<JobStepRow[]> {
  return db.selectFrom("job_steps").selectAll().where("job_id", "=", jobId).orderBy("position").execute();
}

/** One output of a job by kind (a collection's compiled file), if the job built it. */
export function artifactOfJob(db: Db, jobId: string, kind: string) {
  return db.selectFrom("artifacts").selectAll().where("job_id", "=", jobId).where("kind", "=", kind).executeTakeFirst();
}

/** The outputs of these jobs, by kind. */
export function artifactsOfJobs(db: Db, jobIds: readonly string[]) {
  if (jobIds.length === 0) return Promise.resolve([]);
  return db.selectFrom("artifacts").selectAll().where("job_id", "in", jobIds).orderBy("kind").execute();
}

/** Which jobs a live snapshot of a job or a batch shows, with their documents (at most `limit`). */
export function jobRefs(
  db: Db,
  filter: { jobId?: string | undefined; batchId?: string | undefined; documentId?: string | undefined },
  limit: number,
): Promise<{ id: string; document_id: string | null }[]> {
  let q = db.selectFrom("jobs").select(["id", "document_id"]);
  if (filter.jobId) q = q.where("id", "=", filter.jobId);
  if (filter.batchId) q = q.where("batch_id", "=", filter.batchId);
  if (filter.documentId) q = q.where("document_id", "=", filter.documentId);
  return q.limit(limit).execute();
}

/** Pending or processing jobs, the owner's (null: anyone's) and the document's when given (at most `limit`). */
export async function activeJobIdsOf(
  db: Db,
  filter: { ownerId: string | null; documentId?: string | undefined },
  limit: number,
): Promise<string[]> {
  let active = db.selectFrom("jobs").select("id").where("status", "in", ["pending", "processing"]);
  if (filter.ownerId !== null) active = active.where("owner_id", "=", filter.ownerId);
  if (filter.documentId) active = active.where("document_id", "=", filter.documentId);
  return (await active.limit(limit).execute()).map((r) => r.id);
}

/** A job with its document's filename, for a delivery (undefined: no such job). */
export function jobWithFilename(db: Db, jobId: string) {
  return db
    .selectFrom("jobs")
    .innerJoin("documents", "documents.id", "jobs.document_id")
    .select(["jobs.id", "jobs.document_id", "jobs.version", "documents.filename"])
    .where("jobs.id", "=", jobId)
    .executeTakeFirst();
}

/** Which of these job ids still have a row (the blob sweeper removes the workspaces of the rest). */
export async function existingJobIds(db: Db, jobIds: readonly string[]): Promise<Set<string>> {
  const rows = await db.selectFrom("jobs").select("id").where("id", "in", jobIds).execute();
  return new Set(rows.map((r) => r.id));
}
