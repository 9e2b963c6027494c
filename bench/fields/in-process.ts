/**
 * Extraction in the bench's own process: what the extract_fields step does without templates
 * or an LLM (neither is configured by default) — classify unless the type is given, the
 * generic rules, then the checks that judge the candidates. The bench measures the rules; the
 * step itself is measured end to end through the API.
 */
import type { DocumentModel } from "../../src/domain/document-model.js";
import { classifyDocument } from "../../src/extraction/classify.js";
import { judgeExtraction } from "../../src/extraction/judge.js";
import { extractWithRules } from "../../src/extraction/rules/index.js";
import {
  DEFAULT_REVIEW_THRESHOLDS,
  type CheckResult,
  type DocumentType,
  type ExtractMode,
  type Fields,
} from "../../src/extraction/types.js";

export interface InProcessExtraction {
  type: DocumentType;
  fields: Fields;
  checks: CheckResult[];
}

export function extractInProcess(model: DocumentModel, mode: Exclude<ExtractMode, "off">): InProcessExtraction {
  const type: DocumentType = mode === "auto" ? classifyDocument(model).type : mode;
  const candidates =
    type === "other" ? { fields: {}, line_items: [], vat_breakdown: [] } : extractWithRules(model, type);
  const read = model.pages.filter((p) => p.source === "ocr" && p.blocks.length > 0);
  const ocrConfidence = read.length === 0 ? null : read.reduce((s, p) => s + p.confidence, 0) / read.length;
  const judged = judgeExtraction(candidates, type, { thresholds: DEFAULT_REVIEW_THRESHOLDS, ocrConfidence });
  return { type, fields: judged.fields, checks: judged.checks };
}
