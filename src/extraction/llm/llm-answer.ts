/**
 * A chat model's answer as extraction candidates. Models wrap JSON in code fences, add a
 * sentence before it, or answer `"value"` strings instead of `{value, raw}` objects: all are
 * read. Every value is normalised like any other (unreadable ones are dropped and reported),
 * and the quoted text is looked up in the document for its source box. A value whose text is
 * not in the document at all may be invented: it gets a lower confidence.
 */
import { locateText, sourceOf, type DocumentText } from "../document-text.js";
import { normalizeField } from "../normalize/index.js";
import { DOCUMENT_TYPES, FIELD_NAMES, type DocumentType, type ExtractionCandidates, type Fields } from "../types.js";

/** The model read it and its text is in the document: the checks then judge it. */
export const LLM_CONFIDENCE = 0.7;
/** The model's text is nowhere in the document. */
export const LLM_UNLOCATED_CONFIDENCE = 0.4;

export interface LlmAnswer {
  document_type?: DocumentType;
  candidates: ExtractionCandidates;
  /** Fields the model gave that could not be read, and why (no document text in these). */
  dropped: Array<{ field: string; reason: string }>;
}

/** The first JSON object in a model's message, or null. */
export function jsonFromMessage(content: string): unknown {
  const attempts: string[] = [];
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(content);
  if (fenced) attempts.push(fenced[1]!);
  attempts.push(content);
  for (const text of attempts) {
    const trimmed = text.trim();
    try {
      return JSON.parse(trimmed);
    } catch {
      // Text around the object: take the outermost balanced braces.
      const object = balancedObject(trimmed);
      if (object) {
        try {
          return JSON.parse(object);
        } catch {
          // try the next candidate
        }
      }
    }
  }
  return null;
}

function balancedObject(text: string): string | null {
  const start = text.indexOf("{");
  if (start === -1) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

function text(v: unknown): string | null {
  if (typeof v === "string") return v.trim() === "" ? null : v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

export function readAnswer(parsed: unknown, dt: DocumentText): LlmAnswer {
  const answer: LlmAnswer = { candidates: { fields: {}, line_items: [], vat_breakdown: [] }, dropped: [] };
  if (typeof parsed !== "object" || parsed === null) return answer;
  const root = parsed as Record<string, unknown>;
  if (typeof root.document_type === "string" && (DOCUMENT_TYPES as readonly string[]).includes(root.document_type))
    answer.document_type = root.document_type as DocumentType;
  // `{fields: {...}}` as asked, or the fields at the top level.
  const source =
    typeof root.fields === "object" && root.fields !== null ? (root.fields as Record<string, unknown>) : root;
  const fields: Fields = {};
  for (const name of FIELD_NAMES) {
    const entry = source[name];
    if (entry === undefined || entry === null) continue;
    const value = typeof entry === "object" ? text((entry as Record<string, unknown>).value) : text(entry);
    const raw = typeof entry === "object" ? text((entry as Record<string, unknown>).raw) : null;
    if (value === null && raw === null) continue;
    // The model's own normalisation first; the printed text when that cannot be read.
    let normalized = value === null ? null : normalizeField(name, value);
    if ((!normalized || !normalized.ok) && raw !== null) normalized = normalizeField(name, raw);
    if (!normalized || !normalized.ok) {
      answer.dropped.push({ field: name, reason: normalized && !normalized.ok ? `not a valid ${name}` : "no value" });
      continue;
    }
    const at = (raw !== null ? locateText(dt, raw) : null) ?? (value !== null ? locateText(dt, value) : null);
    fields[name] = {
      value: normalized.value,
      raw: raw ?? value ?? normalized.value,
      confidence: at ? LLM_CONFIDENCE : LLM_UNLOCATED_CONFIDENCE,
      source: at ? sourceOf(dt, at.start, at.end) : null,
      origin: "llm",
    };
  }
  answer.candidates.fields = fields;
  return answer;
}
