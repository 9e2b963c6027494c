/**
 * The status read: a document's latest job with its steps and the document's newest event id,
 * in ONE statement per request. One round trip instead of three on the busiest read (clients
 * poll status), and one snapshot, so the job and its steps never come from either side of a
 * transition. Scoped like every document read. Both dialects return the same one-row shape,
 * the latest job and its steps encoded by the database as JSON arrays in column order, because
 * both drivers turn every field of every row into a JavaScript value and that was the read's
 * cost (measured with `npm run bench:api`, see docs/BENCHMARKS.md): on SQLite the join's six
 * 42-column rows cost about 110 µs a read against 20 µs for this one row; on PostgreSQL the
 * job's columns as fields cost node-postgres a parser set-up per field per result.
 */
import { CompiledQuery } from "kysely";
import type { Database } from "../db/database.js";
import { compiledOnce, executePrepared } from "../db/prepared.js";
import { jobRowToJob, stepRowToStep, type JobRow, type JobStepRow } from "../engine/rows.js";
import type { JobStep } from "../domain/types.js";
import type { LoadedJob } from "./job-view.js";

/**
 * The columns of `jobs` and `job_steps`, in the order the SQLite shape encodes them. The
 * types below fail to compile when a column is added to the schema and not here.
 * `progress_percent`, a REAL, is read beside the JSON: SQLite writes reals into JSON with
 * 15 significant digits, which would change the value.
 */
const JOB_COLUMNS = [
  "id",
  "document_id",
  "collection_id",
  "owner_id",
  "batch_id",
  "pipeline",
  "options",
  "status",
  "priority",
  "attempt",
  "max_attempts",
  "run_at",
  "lease_owner",
  "lease_expires_at",
  "cancel_requested_at",
  "progress_phase",
  "progress_step",
  "progress_total",
  "progress_message",
  "error_code",
  "error_message",
  "review_reason",
  "created_at",
  "started_at",
  "completed_at",
  "updated_at",
  "version",
] as const satisfies readonly Exclude<keyof JobRow, "progress_percent">[];
const STEP_COLUMNS = [
  "job_id",
  "name",
  "position",
  "status",
  "attempts",
  "job_attempt",
  "started_at",
  "finished_at",
  "error_code",
  "error_message",
  "detail",
  "progress_done",
  "progress_total",
] as const satisfies readonly (keyof JobStepRow)[];
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
const everyJobColumn: Missing<Exclude<keyof JobRow, "progress_percent">, (typeof JOB_COLUMNS)[number]> = true;
const everyStepColumn: Missing<keyof JobStepRow, (typeof STEP_COLUMNS)[number]> = true;
void everyJobColumn;
void everyStepColumn;

/** SQLite: the status read's one-row statement; parameters: the document id, then (unless admin) the owner id. */
function sqliteStatement(admin: boolean): string {
  return `select
    (select max(e.id) from job_events e where e.document_id = d.id) as document_events_max,
    (select json_array(${JOB_COLUMNS.map((c) => `j.${c}`).join(", ")}) from jobs j where j.id = d.latest_job_id) as job,
    (select j.progress_percent from jobs j where j.id = d.latest_job_id) as progress_percent,
    (select json_group_array(json_array(${STEP_COLUMNS.map((c) => `s.${c}`).join(", ")}))
      from (select * from job_steps s where s.job_id = d.latest_job_id order by s.position) s) as steps
  from documents d
  where d.id = ? and d.deleted_at is null${admin ? "" : " and d.owner_id = ?"}`;
}

const SQLITE_ADMIN = sqliteStatement(true);
const SQLITE_OWNER = sqliteStatement(false);

interface StatusRow {
  document_events_max: number | string | null;
  job: string | null;
  progress_percent: number | null;
  steps: string;
}

function zip<K extends string>(columns: readonly K[], values: readonly unknown[]): Record<K, unknown> {
  const row = {} as Record<K, unknown>;
  for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
  return row;
}

/** The status read's row, either dialect: the job and its steps as JSON arrays in column order. */
function fromStatusRow(row: StatusRow): { loaded: LoadedJob | null; versionFloor: number } {
  const versionFloor = Number(row.document_events_max ?? 0);
  if (row.job === null) return { loaded: null, versionFloor };
  const jobRow = { ...zip(JOB_COLUMNS, JSON.parse(row.job) as unknown[]), progress_percent: row.progress_percent };
  const steps = (JSON.parse(row.steps) as unknown[][]).map((values) =>
    stepRowToStep(zip(STEP_COLUMNS, values) as JobStepRow),
  );
  return { loaded: { job: jobRowToJob(jobRow as JobRow), steps }, versionFloor };
}

/**
 * PostgreSQL: the same one-row shape as SQLite's, the latest job and its steps as JSON arrays
 * (sent as text, parsed once by JSON.parse). node-postgres turns every field of a row into a
 * JavaScript value through a parser per field, set up again for every result: the job's 29
 * columns as fields cost about 20 µs a read in `addFields` alone, and their parsing was the
 * route's largest CPU cost after the socket writes (docs/BENCHMARKS.md, #17). Parameters: the
 * document id, then (unless admin) the owner id.
 */
