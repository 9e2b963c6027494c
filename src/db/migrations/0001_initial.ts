import { sql, type Kysely } from "kysely";

/**
 * The initial schema. Frozen in time: never edit a released migration, add a new one.
 * `dialect` is passed in because a few things differ: PostgreSQL gets an identity column
 * and a `tx` (xid8) column on job_events so the event feed can read in commit order.
 */
export async function up(db: Kysely<unknown>, dialect: "sqlite" | "postgres"): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  const time = (name: string, nullable = false) => sql.raw(`${name} ${bigint}${nullable ? "" : " not null"}`);

  await sql`create table users (
    id text primary key,
    email text not null unique,
    password_hash text not null,
    role text not null,
    disabled integer not null default 0,
    ${time("created_at")},
    ${time("updated_at")}
  )`.execute(db);

  await sql`create table api_tokens (
    id text primary key,
    user_id text not null references users(id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    token_prefix text not null,
    ${time("created_at")},
    ${time("last_used_at", true)},
    ${time("revoked_at", true)}
  )`.execute(db);
  await sql`create index api_tokens_user_idx on api_tokens(user_id)`.execute(db);

  await sql`create table sessions (
    id text primary key,
    user_id text not null references users(id) on delete cascade,
    token_hash text not null unique,
    csrf_token text not null,
    ${time("created_at")},
    ${time("expires_at")},
    ${time("last_seen_at")}
  )`.execute(db);
  await sql`create index sessions_user_idx on sessions(user_id)`.execute(db);

  await sql`create table documents (
    id text primary key,
    owner_id text not null references users(id),
    filename text not null,
    safe_filename text not null,
    mime_type text not null,
    size_bytes ${sql.raw(bigint)} not null,
    sha256 text not null,
    num_pages integer,
    blob_key text not null,
    latest_job_id text,
    ${time("created_at")},
    ${time("updated_at")},
    ${time("deleted_at", true)}
  )`.execute(db);
  // One live document per (owner, content): duplicates are answered with the existing one.
  await sql`create unique index documents_owner_sha_live_idx on documents(owner_id, sha256) where deleted_at is null`.execute(
    db,
  );
  await sql`create index documents_owner_created_idx on documents(owner_id, created_at)`.execute(db);

  await sql`create table batches (
    id text primary key,
    owner_id text not null references users(id),
    ${time("created_at")}
  )`.execute(db);

  await sql`create table jobs (
    id text primary key,
    document_id text not null references documents(id),
    owner_id text not null references users(id),
    batch_id text references batches(id),
    pipeline text not null,
    options text not null,
    status text not null,
    priority integer not null,
    attempt integer not null default 0,
    max_attempts integer not null,
    ${time("run_at")},
    lease_owner text,
    ${time("lease_expires_at", true)},
    ${time("cancel_requested_at", true)},
    progress_phase text,
    progress_step integer not null default 0,
    progress_total integer not null default 0,
    progress_percent real not null default 0,
    progress_message text,
    error_code text,
    error_message text,
    review_reason text,
    ${time("created_at")},
    ${time("started_at", true)},
    ${time("completed_at", true)},
    ${time("updated_at")},
    version ${sql.raw(bigint)} not null
  )`.execute(db);
  // The claim reads only pending rows: a partial index keeps it fast however many finished
  // jobs accumulate, in the claim's own order (priority desc, then age).
  await sql`create index jobs_claim_idx on jobs(priority desc, run_at, id) where status = 'pending'`.execute(db);
  await sql`create index jobs_lease_idx on jobs(lease_expires_at) where status = 'processing'`.execute(db);
  await sql`create index jobs_document_idx on jobs(document_id, created_at)`.execute(db);
  await sql`create index jobs_owner_idx on jobs(owner_id, created_at)`.execute(db);
  await sql`create index jobs_batch_idx on jobs(batch_id) where batch_id is not null`.execute(db);

  await sql`create table job_steps (
    job_id text not null references jobs(id) on delete cascade,
    name text not null,
    position integer not null,
    status text not null,
    attempts integer not null default 0,
    job_attempt integer not null default 0,
    ${time("started_at", true)},
    ${time("finished_at", true)},
    error_code text,
    error_message text,
    detail text,
    progress_done integer not null default 0,
    progress_total integer not null default 0,
    primary key (job_id, name)
  )`.execute(db);

  if (dialect === "postgres") {
    // `tx` records the writing transaction so readers can deliver events in an order that
    // never skips a late-committing lower id (see event-feed.ts).
    await sql`create table job_events (
      id bigint generated always as identity primary key,
      tx xid8 not null default pg_current_xact_id(),
      job_id text not null,
      document_id text not null,
      owner_id text not null,
      batch_id text,
      step text,
      status text not null,
      message text,
      detail text,
      attempt integer not null,
      created_at bigint not null
    )`.execute(db);
    await sql`create index job_events_tx_idx on job_events(tx, id)`.execute(db);
  } else {
    await sql`create table job_events (
      id integer primary key autoincrement,
      job_id text not null,
      document_id text not null,
      owner_id text not null,
      batch_id text,
      step text,
      status text not null,
      message text,
      detail text,
      attempt integer not null,
      created_at integer not null
    )`.execute(db);
  }
  // No foreign keys on the audit trail: it outlives deleted jobs.
  await sql`create index job_events_job_idx on job_events(job_id, id)`.execute(db);
  await sql`create index job_events_document_idx on job_events(document_id, id)`.execute(db);
  await sql`create index job_events_owner_idx on job_events(owner_id, id)`.execute(db);
  await sql`create index job_events_batch_idx on job_events(batch_id, id) where batch_id is not null`.execute(db);

  await sql`create table artifacts (
    id text primary key,
    job_id text not null references jobs(id) on delete cascade,
    document_id text not null,
    owner_id text not null,
    kind text not null,
    blob_key text not null,
    mime_type text not null,
    size_bytes ${sql.raw(bigint)} not null,
    ${time("created_at")},
    unique (job_id, kind)
  )`.execute(db);

  await sql`create table idempotency_keys (
    owner_id text not null,
    key text not null,
    request_hash text not null,
    response_status integer not null,
    response_body text not null,
    ${time("created_at")},
    primary key (owner_id, key)
  )`.execute(db);
}
