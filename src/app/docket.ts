import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { AccountService } from "../accounts/account-service.js";
import type { PasswordHashingOptions } from "../accounts/secrets.js";
import { buildApi } from "../api/app.js";
import { IdempotencyStore } from "../api/idempotency.js";
import type { SseConnection } from "../api/routes/events.js";
import type { ReadinessCheck } from "../api/routes/ops.js";
import { BlobSweeper } from "../blob/blob-sweeper.js";
import { diskReadiness } from "../blob/disk-readiness.js";
import { defaultWebRoot } from "../api/web-ui.js";
import type { BlobStore } from "../blob/blob-store.js";
import { createBlobStore } from "../blob/create-blob-store.js";
import type { Config } from "../config.js";
import { openDatabase, pingDatabase, type Database } from "../db/database.js";
import { migrate } from "../db/migrator.js";
import { createEngine, type Engine, type EngineOptions } from "../engine/engine.js";
import type { PipelineDefinition, PipelineRegistry } from "../engine/pipeline.js";
import type { Worker } from "../engine/worker.js";
import { TemplateCatalog } from "../extraction/templates/template-catalog.js";
import { createLogger, type Logger } from "../logger.js";
import type { DeliveryTuning } from "../webhooks/setup.js";
import { Metrics } from "../observability/metrics.js";
import { createServices } from "./services.js";
import {
  closePipelines,
  createRegistry,
  createWorker,
  type PipelineFactory,
  type WorkerTuning,
} from "./worker-runtime.js";

export type { PipelineDeps } from "./worker-runtime.js";

export interface DocketOverrides {
  log?: Logger;
  /** The pipelines to register (the OCR pipeline under the name "ocr"). */
  pipelines?: PipelineFactory;
  /** Or a ready registry (takes precedence over `pipelines`). */
  registry?: PipelineRegistry;
  blobStore?: BlobStore;
  /** Worker tuning (lease, polling) for tests. */
  worker?: WorkerTuning;
  engine?: Pick<EngineOptions, "backoff" | "rescueIntervalMs" | "clock">;
  passwordHashing?: PasswordHashingOptions;
  sseKeepAliveMs?: number;
  /** Readiness of the OCR engine (for /readyz), when one is present. */
  ocrCheck?: ReadinessCheck;
  /** Start the rescuer (default: true). */
  rescuer?: boolean;
  /** fsync blobs (default true; tests turn it off for speed). */
  fsync?: boolean;
  /** The built web UI folder (default dist/web of this package); null serves no UI. */
  webRoot?: string | null;
  /** How long close() lets responses in flight finish before cutting their connections (default 10 s). */
  httpCloseDeadlineMs?: number;
  /** Event webhook timing (tests). */
  webhooks?: DeliveryTuning;
}

/** One Docket process: database, engine, stores, services, HTTP app and optional workers. */
export interface Docket {
  config: Config;
  log: Logger;
  database: Database;
  engine: Engine;
  blobStore: BlobStore;
  registry: PipelineRegistry;
  app: FastifyInstance;
  workers: Worker[];
  accounts: AccountService;
  /** Listens on config.host:config.port; returns the base URL. */
  listen(): Promise<string>;
  /** Graceful: stop accepting, stop claiming, finish or release jobs, close streams, close the database. */
  close(): Promise<void>;
}

/**
 * The server's composition root (`docket serve`, and the tests' server): config → database →
 * migrations → engine → blob store → pipelines → services → HTTP, and workers unless
 * config.workers is 0. `docket worker` has its own (worker-process.ts), local CLI mode too
 * (local-runtime.ts); the services and the worker are built the same way in all of them.
 */