function postgresStatement(admin: boolean): string {
  return `select
    (select max(e.id) from job_events e where e.document_id = d.id) as document_events_max,
    case when j.id is null then null else json_build_array(${JOB_COLUMNS.map((c) => `j.${c}`).join(", ")})::text end as job,
    j.progress_percent,
    (select coalesce(json_agg(json_build_array(${STEP_COLUMNS.map((c) => `s.${c}`).join(", ")}) order by s.position), '[]')::text
      from job_steps s where s.job_id = j.id) as steps
  from documents d
  left join jobs j on j.id = d.latest_job_id
  where d.id = $1 and d.deleted_at is null${admin ? "" : " and d.owner_id = $2"}`;
}

const POSTGRES_ADMIN = postgresStatement(true);
const POSTGRES_OWNER = postgresStatement(false);

type Nullable<T> = { [K in keyof T]: T[K] | null };
/** A row of the event-state join: a job's columns, then one of its steps', prefixed. */
type JoinedStepRow = Nullable<JobRow> & { [K in keyof JobStepRow as `step_${K}`]: JobStepRow[K] | null };

/** The step of a joined row whose step columns are prefixed `step_`. */
function prefixedStep(row: { [K in keyof JobStepRow as `step_${K}`]: JobStepRow[K] | null }): JobStep {
  const step = {} as Record<string, unknown>;
  for (const c of STEP_COLUMNS) step[c] = row[`step_${c}`];
  return stepRowToStep(step as unknown as JobStepRow);
}

const DOCUMENT = "\u0000document";
const JOB = "\u0000job";
const DOCUMENT_AGAIN = "\u0000document2";

/**
 * What an event message shows (live-service.ts): the event's job and the document's latest
 * job, each with its steps, and which one is the latest, in ONE statement: the message of
 * every event is built before any SSE client gets it, so each round trip here is on the
 * event→client path (three before, each a PostgreSQL round trip). `documentId` is null for a
 * collection job's events.
 */
export async function loadEventState(
  database: Database,
  jobId: string,
  documentId: string | null,
): Promise<{ latestJobId: string | null; jobs: Map<string, LoadedJob> }> {
  const text = compiledOnce(database, "event-state", [DOCUMENT, JOB, DOCUMENT_AGAIN], ([document, job, again]) => {
    const latest = (id: string) =>
      database.db.selectFrom("documents").select("documents.latest_job_id").where("documents.id", "=", id);
    return database.db
      .selectFrom("jobs")
      .leftJoin("job_steps", "job_steps.job_id", "jobs.id")
      .selectAll("jobs")
      .select(STEP_COLUMNS.map((c) => `job_steps.${c} as step_${c}` as const))
      .select(() => latest(document!).as("document_latest_job_id"))
      .where((eb) => eb.or([eb("jobs.id", "=", job!), eb("jobs.id", "=", latest(again!))]))
      .orderBy("jobs.id")
      .orderBy("job_steps.position");
  });
  const rows = (await executePrepared(
    database,
    CompiledQuery.raw(text, [documentId, jobId, documentId]),
  )) as (JoinedStepRow & { document_latest_job_id: string | null })[];
  const jobs = new Map<string, LoadedJob>();
  for (const r of rows) {
    let loaded = jobs.get(r.id!);
    if (loaded === undefined) jobs.set(r.id!, (loaded = { job: jobRowToJob(r as JobRow), steps: [] }));
    if (r.step_job_id !== null) loaded.steps.push(prefixedStep(r));
  }
  return { latestJobId: rows[0]?.document_latest_job_id ?? null, jobs };
}

/**
 * A document's latest job with its steps. Resolves to undefined when the document is not
 * visible, null when it was never submitted.
 */
export async function loadDocumentStatus(
  database: Database,
  scope: { userId: string; admin: boolean },
  documentId: string,
): Promise<LoadedJob | null | undefined> {
  const read = await loadDocumentStatusVersioned(database, scope, documentId);
  return read === undefined ? undefined : read.loaded;
}

/**
 * loadDocumentStatus plus the document's newest event id, in the same statement. The status
 * version is the greater of that and the latest job's version: deleting a job appends an
 * event, so the version moves forward even when the status falls back to an older job (or
 * to `uploaded`), and a client caching by version never sees it go backwards.
 */
export async function loadDocumentStatusVersioned(
  database: Database,
  scope: { userId: string; admin: boolean },
  documentId: string,
): Promise<{ loaded: LoadedJob | null; versionFloor: number } | undefined> {
  const sqlite = database.dialect === "sqlite";
  const query = scope.admin
    ? CompiledQuery.raw(sqlite ? SQLITE_ADMIN : POSTGRES_ADMIN, [documentId])
    : CompiledQuery.raw(sqlite ? SQLITE_OWNER : POSTGRES_OWNER, [documentId, scope.userId]);
  const row = (await executePrepared(database, query))[0] as StatusRow | undefined;
  return row === undefined ? undefined : fromStatusRow(row);
}
