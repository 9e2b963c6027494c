/**
 * The services every process that answers requests builds, the same way: the server and local
 * CLI mode (one graph, so the CLI cannot drift from the API). Built on the process's database,
 * engine and blob store; `registry` is the pipelines submit plans with.
 */
import { AccountService } from "../accounts/account-service.js";
import type { PasswordHashingOptions } from "../accounts/secrets.js";
import type { BlobStore } from "../blob/blob-store.js";
import { CollectionService } from "../collections/collection-service.js";
import { compileEnqueuer } from "../collections/compile/compile-enqueuer.js";
import type { Config } from "../config.js";
import type { Database } from "../db/database.js";
import { DocumentService } from "../documents/document-service.js";
import type { Engine } from "../engine/engine.js";
import type { PipelineRegistry } from "../engine/pipeline.js";
import { FieldsService } from "../fields/fields-service.js";
import { ReviewService } from "../fields/review-service.js";
import { reviewThresholds } from "../fields/thresholds.js";
import { IngestService } from "../documents/ingest-service.js";
import { JobService } from "../jobs/job-service.js";
import { LiveService } from "../live/live-service.js";
import type { Logger } from "../logger.js";
import { createDelivery, type DeliveryTuning } from "../webhooks/setup.js";

export interface ServiceDeps {
  config: Config;
  database: Database;
  engine: Engine;
  blobStore: BlobStore;
  log: Logger;
  registry: PipelineRegistry;
  passwordHashing?: PasswordHashingOptions | undefined;
  webhooks?: DeliveryTuning | undefined;
}

export type Services = ReturnType<typeof createServices>;

export function createServices(deps: ServiceDeps) {
  const { config, database, engine, blobStore, log, registry } = deps;
  // The notifier tells other processes (on PostgreSQL) about users disabled and tokens revoked.
  const accounts = new AccountService(database, log, { hashing: deps.passwordHashing, notifier: engine.notifier });
  const documents = new DocumentService(database, blobStore, engine.queue, log, config.maxUploadBytes);
  const thresholds = reviewThresholds(config);
  const fields = new FieldsService(database, documents, thresholds);
  const review = new ReviewService(database, engine.notifier, thresholds, log.child({ component: "review" }));
  // Destinations and event webhooks (and the secret key they share across processes).
  const delivery = createDelivery({ config, database, engine, log, tuning: deps.webhooks });
  const jobs = new JobService(
    database,
    engine.queue,
    registry,
    blobStore,
    log,
    config.ocrLanguages,
    fields,
    delivery.destinations,
  );
  const live = new LiveService(database, engine.feed);
  const collections = new CollectionService(database, jobs, blobStore, thresholds);
  collections.setEnqueuer(compileEnqueuer(database, engine.queue));
  const ingest = new IngestService(documents, jobs);
  return { accounts, documents, fields, review, delivery, jobs, live, collections, ingest, thresholds };
}
