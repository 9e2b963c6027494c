/**
 * Running jobs in a process, written once for the three roots that do it (the server, `docket
 * worker` and local CLI mode): the pipeline registry they run, the Worker over it (with the
 * step workspace removed when a step does not succeed), and closing the pipelines' threads.
 */
import type { BlobStore } from "../blob/blob-store.js";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import type { Engine } from "../engine/engine.js";
import { PipelineRegistry, type PipelineDefinition } from "../engine/pipeline.js";
import { Worker, type WorkerOptions } from "../engine/worker.js";
import { stepWorkspace } from "../engine/workspace-path.js";
import type { Logger } from "../logger.js";

/** What the pipelines may use; given to `pipelines` so they are built on this process's stores. */
export interface PipelineDeps {
  config: Config;
  database: Database;
  blobStore: BlobStore;
  log: Logger;
}

/** Builds the pipelines a process runs (src/pipeline/pipelines.ts `createPipelines` in production). */
export type PipelineFactory = (deps: PipelineDeps) => PipelineDefinition[] | Promise<PipelineDefinition[]>;

/** Worker tuning (lease, polling) that tests shorten. */
export type WorkerTuning = Partial<Omit<WorkerOptions, "queue" | "registry" | "notifier" | "log" | "concurrency">>;

export async function createRegistry(
  pipelines: PipelineFactory | undefined,
  deps: PipelineDeps,
): Promise<PipelineRegistry> {
  const registry = new PipelineRegistry();
  for (const pipeline of (await pipelines?.(deps)) ?? []) registry.register(pipeline);
  return registry;
}

/** A Worker on this process's engine, with the configured lease and time limits; not started. */
export function createWorker(deps: {
  engine: Pick<Engine, "queue" | "notifier">;
  registry: PipelineRegistry;
  blobStore: BlobStore;
  log: Logger;
  config: Pick<Config, "workers" | "lease" | "timeLimits">;
  tuning?: WorkerTuning | undefined;
}): Worker {
  return new Worker({
    queue: deps.engine.queue,
    registry: deps.registry,
    notifier: deps.engine.notifier,
    log: deps.log.child({ component: "worker" }),
    concurrency: deps.config.workers,
    leaseMs: deps.config.lease.leaseMs,
    timeLimits: deps.config.timeLimits,
    onStepAbandoned: (jobId, step) => deps.blobStore.deletePrefix(stepWorkspace(jobId, step)),
    ...deps.tuning,
  });
}

/** Pipelines hold worker threads (OCR, rendering): release them once no job runs. */
export async function closePipelines(registry: PipelineRegistry): Promise<void> {
  for (const name of registry.names()) await registry.get(name)?.close?.();
}
