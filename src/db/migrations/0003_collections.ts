import { sql, type Kysely } from "kysely";

/**
 * Collections (#15). Frozen once released.
 *
 * `collections` is a user's named set of documents; `collection_documents` keeps its
 * members in order (`position`), with the owner repeated so every read can be scoped to
 * it without a join. Collections are soft-deleted (`deleted_at`): the collection job and
 * its events keep pointing at the row, and the documents stay.
 *
 * A collection job (the compile stage) has no document: `jobs.document_id`,
 * `job_events.document_id` and `artifacts.document_id` become nullable, and `jobs` and
 * `job_events` gain `collection_id`.
 *
 * PostgreSQL can drop a NOT NULL in place. SQLite cannot, so `jobs` and `job_events` are
 * rebuilt with the procedure of https://www.sqlite.org/lang_altertable.html#otheralter:
 * the migrator turns foreign keys off around this migration (`foreignKeysOff`), the new
 * table is filled, the old one dropped, the new one renamed, every index recreated, and
 * `foreign_key_check` must find nothing before the transaction commits. With foreign keys
 * on, dropping `jobs` would cascade into `job_steps`, `artifacts` and `document_fields`.
 */
export const foreignKeysOff = true;

export async function up(db: Kysely<unknown>, dialect: "sqlite" | "postgres"): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  const time = (name: string, nullable = false) => sql.raw(`${name} ${bigint}${nullable ? "" : " not null"}`);

  await sql`create table collections (
    id text primary key,
    owner_id text not null references users(id),
    name text not null,
    ${time("created_at")},
    ${time("updated_at")},
    ${time("deleted_at", true)},
    version ${sql.raw(bigint)} not null
  )`.execute(db);
  await sql`create index collections_owner_idx on collections(owner_id, created_at) where deleted_at is null`.execute(
    db,
  );

  await sql`create table collection_documents (
    collection_id text not null references collections(id) on delete cascade,
    document_id text not null references documents(id),
    owner_id text not null,
    position integer not null,
    ${time("added_at")},
    primary key (collection_id, document_id)
  )`.execute(db);
  await sql`create index collection_documents_order_idx on collection_documents(collection_id, position)`.execute(db);
  await sql`create index collection_documents_document_idx on collection_documents(document_id)`.execute(db);

  if (dialect === "postgres") {
    await sql`alter table jobs alter column document_id drop not null`.execute(db);
    await sql`alter table jobs add column collection_id text references collections(id)`.execute(db);
    await sql`alter table job_events alter column document_id drop not null`.execute(db);
    await sql`alter table job_events add column collection_id text`.execute(db);
    await sql`alter table artifacts alter column document_id drop not null`.execute(db);
  } else {
    await rebuildSqliteJobs(db);
    await rebuildSqliteJobEvents(db);
    await rebuildSqliteArtifacts(db);
    const problems = await sql`pragma foreign_key_check`.execute(db);
    if (problems.rows.length > 0) {
      throw new Error(`0003_collections: foreign key check failed: ${JSON.stringify(problems.rows.slice(0, 5))}`);
    }
  }
  await sql`create index jobs_collection_idx on jobs(collection_id, created_at) where collection_id is not null`.execute(
    db,
  );
  await sql`create index job_events_collection_idx on job_events(collection_id, id) where collection_id is not null`.execute(
    db,
  );
}

const JOB_COLUMNS = `id, document_id, owner_id, batch_id, pipeline, options, status, priority, attempt,
  max_attempts, run_at, lease_owner, lease_expires_at, cancel_requested_at, progress_phase, progress_step,
  progress_total, progress_percent, progress_message, error_code, error_message, review_reason, created_at,
  started_at, completed_at, updated_at, version`;

