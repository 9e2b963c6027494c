import { availableParallelism } from "node:os";
import type { PipelineDeps } from "../app/worker-runtime.js";
import type { PipelineDefinition } from "../engine/pipeline.js";
import { withDelivery } from "../destinations/setup.js";
import { createLlmExtractor } from "../extraction/llm/llm-extractor.js";
import { TemplateCatalog } from "../extraction/templates/template-catalog.js";
import { reviewThresholds } from "../fields/thresholds.js";
import { createOcrEngine } from "../ocr/engine-factory.js";
import { DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_PAGES } from "../pdf/inspect-document.js";
import { createOcrPipeline } from "./ocr-pipeline.js";
import { createCompilePipeline } from "../collections/compile/compile-pipeline.js";

/** One text-layer thread per job slot, up to the cores: more threads than cores only queue in the kernel. */
export const textLayerThreadsFor = (jobSlots: number): number =>
  Math.max(1, Math.min(jobSlots, availableParallelism()));

/** The pipelines a Docket process runs, built on that process's stores and configuration. */
export async function createPipelines(deps: PipelineDeps): Promise<PipelineDefinition[]> {
  // src/ocr reads no environment itself: the PATH to find the tesseract binary is passed in.
  const engine = await createOcrEngine(
    { engine: deps.config.ocrEngine },
    { log: deps.log, pathEnv: process.env.PATH ?? "" },
  );
  const { extraction } = deps.config;
  // Templates from the folder and the database, re-read when they change (every few seconds at most).
  const templates = new TemplateCatalog({
    dir: extraction.templatesDir,
    database: deps.database,
    log: deps.log.child({ component: "templates" }),
  });
  // The LLM endpoint is the administrator's own configuration (usually Ollama or vLLM on this
  // network), so it is trusted as configured; only user-given URLs get the outgoing-request checks.
  const llm = extraction.llm ? createLlmExtractor(extraction.llm, { log: deps.log }) : undefined;
  const ocr = createOcrPipeline({
    database: deps.database,
    blobStore: deps.blobStore,
    engine,
    limits: { maxPages: DEFAULT_MAX_PAGES, maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS },
    textLayerThreads: textLayerThreadsFor(deps.config.workers),
    extraction: {
      templates: () => templates.templates(),
      ...(llm ? { llm } : {}),
      thresholds: reviewThresholds(deps.config),
    },
  });
  // `deliver:<destination>` steps send the outputs on (src/destinations).
  // The compile stage of collections: one collection job building the collection's outputs.
  const compile = createCompilePipeline({
    database: deps.database,
    blobStore: deps.blobStore,
    thresholds: reviewThresholds(deps.config),
  });
  return [withDelivery(ocr, deps), compile];
}
