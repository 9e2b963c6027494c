import { sql, type Kysely } from "kysely";

/**
 * Field extraction and review (#14). Frozen once released.
 *
 * `document_fields` holds one row per job that extracted fields: the document's fields are
 * its latest job's row. `fields` keeps the candidates as extracted or corrected (before the
 * checks judge them); `checks` and `review_reasons` are the latest judgement, kept for lists. The row is visible only once the job's `extract_fields` step has
 * succeeded (readers join the step), so a failed or half-run extraction never shows.
 * Every later change (a person's correction, a review decision) is also an event in
 * `job_events`, and `version` is that event's id, so the ETag grows with each change.
 *
 * `extraction_templates` keeps templates uploaded through the admin route (invoice2data's
 * YAML as text), shared by every process on the database.
 */
export async function up(db: Kysely<unknown>, dialect: "sqlite" | "postgres"): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  const real = dialect === "postgres" ? "double precision" : "real";
  const time = (name: string, nullable = false) => sql.raw(`${name} ${bigint}${nullable ? "" : " not null"}`);

  await sql`create table document_fields (
    job_id text primary key references jobs(id) on delete cascade,
    document_id text not null,
    owner_id text not null,
    document_type text not null,
    type_confidence ${sql.raw(real)} not null,
    fields text not null,
    line_items text not null,
    vat_breakdown text not null,
    checks text not null,
    ocr_confidence ${sql.raw(real)},
    template text,
    review_reasons text not null,
    needs_review integer not null,
    review_state text not null,
    review_by text,
    ${time("review_at", true)},
    review_note text,
    ${time("created_at")},
    ${time("updated_at")},
    version ${sql.raw(bigint)} not null
  )`.execute(db);
  await sql`create index document_fields_document_idx on document_fields(document_id)`.execute(db);
  await sql`create index document_fields_owner_idx on document_fields(owner_id, document_id)`.execute(db);

  await sql`create table extraction_templates (
    name text primary key,
    yaml text not null,
    created_by text not null,
    ${time("created_at")},
    ${time("updated_at")}
  )`.execute(db);
}
