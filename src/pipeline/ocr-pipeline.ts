import type { BlobStore } from "../blob/blob-store.js";
import type { Database } from "../db/database.js";
import { DocketError } from "../errors.js";
import type { PipelineDefinition, StepHandler } from "../engine/pipeline.js";
import type { OcrEngine } from "../ocr/ocr-engine.js";
import { TextLayerPool } from "../pdf/text-layer-pool.js";
import { planOcrJob, type OCR_STEPS } from "./plan.js";
import { assembleStep } from "./steps/assemble.js";
import { checkTextStep } from "./steps/check-text.js";
import { exportStep } from "./steps/export.js";
import { extractFieldsStep } from "./steps/extract-fields.js";
import type { ExtractionDeps } from "../extraction/extract.js";
import { DEFAULT_REVIEW_THRESHOLDS } from "../extraction/types.js";
import { ocrStep } from "./steps/ocr.js";
import { renderPagesStep } from "./steps/render-pages.js";
import { validateStep, type ValidateLimits } from "./steps/validate.js";

export interface OcrPipelineDeps {
  database: Database;
  blobStore: BlobStore;
  engine: OcrEngine;
  limits: ValidateLimits;
  /** Templates, the optional LLM and the review thresholds for `extract_fields` (default: rules only, default thresholds). */
  extraction?: Omit<ExtractionDeps, "log">;
  /** Text-layer threads (started on demand): as many as jobs run at once here. Default 1. */
  textLayerThreads?: number;
}

/**
 * The OCR pipeline: validate → check_text → render_pages → ocr → assemble → extract_fields
 * (unless the job's `extract` is off) → export, plus one
 * `deliver:<destination>` step per destination. Each step reads what earlier steps wrote to
 * the job's workspace and writes only into its own, so a retry resumes at the failed step.
 */
export function createOcrPipeline(deps: OcrPipelineDeps): PipelineDefinition & { close(): Promise<void> } {
  // Text-layer threads for this process, started on demand; each idles out after a minute.
  const textLayer = new TextLayerPool(deps.textLayerThreads ?? 1);
  const extraction = deps.extraction ?? { thresholds: DEFAULT_REVIEW_THRESHOLDS };
  const handlers: Record<(typeof OCR_STEPS)[number], StepHandler> = {
    validate: validateStep(deps),
    check_text: checkTextStep({ blobStore: deps.blobStore, textLayer }),
    render_pages: renderPagesStep({ blobStore: deps.blobStore, maxImagePixels: deps.limits.maxImagePixels, textLayer }),
    ocr: ocrStep({ blobStore: deps.blobStore, engine: deps.engine }),
    assemble: assembleStep({
      blobStore: deps.blobStore,
      engineName: deps.engine.name,
      reviewOcrConfidence: extraction.thresholds.ocrConfidence,
    }),
    extract_fields: extractFieldsStep({ blobStore: deps.blobStore, database: deps.database, extraction }),
    export: exportStep(deps),
  };
  const deliver: StepHandler = async (ctx) => {
    throw new DocketError(
      "validation_error",
      `no delivery destination named ${ctx.step.slice("deliver:".length)} is configured`,
      { permanent: true },
    );
  };
  let engineReady = false;
  return {
    name: "ocr",
    plan: planOcrJob,
    // Once the engine has started it stays loaded in this process, so a success is kept:
    // a probe must not queue behind a busy OCR pool and turn a working node "not ready".
    check: async () => {
      if (engineReady) return;
      const health = await deps.engine.check();
      if (!health.ok) throw new Error(health.detail);
      engineReady = true;
    },
    checkOptions: (options) => {
      // Only when OCR can run: a text-layer-only job needs no language data.
      if (options.ocr === "skip") return;
      const available = deps.engine.languages();
      const missing = options.languages.filter((code) => code === "osd" || !available.includes(code));
      if (missing.length > 0) {
        throw new DocketError(
          "validation_error",
          `no OCR language data for ${missing.join(", ")} on this server (installed: ${available.join(", ") || "none"})`,
          { details: { fields: ["languages"], missing, available } },
        );
      }
    },
    handler: (step) => (step.startsWith("deliver:") ? deliver : handlers[step as keyof typeof handlers]),
    close: async () => {
      await textLayer.close();
      await deps.engine.close();
    },
  };
}
