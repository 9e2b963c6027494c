/**
 * The composition root of local CLI mode: config → database → migrations → engine → blob
 * store → the same services as the server (services.ts), and workers only if the process
 * ends up running jobs itself (`startWorkers`). Submitting needs only the OCR pipeline's
 * plan, so the OCR engine and its threads load only then.
 */
import type { BlobStore } from "../blob/blob-store.js";
import { createBlobStore } from "../blob/create-blob-store.js";
import type { Config } from "../config.js";
import { openDatabase, type Database } from "../db/database.js";
import { migrate } from "../db/migrator.js";
import { createEngine, type Engine } from "../engine/engine.js";
import { PipelineRegistry } from "../engine/pipeline.js";
import type { Worker } from "../engine/worker.js";
import { OCR_PIPELINE } from "../jobs/job-service.js";
import type { Logger } from "../logger.js";
import { planOcrJob } from "../pipeline/plan.js";
import { createServices, type Services } from "./services.js";
import { closePipelines, createRegistry, createWorker } from "./worker-runtime.js";

export interface LocalRuntime {
  config: Config;
  log: Logger;
  database: Database;
  engine: Engine;
  blobStore: BlobStore;
  services: Services;
  /** Workers in this process, with the real pipelines, until close(); false when DOCKET_WORKERS=0. */
  startWorkers(): Promise<boolean>;
  /** Stops this process's workers (running jobs go back to the queue) and closes the database. */
  close(): Promise<void>;
}

export async function openLocalRuntime(config: Config, log: Logger): Promise<LocalRuntime> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  let engine: Engine;
  try {
    await migrate(database);
    engine = await createEngine({ database, log, rescueIntervalMs: config.lease.rescueIntervalMs });
  } catch (error) {
    await database.close();
    throw error;
  }
  const blobStore = createBlobStore({ url: config.blobUrl, dataDir: config.dataDir });
  const planner = new PipelineRegistry();
  planner.register({ name: OCR_PIPELINE, plan: planOcrJob, handler: () => undefined });
  const services = createServices({ config, database, engine, blobStore, log, registry: planner });

  let worker: Worker | null = null;
  let workerRegistry: PipelineRegistry | null = null;
  let starting: Promise<boolean> | null = null;
  const startWorkers = () =>
    (starting ??= (async () => {
      if (config.workers === 0) return false;
      const { createPipelines } = await import("../pipeline/pipelines.js");
      workerRegistry = await createRegistry(createPipelines, { config, database, blobStore, log });
      worker = createWorker({ engine, registry: workerRegistry, blobStore, log, config });
      worker.start();
      return true;
    })());

  return {
    config,
    log,
    database,
    engine,
    blobStore,
    services,
    startWorkers,
    close: async () => {
      await starting?.catch(() => undefined);
      if (worker) await worker.stop(3_000);
      if (workerRegistry) await closePipelines(workerRegistry);
      await engine.close();
      await database.close();
    },
  };
}
