/**
 * The rule-based extractor: layout-aware labels and fallbacks per document type. Pure: the
 * document model in, candidates out (origin "rule", confidence 0–1, source boxes in the
 * model's page coordinates).
 */
import type { DocumentModel } from "../../domain/document-model.js";
import type { DocumentType, ExtractionCandidates } from "../types.js";
import { buildContext } from "./context.js";
import { extractInvoiceFields } from "./invoice.js";
import { extractLineItems } from "./line-items.js";
import { extractReceiptFields } from "./receipt.js";
import { extractVatBreakdown } from "./vat-breakdown.js";

export function extractWithRules(model: DocumentModel, type: DocumentType): ExtractionCandidates {
  if (type === "other") return { fields: {}, line_items: [], vat_breakdown: [] };
  const ctx = buildContext(model);
  if (type === "receipt")
    return { fields: extractReceiptFields(ctx), line_items: extractLineItems(ctx), vat_breakdown: [] };
  return {
    fields: extractInvoiceFields(ctx),
    line_items: extractLineItems(ctx),
    vat_breakdown: extractVatBreakdown(ctx),
  };
}
