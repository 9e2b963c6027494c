/**
 * The judgement of a set of candidates, whoever produced them (rules, template, LLM, a person):
 * run every check, calibrate each field's confidence by the checks, and say why a person
 * should look at the document. Pure, and cheap enough to run on every read.
 */
import { runChecks } from "./checks/index.js";
import {
  FIELD_NAMES,
  REQUIRED_FIELDS,
  type CheckResult,
  type DocumentType,
  type ExtractionCandidates,
  type FieldName,
  type Fields,
  type ReviewThresholds,
} from "./types.js";

/** A field a check failed is never near fine, whatever its producer thought of it. */
export const FAILED_CHECK_CEILING = 0.3;
/** A passing cross-check halves the doubt left in a field; never quite to 1 unless a person set it. */
const CONFIRMED_DOUBT_FACTOR = 0.5;
const CONFIRMED_CEILING = 0.99;

export interface Judgement {
  fields: Fields;
  checks: CheckResult[];
  review_reasons: string[];
}

export function judgeExtraction(
  candidates: ExtractionCandidates,
  type: DocumentType,
  opts: { thresholds: ReviewThresholds; ocrConfidence: number | null },
): Judgement {
  const checks = runChecks(candidates, type);
  const failed = new Set<FieldName>();
  const confirmations = new Map<FieldName, number>();
  for (const check of checks) {
    // "required" names the fields that are absent: there is nothing to calibrate.
    if (check.name === "required") continue;
    for (const name of check.fields) {
      if (!check.ok) failed.add(name);
      else confirmations.set(name, (confirmations.get(name) ?? 0) + 1);
    }
  }

  const fields: Fields = {};
  for (const name of FIELD_NAMES) {
    const field = candidates.fields[name];
    if (!field) continue;
    let confidence = clamp(field.confidence);
    if (failed.has(name)) confidence = Math.min(confidence, FAILED_CHECK_CEILING);
    else {
      const times = confirmations.get(name) ?? 0;
      if (times > 0 && confidence < CONFIRMED_CEILING)
        confidence = Math.min(CONFIRMED_CEILING, 1 - (1 - confidence) * CONFIRMED_DOUBT_FACTOR ** times);
    }
    fields[name] = { ...field, confidence: round(confidence) };
  }

  return { fields, checks, review_reasons: reviewReasons(fields, checks, type, opts) };
}

function reviewReasons(
  fields: Fields,
  checks: CheckResult[],
  type: DocumentType,
  opts: { thresholds: ReviewThresholds; ocrConfidence: number | null },
): string[] {
  const reasons: string[] = [];
  if (opts.ocrConfidence !== null && opts.ocrConfidence < opts.thresholds.ocrConfidence) {
    reasons.push(`Low OCR confidence (${Math.round(opts.ocrConfidence)} %)`);
  }
  for (const name of REQUIRED_FIELDS[type]) if (!fields[name]) reasons.push(`Required field ${name} is missing`);
  for (const check of checks) if (!check.ok && check.name !== "required") reasons.push(check.message);
  const failedFields = new Set(checks.filter((c) => !c.ok).flatMap((c) => c.fields));
  for (const name of REQUIRED_FIELDS[type]) {
    const field = fields[name];
    if (field && !failedFields.has(name) && field.confidence < opts.thresholds.fieldConfidence) {
      reasons.push(`Low confidence for ${name} (${field.confidence.toFixed(2)})`);
    }
  }
  return [...new Set(reasons)];
}

const clamp = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
const round = (n: number) => Math.round(n * 1000) / 1000;
