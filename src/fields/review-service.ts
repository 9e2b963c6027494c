import type { Database } from "../db/database.js";
import { writeTransaction, type Tx } from "../db/transaction.js";
import type { Notifier } from "../engine/notifier.js";
import { applyTransition } from "../engine/apply-transition.js";
import { refOf } from "../engine/queue-kit.js";
import type { EventInput } from "../engine/transition.js";
import type { JobRow, JobStepRow } from "../engine/rows.js";
import { DocketError } from "../errors.js";
import { normalizeField } from "../extraction/normalize/index.js";
import {
  FIELD_NAMES,
  isFieldName,
  type DocumentType,
  type Field,
  type FieldName,
  type FieldSource,
  type ReviewThresholds,
} from "../extraction/types.js";
import type { Logger } from "../logger.js";
import type { Scope } from "../documents/document-service.js";
import { findLiveDocumentHead } from "../documents/document-repository.js";
import { lockJob, stepsOfJob } from "../jobs/job-reads.js";
import { findVisibleExtraction, updateFields, type DocumentFieldsRow } from "./fields-repository.js";
import type { FieldsJson, ReviewDecision } from "./fields-types.js";
import { candidatesOf, fieldsToJson, judgementColumns } from "./fields-view.js";

/** Who made a change: shown in the history as `by`. */
export interface Reviewer {
  userId: string;
  email: string;
}

/** A person's value for a field: the text, or null to clear it; optionally where on the page they took it from. */
export type FieldChange = string | null | { value: string | null; source?: FieldSource | null };

/**
 * Corrections and review decisions. Each runs in ONE transaction that locks the document's
 * latest job, checks the caller's version (If-Match), writes the fields row, appends one event
 * per change (detail: field, old, new, by) and moves the job row through the same transition
 * function as the engine, so the unified status (manual_review → completed on approval,
 * → failed on rejection) changes in the same commit as the decision that causes it.
 */
export class ReviewService {
  constructor(
    private readonly database: Database,
    private readonly notifier: Notifier,
    private readonly thresholds: ReviewThresholds,
    private readonly log: Logger,
  ) {}

  /** Validates and normalises the changes before any lock is taken; 400 lists every bad field. */
  normalizeChanges(changes: Record<string, FieldChange>): NormalizedChanges {
    const out: NormalizedChanges = new Map();
    const errors: { field: string; message: string }[] = [];
    for (const [name, change] of Object.entries(changes)) {
      if (!isFieldName(name)) {
        errors.push({ field: `fields.${name}`, message: `unknown field; fields are ${FIELD_NAMES.join(", ")}` });
        continue;
      }
      const { value, source } =
        typeof change === "object" && change !== null ? change : { value: change, source: undefined };
      if (value === null || value.trim() === "") {
        out.set(name, { value: null, raw: null, source: undefined });
        continue;
      }
      const normalized = normalizeField(name, value);
      if (!normalized.ok) errors.push({ field: `fields.${name}`, message: normalized.message });
      else out.set(name, { value: normalized.value, raw: value.trim(), source });
    }
    if (errors.length > 0) {
      throw new DocketError("validation_error", errors.map((e) => `${e.field}: ${e.message}`).join("; "), {
        details: { errors, fields: errors.map((e) => e.field) },
      });
    }
    if (out.size === 0)
      throw new DocketError("validation_error", "no fields to change", { details: { fields: ["fields"] } });
    return out;
  }

