/**
 * The composition root of `docket worker`: config → database → migrations → engine (no event
 * feed: a worker has no subscribers) → blob store → pipelines → Worker, and the rescuer.
 */
import { createBlobStore } from "../blob/create-blob-store.js";
import type { Config } from "../config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrator.js";
import { createEngine } from "../engine/engine.js";
import type { Worker } from "../engine/worker.js";
import { createLogger, type Logger } from "../logger.js";
import { closePipelines, createRegistry, createWorker, type PipelineFactory } from "./worker-runtime.js";

/** A running worker process. */
export interface WorkerProcess {
  log: Logger;
  worker: Worker;
  /** Graceful: stop claiming, finish or release running jobs, close the pipelines and the database. */
  close(): Promise<void>;
}

export async function startWorkerProcess(config: Config, pipelines: PipelineFactory): Promise<WorkerProcess> {
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database);
  const engine = await createEngine({ database, log, feed: false, rescueIntervalMs: config.lease.rescueIntervalMs });
  const blobStore = createBlobStore({ url: config.blobUrl, dataDir: config.dataDir });
  const registry = await createRegistry(pipelines, { config, database, blobStore, log });
  const worker = createWorker({ engine, registry, blobStore, log, config });
  engine.rescuer.start();
  worker.start();
  log.info(
    { workerId: worker.workerId, concurrency: config.workers, database: database.description },
    "worker started",
  );
  return {
    log,
    worker,
    close: async () => {
      await worker.stop();
      await closePipelines(registry);
      await engine.close();
      await database.close();
    },
  };
}
