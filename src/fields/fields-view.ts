import { judgeExtraction } from "../extraction/judge.js";
import type {
  CheckResult,
  DocumentType,
  ExtractionCandidates,
  Fields,
  LineItem,
  ReviewThresholds,
  VatBreakdownRow,
} from "../extraction/types.js";
import type { DocumentFieldsRow } from "./fields-repository.js";
import type { FieldsJson, ReviewState } from "./fields-types.js";

/** A row's stored candidates (as extracted or corrected), before judgement. */
export function candidatesOf(row: DocumentFieldsRow): ExtractionCandidates {
  return {
    fields: JSON.parse(row.fields) as Fields,
    line_items: JSON.parse(row.line_items) as LineItem[],
    vat_breakdown: JSON.parse(row.vat_breakdown) as VatBreakdownRow[],
  };
}

/**
 * The one mapping from a stored extraction to what the API shows. The checks judge the
 * stored candidates on every read (a pure function, microseconds), so what is shown is always
 * the judgement of the current values under the current rules: a field that fails a check
 * can never be shown as fine, whoever set it.
 */
export function fieldsToJson(row: DocumentFieldsRow, version: number, thresholds: ReviewThresholds): FieldsJson {
  const candidates = candidatesOf(row);
  const type = row.document_type as DocumentType;
  const judged = judgeExtraction(candidates, type, {
    thresholds,
    ocrConfidence: row.ocr_confidence === null ? null : Number(row.ocr_confidence),
  });
  return {
    document_id: row.document_id,
    job_id: row.job_id,
    document_type: type,
    type_confidence: Number(row.type_confidence),
    fields: judged.fields,
    line_items: candidates.line_items,
    vat_breakdown: candidates.vat_breakdown,
    checks: judged.checks,
    template: row.template,
    needs_review: judged.review_reasons.length > 0,
    review_reasons: judged.review_reasons,
    review: {
      state: row.review_state as ReviewState,
      by: row.review_by,
      at: row.review_at === null ? null : new Date(Number(row.review_at)).toISOString(),
      note: row.review_note,
    },
    version,
  };
}

/** The stored judgement columns for a set of candidates (kept for lists; reads judge again). */
export function judgementColumns(
  candidates: ExtractionCandidates,
  type: DocumentType,
  ocrConfidence: number | null,
  thresholds: ReviewThresholds,
) {
  const judged = judgeExtraction(candidates, type, { thresholds, ocrConfidence });
  return {
    checks: JSON.stringify(judged.checks satisfies CheckResult[]),
    review_reasons: JSON.stringify(judged.review_reasons),
    needs_review: judged.review_reasons.length > 0 ? 1 : 0,
    reasons: judged.review_reasons,
  };
}
