import type { BlobStore } from "../../blob/blob-store.js";
import type { Database } from "../../db/database.js";
import type { DocumentModel } from "../../domain/document-model.js";
import { documentOf, type StepHandler } from "../../engine/pipeline.js";
import { extractDocument, type ExtractionDeps } from "../../extraction/extract.js";
import { FIELD_NAMES } from "../../extraction/types.js";
import { saveExtraction } from "../../fields/fields-repository.js";
import { readJson, writeJson } from "../workspace.js";

/**
 * Classifies the document and extracts its fields from the assembled model (text-layer and
 * OCRed pages alike). The extraction row is written before the step reports success and
 * becomes visible with that success (readers join the step row); a retry replaces it.
 * When a person should check the result, the job completes as `manual_review`.
 */
export function extractFieldsStep(deps: {
  blobStore: BlobStore;
  database: Database;
  extraction: Omit<ExtractionDeps, "log">;
}): StepHandler {
  return async (ctx) => {
    const mode = ctx.options.extract ?? "auto";
    if (mode === "off") return { skipped: true, message: "extraction is off for this job" };
    const model = await readJson<DocumentModel>(deps.blobStore, `${ctx.workspaceOf("assemble")}model.json`);
    ctx.progress(0, 1, "reading fields");
    const started = performance.now();
    const { extraction, candidates, ocrConfidence, trace } = await extractDocument(
      model,
      mode,
      { ...deps.extraction, log: ctx.log },
      ctx.signal,
    );
    const elapsed = performance.now() - started;
    ctx.signal.throwIfAborted();
    // Also in the workspace: the export step writes the fields into the searchable PDF's metadata.
    await writeJson(deps.blobStore, `${ctx.workspace}fields.json`, extraction);
    await saveExtraction(deps.database.db, {
      jobId: ctx.jobId,
      documentId: documentOf(ctx),
      ownerId: ctx.ownerId,
      extraction,
      candidates,
      ocrConfidence,
      now: Date.now(),
    });
    ctx.progress(1, 1);
    const found = FIELD_NAMES.filter((name) => extraction.fields[name]).length;
    const failed = extraction.checks.filter((c) => !c.ok).map((c) => c.name);
    return {
      message: `${extraction.document_type}: ${found} field(s)${failed.length > 0 ? `; failed checks: ${failed.join(", ")}` : ""}`,
      detail: {
        document_type: extraction.document_type,
        type_confidence: extraction.type_confidence,
        fields: found,
        failed_checks: failed,
        template: trace.template,
        llm: trace.llm,
        ...(trace.llm_error ? { llm_error: trace.llm_error } : {}),
        elapsed_ms: Math.round(elapsed * 10) / 10,
      },
      ...(extraction.review_reasons.length > 0 ? { reviewReason: extraction.review_reasons.join("; ") } : {}),
    };
  };
}
