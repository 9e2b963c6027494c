import { sql, type Kysely } from "kysely";

/**
 * One active job per document (#15). Frozen once released.
 *
 * A partial unique index on `jobs(document_id)` over the pending and processing rows makes
 * "one active job per document" a property of the database, not of a read before an
 * insert: enqueue inserts with `ON CONFLICT (document_id) WHERE <this predicate> DO NOTHING`
 * (PostgreSQL waits for a concurrent inserter's commit), and a retry that would make a
 * second job of the document active fails instead of committing.
 *
 * A database written before this rule may hold several active jobs for one document. The
 * index cannot be built over them, so the older ones are cancelled first, the way the
 * engine cancels a job: a `cancelled` event for each of its pending or running steps and
 * one for the job, the same change to those step rows (so `docket steps verify` still finds
 * job_steps equal to the fold of job_events), the lease dropped, and the version moved to
 * the newest event's id. The job kept is the one the document's status already shows
 * (`documents.latest_job_id`) when it is active, else the newest; a worker still running a
 * cancelled one loses its fence (status is no longer `processing`) at its next write.
 */
/** The index's predicate, for the rows of `alias` (enqueue's ON CONFLICT repeats it word for word). */
const active = (alias: string) =>
  sql.raw(`${alias}.document_id is not null and ${alias}.status in ('pending', 'processing')`);

const MESSAGE = "Cancelled: another job of this document is active (one active job per document)";

export async function up(db: Kysely<unknown>): Promise<void> {
  const now = Date.now();
  // Every active job but the one kept, per document (rank 1 is kept).
  await sql`create temporary table superseded_jobs as
    select id, kept_id from (
      select j.id,
        row_number() over w as rank,
        first_value(j.id) over w as kept_id
      from jobs j
      join documents d on d.id = j.document_id
      where ${active("j")}
      window w as (
        partition by j.document_id
        order by case when j.id = d.latest_job_id then 0 else 1 end, j.created_at desc, j.id desc
      )
    ) ranked
    where rank > 1`.execute(db);

  const found = await sql<{ n: number | string }>`select count(*) as n from superseded_jobs`.execute(db);
  if (Number(found.rows[0]?.n ?? 0) > 0) {
    // The steps' events first, in position order, then the job's: as the engine's cancel writes them.
    await sql`insert into job_events (job_id, document_id, collection_id, owner_id, batch_id, step, status, message, detail, attempt, created_at)
      select j.id, j.document_id, j.collection_id, j.owner_id, j.batch_id, s.name, 'cancelled', 'Cancelled', null, j.attempt, ${now}
      from superseded_jobs x
      join jobs j on j.id = x.id
      join job_steps s on s.job_id = j.id and s.status in ('pending', 'in_progress')
      order by j.id, s.position`.execute(db);
    await sql`insert into job_events (job_id, document_id, collection_id, owner_id, batch_id, step, status, message, detail, attempt, created_at)
      select j.id, j.document_id, j.collection_id, j.owner_id, j.batch_id, null, 'cancelled', ${MESSAGE},
        '{"superseded_by":"' || x.kept_id || '","migration":"0005_one_active_job"}', j.attempt, ${now}
      from superseded_jobs x
      join jobs j on j.id = x.id
      order by j.id`.execute(db);
    await sql`update job_steps set status = 'cancelled', finished_at = ${now}
      where job_id in (select id from superseded_jobs) and status in ('pending', 'in_progress')`.execute(db);
    await sql`update jobs set
        status = 'cancelled',
        completed_at = ${now},
        updated_at = ${now},
        lease_owner = null,
        lease_expires_at = null,
        cancel_requested_at = null,
        progress_message = ${MESSAGE},
        version = (select max(e.id) from job_events e where e.job_id = jobs.id)
      where id in (select id from superseded_jobs)`.execute(db);
  }
  await sql`drop table superseded_jobs`.execute(db);

  await sql`create unique index jobs_one_active_per_document_idx on jobs(document_id)
    where document_id is not null and status in ('pending', 'processing')`.execute(db);
}
