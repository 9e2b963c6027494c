import { availableParallelism } from "node:os";
import type { PipelineDeps } from "../app/docket.js";
import type { PipelineDefinition } from "../engine/pipeline.js";
import { createOcrEngine } from "../ocr/engine-factory.js";
import { DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_PAGES } from "../pdf/inspect-document.js";
import { createOcrPipeline } from "./ocr-pipeline.js";

/** One text-layer thread per job slot, up to the cores: more threads than cores only queue in the kernel. */
export const textLayerThreadsFor = (jobSlots: number): number => Math.max(1, Math.min(jobSlots, availableParallelism()));

/** The pipelines a Docket process runs, built on that process's stores and configuration. */
export async function createPipelines(deps: PipelineDeps): Promise<PipelineDefinition[]> {
  // src/ocr reads no environment itself: the PATH to find the tesseract binary is passed in.
  const engine = await createOcrEngine({ engine: deps.config.ocrEngine }, { log: deps.log, pathEnv: process.env.PATH ?? "" });
  return [
    createOcrPipeline({
      database: deps.database,
      blobStore: deps.blobStore,
      engine,
      limits: { maxPages: DEFAULT_MAX_PAGES, maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS },
      textLayerThreads: textLayerThreadsFor(deps.config.workers),
    }),
  ];
}