export async function createDocket(config: Config, overrides: DocketOverrides = {}): Promise<Docket> {
  const log = overrides.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const cleanup: (() => Promise<void>)[] = [() => database.close()];
  try {
    const report = await migrate(database);
    if (report.applied.length > 0)
      log.info({ applied: report.applied, database: database.description }, "database migrated");
    const engine = await createEngine({
      database,
      log,
      rescueIntervalMs: config.lease.rescueIntervalMs,
      ...overrides.engine,
    });
    cleanup.unshift(() => engine.close());
    const blobStore =
      overrides.blobStore ??
      createBlobStore({
        url: config.blobUrl,
        dataDir: config.dataDir,
        ...(overrides.fsync === undefined ? {} : { fsync: overrides.fsync }),
      });
    cleanup.push(async () => blobStore.close?.());
    // Orphaned uploads and job blobs (a crash between writing and recording them); every node
    // may sweep, each removal re-checked under the upload's lock.
    if (config.blobSweepIntervalMs > 0) {
      const sweeper = new BlobSweeper({ database, blobStore, log: log.child({ component: "blob-sweeper" }) });
      sweeper.start(config.blobSweepIntervalMs);
      cleanup.unshift(() => sweeper.stop());
    }

    const registry =
      overrides.registry ?? (await createRegistry(overrides.pipelines, { config, database, blobStore, log }));
    for (const name of registry.names()) {
      const pipeline = registry.get(name)!;
      // Refuse to start when a planned step has no handler (immich's rule): fail now, not mid-job.
      const missing = pipeline
        .plan({
          ocr_mode: "document",
          resolution_mode: "base",
          languages: config.ocrLanguages,
          outputs: ["txt", "md", "json", "hocr", "pdf"],
          ocr: "auto",
          extract: "auto",
        })
        .filter((s) => !pipeline.handler(s));
      if (missing.length > 0) throw new Error(`pipeline ${name} plans steps without a handler: ${missing.join(", ")}`);
    }
    if (!registry.get("ocr")) log.warn("no OCR pipeline registered: submitting jobs answers 503 until one is");

    const services = createServices({
      config,
      database,
      engine,
      blobStore,
      log,
      registry,
      passwordHashing: overrides.passwordHashing,
      webhooks: overrides.webhooks,
    });
    const { accounts, delivery, jobs } = services;
    await accounts.bootstrapAdmin(config.adminEmail, config.adminPassword);
    const metrics = new Metrics(database, log);
    await metrics.start(engine.feed);
    const sseConnections = new Set<SseConnection>();
    const checks: Record<string, ReadinessCheck> = {
      database: () => pingDatabase(database),
      blob_store: () => blobStore.check(),
      data_dir: diskReadiness(resolve(config.dataDir), config.minFreeDiskBytes),
      ...ocrReadiness(overrides.ocrCheck, registry.get("ocr")),
    };
    const app = await buildApi({
      log,
      accounts,
      documents: services.documents,
      ingest: services.ingest,
      jobs,
      fields: services.fields,
      review: services.review,
      collections: services.collections,
      templates: new TemplateCatalog({ dir: config.extraction.templatesDir, database, log }),
      live: services.live,
      idempotency: new IdempotencyStore(database),
      metrics,
      checks,
      maxUploadBytes: config.maxUploadBytes,
      rateLimit: config.rateLimit,
      trustProxy: config.trustProxy,
      sseKeepAliveMs: overrides.sseKeepAliveMs ?? 10_000,
      sseConnections,
      webUi: overrides.webRoot === null ? null : { root: overrides.webRoot ?? defaultWebRoot() },
      delivery: { destinations: delivery.destinations, webhooks: delivery.webhooks, jobs, database },
    });
    await app.ready();

    const workers: Worker[] = [];
    if (config.workers > 0 && registry.names().length > 0) {
      const worker = createWorker({
        engine,
        registry,
        blobStore,
        log,
        config,
        tuning: overrides.worker,
      });
      worker.start();
      workers.push(worker);
    }
    if (overrides.rescuer !== false) engine.rescuer.start();
    // Event webhooks: tail job_events, send signed deliveries (src/webhooks).
    delivery.start();
    cleanup.unshift(() => delivery.close());

    let closing: Promise<void> | null = null;
    return {
      config,
      log,
      database,
      engine,
      blobStore,
      registry,
      app,
      workers,
      accounts,
      listen: async () => {
        const address = await app.listen({ port: config.port, host: config.host });
        log.info({ address, database: database.description, workers: config.workers }, "docket listening");
        return address.replace("://[::1]", "://localhost");
      },
      close: () =>
        (closing ??= (async () => {
          // Stop claiming and hand running jobs back at once (no attempt counted), while the API still answers.
          await Promise.all(workers.map((w) => w.stop()));
          await closePipelines(registry);
          metrics.stop();
          await closeHttp(app, overrides.httpCloseDeadlineMs ?? 10_000, log);
          for (const step of cleanup) await step();
        })()),
    };
  } catch (error) {
    for (const step of cleanup) await step().catch(() => undefined);
    throw error;
  }
}

/**
 * Stops the HTTP server: new requests get 503 at once, responses in flight may finish, but
 * only until the deadline: a client reading a download slowly (or not at all) must not keep
 * a stopping process alive forever. Then every connection still open is cut.
 */
async function closeHttp(app: FastifyInstance, deadlineMs: number, log: Logger): Promise<void> {
  const closing = app.close();
  const deadline = setTimeout(() => {
    log.warn(
      { deadline_ms: deadlineMs },
      "responses still in flight at the shutdown deadline: closing their connections",
    );
    app.server.closeAllConnections();
  }, deadlineMs);
  try {
    await closing;
  } finally {
    clearTimeout(deadline);
  }
}

/** /readyz's OCR check: the override (tests), else the OCR pipeline's own check when it has one. */
function ocrReadiness(
  override: ReadinessCheck | undefined,
  pipeline: PipelineDefinition | undefined,
): Record<string, ReadinessCheck> {
  if (override) return { ocr_engine: override };
  const check = pipeline?.check?.bind(pipeline);
  return check ? { ocr_engine: check } : {};
}
