import type { ExpressionBuilder, Selectable } from "kysely";
import type { DatabaseSchema, DocumentFieldsTable } from "../db/schema.js";
import type { Tx } from "../db/transaction.js";
import type { Database } from "../db/database.js";
import type { ExtractionCandidates } from "../extraction/types.js";
import type { Extraction, ReviewState } from "./fields-types.js";

export type DocumentFieldsRow = Selectable<DocumentFieldsTable>;

/**
 * When an extraction shows: once its step has succeeded, or when a person rejected it (the
 * rejection fails that step with review_rejected; the fields stay readable with their
 * rejected review until a retry runs the step again).
 */
const VISIBLE = (eb: ExpressionBuilder<DatabaseSchema, "job_steps">) =>
  eb.or([
    eb("job_steps.status", "=", "success"),
    eb.and([eb("job_steps.status", "=", "failure"), eb("job_steps.error_code", "=", "review_rejected")]),
  ]);
type Db = Database["db"] | Tx;

/** The extraction step's write: one row per job, replaced when the step runs again (a retry). */
export async function saveExtraction(
  db: Db,
  row: {
    jobId: string;
    documentId: string;
    ownerId: string;
    extraction: Extraction;
    candidates: ExtractionCandidates;
    ocrConfidence: number | null;
    now: number;
  },
): Promise<void> {
  const e = row.extraction;
  const values = {
    job_id: row.jobId,
    document_id: row.documentId,
    owner_id: row.ownerId,
    document_type: e.document_type,
    type_confidence: e.type_confidence,
    // The candidates before the checks judged them: a later correction is judged again from
    // these, so a judgement (its confidence boosts and caps) is never applied on top of another.
    fields: JSON.stringify(row.candidates.fields),
    line_items: JSON.stringify(e.line_items),
    vat_breakdown: JSON.stringify(e.vat_breakdown),
    checks: JSON.stringify(e.checks),
    ocr_confidence: row.ocrConfidence,
    template: e.template,
    review_reasons: JSON.stringify(e.review_reasons),
    needs_review: e.review_reasons.length > 0 ? 1 : 0,
    review_state: "pending" satisfies ReviewState,
    review_by: null,
    review_at: null,
    review_note: null,
    created_at: row.now,
    updated_at: row.now,
    version: 0,
  };
  await db
    .insertInto("document_fields")
    .values(values)
    .onConflict((oc) => oc.column("job_id").doUpdateSet({ ...values, job_id: undefined, created_at: undefined }))
    .execute();
}

/** A person's change to the fields (after the checks ran again), in the caller's transaction. */
export async function updateFields(
  trx: Tx,
  jobId: string,
  set: Partial<Omit<DocumentFieldsRow, "job_id" | "document_id" | "owner_id">>,
): Promise<void> {
  await trx.updateTable("document_fields").set(set).where("job_id", "=", jobId).execute();
}

/**
 * The extraction of a job, only once its `extract_fields` step has succeeded: the step writes
 * the row before it reports success, and until that success commits the row does not exist
 * as far as anyone reading is concerned (a failed or cancelled step's row never shows).
 */
export async function findVisibleExtraction(db: Db, jobId: string): Promise<DocumentFieldsRow | undefined> {
  return db
    .selectFrom("document_fields")
    .innerJoin("job_steps", (join) =>
      join.onRef("job_steps.job_id", "=", "document_fields.job_id").on("job_steps.name", "=", "extract_fields"),
    )
    .selectAll("document_fields")
    .where("document_fields.job_id", "=", jobId)
    .where((eb) => VISIBLE(eb))
    .executeTakeFirst();
}

/** Extractions of many jobs at once (the CSV export, the review queue), visible ones only. */
export async function findVisibleExtractions(
  db: Db,
  jobIds: readonly string[],
): Promise<Map<string, DocumentFieldsRow>> {
  const out = new Map<string, DocumentFieldsRow>();
  for (let i = 0; i < jobIds.length; i += 500) {
    const chunk = jobIds.slice(i, i + 500);
    if (chunk.length === 0) continue;
    const rows = await db
      .selectFrom("document_fields")
      .innerJoin("job_steps", (join) =>
        join.onRef("job_steps.job_id", "=", "document_fields.job_id").on("job_steps.name", "=", "extract_fields"),
      )
      .selectAll("document_fields")
      .where("document_fields.job_id", "in", chunk)
      .where((eb) => VISIBLE(eb))
      .execute();
    for (const row of rows) out.set(row.job_id, row);
  }
  return out;
}