  async correct(
    scope: Scope,
    who: Reviewer,
    documentId: string,
    expectedVersion: string | null,
    changes: Record<string, FieldChange>,
    documentType?: DocumentType,
  ): Promise<FieldsJson> {
    const normalized: NormalizedChanges =
      Object.keys(changes).length === 0 && documentType ? new Map() : this.normalizeChanges(changes);
    const json = await writeTransaction(this.database, async (trx) => {
      const { job, row } = await this.lockReviewable(trx, scope, documentId, expectedVersion);
      const candidates = candidatesOf(row);
      const now = Date.now();
      const events: EventInput[] = [];
      for (const [name, change] of normalized) {
        const old = candidates.fields[name] ?? null;
        if ((old?.value ?? null) === change.value) continue;
        if (change.value === null) delete candidates.fields[name];
        else {
          const field: Field = {
            value: change.value,
            raw: change.raw ?? change.value,
            confidence: 1,
            // Kept when the person only retyped the same words; a new value read elsewhere has
            // the box they clicked, or none.
            source: change.source === undefined ? (old && old.raw === change.raw ? old.source : null) : change.source,
            origin: "manual",
          };
          candidates.fields[name] = field;
        }
        events.push(
          event(job, now, "fields_updated", `${who.email} changed ${name}`, {
            field: name,
            old: old?.value ?? null,
            new: change.value,
            by: who.email,
            by_id: who.userId,
          }),
        );
      }
      const type = documentType ?? (row.document_type as DocumentType);
      if (type !== row.document_type) {
        events.push(
          event(job, now, "fields_updated", `${who.email} changed document_type`, {
            field: "document_type",
            old: row.document_type,
            new: type,
            by: who.email,
            by_id: who.userId,
          }),
        );
      }
      if (events.length === 0) return fieldsToJson(row, Number(job.version), this.thresholds);
      const judged = judgementColumns(candidates, type, nullableNumber(row.ocr_confidence), this.thresholds);
      const inReview = job.review_reason !== null;
      const version = await applyTransition(trx, {
        job: refOf(job),
        expectStatus: "completed",
        // Still in review until someone approves: the reason now says what is left to check.
        jobSet: { updated_at: now, ...(inReview ? { review_reason: reviewMessage(judged.reasons, who.email) } : {}) },
        events,
      });
      const set = {
        document_type: type,
        ...(type !== row.document_type ? { type_confidence: 1 } : {}),
        fields: JSON.stringify(candidates.fields),
        checks: judged.checks,
        review_reasons: judged.review_reasons,
        needs_review: judged.needs_review,
        updated_at: now,
        version,
      };
      await updateFields(trx, row.job_id, set);
      return fieldsToJson({ ...row, ...set }, version, this.thresholds);
    });
    this.notifier.publish("events");
    return json;
  }

  async decide(
    scope: Scope,
    who: Reviewer,
    documentId: string,
    decision: ReviewDecision,
    note: string | null,
    expectedVersion: string | null = null,
  ): Promise<FieldsJson> {
    const json = await writeTransaction(this.database, async (trx) => {
      const { job, row, steps } = await this.lockReviewable(trx, scope, documentId, expectedVersion);
      const now = Date.now();
      const detail = { decision, note, by: who.email, by_id: who.userId };
      let version: number;
      if (decision === "approve") {
        version = await applyTransition(trx, {
          job: refOf(job),
          expectStatus: "completed",
          jobSet: { review_reason: null, updated_at: now },
          events: [event(job, now, "review_approved", `Approved by ${who.email}${note ? `: ${note}` : ""}`, detail)],
        });
      } else {
        version = await this.reject(trx, job, steps, now, who, note, detail);
      }
      const set = {
        review_state: decision === "approve" ? "approved" : "rejected",
        review_by: who.email,
        review_at: now,
        review_note: note,
        updated_at: now,
        version,
      };
      await updateFields(trx, row.job_id, set);
      return fieldsToJson({ ...row, ...set }, version, this.thresholds);
    });
    this.log.info({ documentId, decision, by: who.userId }, "review decision");
    this.notifier.publish("events");
    return json;
  }

