import type { DocumentModel } from "../domain/document-model.js";
import { DocketError } from "../errors.js";
import type { Logger } from "../logger.js";
import { classifyDocument } from "./classify.js";
import { buildDocumentText } from "./document-text.js";
import { judgeExtraction } from "./judge.js";
import type { LlmExtractor } from "./llm/llm-extractor.js";
import { extractWithRules } from "./rules/index.js";
import { applyTemplate, matchTemplate } from "./templates/apply-template.js";
import type { InvoiceTemplate } from "./templates/template-schema.js";
import {
  FIELD_NAMES,
  type DocumentType,
  type ExtractionCandidates,
  type Extraction,
  type ExtractMode,
  type Fields,
  type ReviewThresholds,
} from "./types.js";

/** What extraction may use besides the document: templates, the optional LLM, the review thresholds. */
export interface ExtractionDeps {
  /** The templates known now (directory and uploaded); absent: none. */
  templates?: () => Promise<InvoiceTemplate[]>;
  llm?: LlmExtractor;
  thresholds: ReviewThresholds;
  log: Logger;
}

/** What happened on the way, for the step's detail (no document text, no secrets). */
export interface ExtractionTrace {
  template: string | null;
  llm: "unused" | "used" | "unavailable";
  llm_error?: string;
}

/**
 * One document's extraction: classify (unless the caller fixed the type), then candidates
 * from the generic rules, a matching template (which beats the rules field by field) and
 * the LLM when one is configured (which fills what the others did not find), and finally
 * the checks that judge every candidate the same way, whatever produced it.
 */
export async function extractDocument(
  model: DocumentModel,
  mode: Exclude<ExtractMode, "off">,
  deps: ExtractionDeps,
  signal: AbortSignal,
): Promise<{
  extraction: Extraction;
  candidates: ExtractionCandidates;
  ocrConfidence: number | null;
  trace: ExtractionTrace;
}> {
  const classified = mode === "auto" ? classifyDocument(model) : { type: mode as DocumentType, confidence: 1 };
  let type: DocumentType = classified.type;
  let typeConfidence = classified.confidence;
  const text = buildDocumentText(model);
  const trace: ExtractionTrace = { template: null, llm: "unused" };

  const template = deps.templates ? matchTemplate(await deps.templates(), text) : null;
  signal.throwIfAborted();
  // A template names an issuer's invoices: its match is stronger evidence of the type than cues.
  if (template && type !== "invoice" && mode === "auto") {
    type = "invoice";
    typeConfidence = Math.max(typeConfidence, 0.9);
  }
  let candidates: ExtractionCandidates =
    type === "other" ? { fields: {}, line_items: [], vat_breakdown: [] } : extractWithRules(model, type);
  if (template) {
    const fromTemplate = applyTemplate(template, text);
    candidates = preferFirst(fromTemplate, candidates);
    trace.template = template.name;
  }

  // The LLM reads what the rules read, and also what they could not classify with confidence.
  if (deps.llm && (type !== "other" || typeConfidence < UNSURE_TYPE)) {
    try {
      const answer = await deps.llm.extract(text, mode === "auto" ? (type === "other" ? "auto" : type) : mode, signal);
      if (mode === "auto" && type === "other" && answer.document_type && answer.document_type !== "other") {
        // An unsure "other" the model reads as an invoice or receipt: the rules get their turn at it too.
        type = answer.document_type;
        typeConfidence = Math.max(typeConfidence, 0.6);
        candidates = preferFirst(candidates, extractWithRules(model, type));
      }
      candidates = preferFirst(candidates, answer.candidates);
      trace.llm = "used";
    } catch (error) {
      if (signal.aborted) throw error;
      // The LLM is an optional helper: when it is down the rules' result still stands, and the
      // checks and review decide as usual. The step detail says so.
      trace.llm = "unavailable";
      trace.llm_error = error instanceof DocketError ? error.message : String(error);
      deps.log.warn({ err: error }, "LLM extraction unavailable; using the rules' fields");
    }
  }

  const ocrConfidence = ocrConfidenceOf(model);
  const judged = judgeExtraction(candidates, type, { thresholds: deps.thresholds, ocrConfidence });
  return {
    candidates,
    ocrConfidence,
    extraction: {
      document_type: type,
      type_confidence: round(typeConfidence),
      fields: judged.fields,
      line_items: candidates.line_items,
      vat_breakdown: candidates.vat_breakdown,
      checks: judged.checks,
      template: trace.template,
      review_reasons: judged.review_reasons,
    },
    trace,
  };
}

/**
 * Field by field, the first source's value wins; the second fills what the first lacks. Two
 * sources that agree on a value are more credible than either: the kept field's confidence
 * rises toward 1 (never to it).
 */
export function preferFirst(first: ExtractionCandidates, second: ExtractionCandidates): ExtractionCandidates {
  const fields: Fields = {};
  for (const name of FIELD_NAMES) {
    const a = first.fields[name];
    const b = second.fields[name];
    if (a && b && a.value === b.value)
      fields[name] = {
        ...a,
        confidence: round(1 - (1 - a.confidence) * (1 - b.confidence) * 0.5),
        source: a.source ?? b.source,
      };
    else if (a) fields[name] = a;
    else if (b) fields[name] = b;
  }
  return {
    fields,
    line_items: first.line_items.length > 0 ? first.line_items : second.line_items,
    vat_breakdown: first.vat_breakdown.length > 0 ? first.vat_breakdown : second.vat_breakdown,
  };
}

/** Mean confidence (0–100) of the pages OCR read; null when every page came from a text layer. */
export function ocrConfidenceOf(model: DocumentModel): number | null {
  const read = model.pages.filter((p) => p.source === "ocr" && p.blocks.length > 0);
  if (read.length === 0) return null;
  return read.reduce((sum, p) => sum + p.confidence, 0) / read.length;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Below this classification confidence an "other" document is worth the LLM's opinion. */
const UNSURE_TYPE = 0.6;