async function rebuildSqliteJobs(db: Kysely<unknown>): Promise<void> {
  // Same columns as 0001_initial, document_id without NOT NULL, plus collection_id.
  await sql`create table jobs_new (
    id text primary key,
    document_id text references documents(id),
    owner_id text not null references users(id),
    batch_id text references batches(id),
    pipeline text not null,
    options text not null,
    status text not null,
    priority integer not null,
    attempt integer not null default 0,
    max_attempts integer not null,
    run_at integer not null,
    lease_owner text,
    lease_expires_at integer,
    cancel_requested_at integer,
    progress_phase text,
    progress_step integer not null default 0,
    progress_total integer not null default 0,
    progress_percent real not null default 0,
    progress_message text,
    error_code text,
    error_message text,
    review_reason text,
    created_at integer not null,
    started_at integer,
    completed_at integer,
    updated_at integer not null,
    version integer not null,
    collection_id text references collections(id)
  )`.execute(db);
  await sql`insert into jobs_new (${sql.raw(JOB_COLUMNS)}) select ${sql.raw(JOB_COLUMNS)} from jobs`.execute(db);
  await sql`drop table jobs`.execute(db);
  await sql`alter table jobs_new rename to jobs`.execute(db);
  // The indexes of 0001_initial, unchanged.
  await sql`create index jobs_claim_idx on jobs(priority desc, run_at, id) where status = 'pending'`.execute(db);
  await sql`create index jobs_lease_idx on jobs(lease_expires_at) where status = 'processing'`.execute(db);
  await sql`create index jobs_document_idx on jobs(document_id, created_at)`.execute(db);
  await sql`create index jobs_owner_idx on jobs(owner_id, created_at)`.execute(db);
  await sql`create index jobs_batch_idx on jobs(batch_id) where batch_id is not null`.execute(db);
}

const EVENT_COLUMNS = "id, job_id, document_id, owner_id, batch_id, step, status, message, detail, attempt, created_at";

async function rebuildSqliteJobEvents(db: Kysely<unknown>): Promise<void> {
  // Event ids are versions (the status ETag): the AUTOINCREMENT high-water mark must carry
  // over, or an id used by a since-deleted row could be handed out again.
  const sequence = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'job_events'`.execute(db);
  await sql`create table job_events_new (
    id integer primary key autoincrement,
    job_id text not null,
    document_id text,
    owner_id text not null,
    batch_id text,
    step text,
    status text not null,
    message text,
    detail text,
    attempt integer not null,
    created_at integer not null,
    collection_id text
  )`.execute(db);
  await sql`insert into job_events_new (${sql.raw(EVENT_COLUMNS)}) select ${sql.raw(EVENT_COLUMNS)} from job_events`.execute(
    db,
  );
  await sql`drop table job_events`.execute(db);
  await sql`alter table job_events_new rename to job_events`.execute(db);
  const seq = sequence.rows[0]?.seq;
  if (seq !== undefined) {
    await sql`update sqlite_sequence set seq = max(seq, ${seq}) where name = 'job_events'`.execute(db);
    await sql`insert into sqlite_sequence (name, seq) select 'job_events', ${seq} where not exists (select 1 from sqlite_sequence where name = 'job_events')`.execute(
      db,
    );
  }
  await sql`create index job_events_job_idx on job_events(job_id, id)`.execute(db);
  await sql`create index job_events_document_idx on job_events(document_id, id)`.execute(db);
  await sql`create index job_events_owner_idx on job_events(owner_id, id)`.execute(db);
  await sql`create index job_events_batch_idx on job_events(batch_id, id) where batch_id is not null`.execute(db);
}

async function rebuildSqliteArtifacts(db: Kysely<unknown>): Promise<void> {
  await sql`create table artifacts_new (
    id text primary key,
    job_id text not null references jobs(id) on delete cascade,
    document_id text,
    owner_id text not null,
    kind text not null,
    blob_key text not null,
    mime_type text not null,
    size_bytes integer not null,
    created_at integer not null,
    unique (job_id, kind)
  )`.execute(db);
  const columns = "id, job_id, document_id, owner_id, kind, blob_key, mime_type, size_bytes, created_at";
  await sql`insert into artifacts_new (${sql.raw(columns)}) select ${sql.raw(columns)} from artifacts`.execute(db);
  await sql`drop table artifacts`.execute(db);
  await sql`alter table artifacts_new rename to artifacts`.execute(db);
}