  /**
   * A rejection fails the job with `review_rejected` at its extraction step, and sets the
   * steps after it back to pending: a retry then extracts again (a new template, a corrected
   * rule) and rewrites the outputs, without OCR running again. The step rows change exactly as
   * the folded events say (step-events.ts), so the ledger's rebuild agrees.
   */
  private async reject(
    trx: Tx,
    job: JobRow,
    steps: StepRow[],
    now: number,
    who: Reviewer,
    note: string | null,
    detail: Record<string, unknown>,
  ): Promise<number> {
    const message = `Rejected in review by ${who.email}${note ? `: ${note}` : ""}`;
    const error = { code: "review_rejected", message };
    const extract = steps.find((s) => s.name === "extract_fields");
    const later = extract ? steps.filter((s) => s.position > extract.position) : [];
    return applyTransition(trx, {
      job: refOf(job),
      expectStatus: "completed",
      jobSet: {
        status: "failed",
        error_code: error.code,
        error_message: message,
        review_reason: null,
        updated_at: now,
      },
      // The step rows follow from the events (step-events.ts), as for every transition.
      steps,
      events: [
        ...(extract ? [event(job, now, "failure", message, { error, review: detail }, extract.name)] : []),
        ...later.map((s) => event(job, now, "pending", "Will run again after a retry", { reset: true }, s.name)),
        event(job, now, "failed", message, { error, review: detail }),
      ],
    });
  }

  /**
   * The document's latest job, locked, with its visible extraction. Only a completed job's
   * fields whose review is still pending can be corrected or decided on: a running job is
   * about to replace them, a failed one has none to stand behind, and a decision is final.
   */
  private async lockReviewable(
    trx: Tx,
    scope: Scope,
    documentId: string,
    expectedVersion: string | null,
  ): Promise<{ job: JobRow; row: DocumentFieldsRow; steps: StepRow[] }> {
    const document = await findLiveDocumentHead(trx, scope, documentId);
    if (!document) throw new DocketError("not_found", "document not found");
    if (!document.latest_job_id)
      throw new DocketError("not_ready", "the document has not been processed; there are no fields yet");
    const job = await lockJob(trx, this.database.dialect, document.latest_job_id);
    const row = await findVisibleExtraction(trx, job.id);
    if (!row)
      throw new DocketError(
        "not_ready",
        job.status === "completed"
          ? "this document's job did not extract fields (extract: off)"
          : `fields are not extracted yet (the job is ${job.status})`,
      );
    if (expectedVersion !== null && String(job.version) !== expectedVersion) {
      throw new DocketError(
        "version_mismatch",
        `the fields changed since version ${expectedVersion} (now ${job.version}); read them again`,
        { details: { version: Number(job.version) } },
      );
    }
    if (job.status !== "completed")
      throw new DocketError(
        "not_reviewable",
        `the document's job is ${job.status}; only a completed job's fields can be reviewed`,
      );
    // A decision is final for this job: fields a person approved do not change under them
    // afterwards. Processing the document again starts a new review.
    if (row.review_state !== "pending") {
      throw new DocketError(
        "not_reviewable",
        `the fields were already ${row.review_state} by ${row.review_by ?? "someone"}; submit the document again to review it anew`,
      );
    }
    const steps = await stepsOfJob(trx, job.id);
    return { job, row, steps };
  }
}

type StepRow = JobStepRow;
type NormalizedChanges = Map<
  FieldName,
  { value: string | null; raw: string | null; source: FieldSource | null | undefined }
>;

function event(
  job: JobRow,
  now: number,
  status: string,
  message: string,
  detail: Record<string, unknown>,
  step: string | null = null,
): EventInput {
  return {
    jobId: job.id,
    documentId: job.document_id,
    collectionId: job.collection_id,
    ownerId: job.owner_id,
    batchId: job.batch_id,
    step,
    status,
    message,
    detail,
    attempt: job.attempt,
    createdAt: now,
  };
}

function reviewMessage(reasons: string[], by: string): string {
  return reasons.length > 0 ? reasons.join("; ") : `Corrected by ${by}; waiting for approval`;
}

const nullableNumber = (v: number | null) => (v === null ? null : Number(v));
