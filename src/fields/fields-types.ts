import type { CheckResult, DocumentType, Extraction, Fields, LineItem, VatBreakdownRow } from "../extraction/types.js";

export type { Extraction };

export const REVIEW_STATES = ["pending", "approved", "rejected"] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

export const REVIEW_DECISIONS = ["approve", "reject"] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** The fields of a document as the API shows them (API.md, GET /api/v1/documents/:id/fields). */
export interface FieldsJson {
  document_id: string;
  job_id: string;
  document_type: DocumentType;
  type_confidence: number;
  fields: Fields;
  line_items: LineItem[];
  vat_breakdown: VatBreakdownRow[];
  checks: CheckResult[];
  template: string | null;
  needs_review: boolean;
  review_reasons: string[];
  review: { state: ReviewState; by: string | null; at: string | null; note: string | null };
  /** The ETag: the job's version, which every change to the fields or the review moves on. */
  version: number;
}
