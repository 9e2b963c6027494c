import type { BlobStore } from "../blob/blob-store.js";
import type { Config } from "../config.js";
import { loadSecretBox } from "../crypto/secret-box.js";
import type { Database } from "../db/database.js";
import type { PipelineDefinition } from "../engine/pipeline.js";
import { reviewThresholds } from "../fields/thresholds.js";
import type { DelivererOptions } from "./deliverer.js";
import { DELIVER_PREFIX, deliverStep } from "./deliver-step.js";
import { DestinationService } from "./destination-service.js";

/** The deliverers' settings from the process configuration. */
export function delivererOptions(config: Pick<Config, "destinations">): DelivererOptions {
  return {
    allowPrivateUrls: config.destinations.allowPrivateUrls,
    folderRoots: config.destinations.folderRoots,
  };
}

/** The destination service of a process (its secret key from DOCKET_SECRET_KEY or the data dir). */
export function createDestinationService(config: Config, database: Database): DestinationService {
  const box = loadSecretBox({ secretKey: config.destinations.secretKey, dataDir: config.dataDir });
  return new DestinationService(database, box, delivererOptions(config));
}

/**
 * The pipeline with a real `deliver:<name>` handler: the OCR pipeline's own plan already
 * names the steps; this gives them the handler that sends the outputs.
 */
export function withDelivery(
  pipeline: PipelineDefinition,
  deps: { config: Config; database: Database; blobStore: BlobStore },
): PipelineDefinition {
  const deliver = deliverStep({
    database: deps.database,
    blobStore: deps.blobStore,
    destinations: createDestinationService(deps.config, deps.database),
    thresholds: reviewThresholds(deps.config),
    deliverer: delivererOptions(deps.config),
  });
  return { ...pipeline, handler: (step) => (step.startsWith(DELIVER_PREFIX) ? deliver : pipeline.handler(step)) };
}
