import { createHash } from "node:crypto";
import type { BlobStore } from "../blob/blob-store.js";
import type { Database } from "../db/database.js";
import type { StepHandler } from "../engine/pipeline.js";
import { DocketError } from "../errors.js";
import type { ReviewThresholds } from "../extraction/types.js";
import { createDeliverer } from "./create-deliverer.js";
import type { DelivererOptions } from "./deliverer.js";
import { rejected } from "./delivery-errors.js";
import { loadDeliveryJob } from "./delivery-files.js";
import { markDelivered, markDeliveryFailed, recordDeliveryAttempt } from "./delivery-repository.js";
import type { DestinationService } from "./destination-service.js";

export const DELIVER_PREFIX = "deliver:";

/** The same id for every attempt of one job's delivery to one destination (`Docket-Delivery`). */
export function deliveryIdOf(jobId: string, step: string): string {
  return `dlv_${createHash("sha256").update(`${jobId}\0${step}`).digest("hex").slice(0, 26)}`;
}

/** What a submit stored in the job's options about its destinations (see jobs/options.ts). */
export interface DeliveryOptions {
  destination_ids?: Record<string, string>;
  destination_owner?: string;
}

export interface DeliverStepDeps {
  database: Database;
  blobStore: BlobStore;
  destinations: Pick<DestinationService, "load">;
  thresholds: ReviewThresholds;
  deliverer: DelivererOptions;
}

/**
 * The `deliver:<name>` step: sends the job's outputs to one destination. It runs after
 * `export`, so the outputs exist; it records where the files went in its `job_deliveries`
 * row (through delivery-repository.ts), and the engine's step row says whether it succeeded. A failure throws one of the
 * destination codes: transient ones are retried by the engine with its back-off, and a
 * manual retry resumes at this step alone.
 */
export function deliverStep(deps: DeliverStepDeps): StepHandler {
  return async (ctx) => {
    const name = ctx.step.slice(DELIVER_PREFIX.length);
    const options = ctx.options as DeliveryOptions;
    const id = options.destination_ids?.[name];
    if (!id) throw rejected(`no destination named "${name}" was chosen for this job`);
    const destination = await deps.destinations.load(options.destination_owner ?? ctx.ownerId, id).catch((error) => {
      if (error instanceof DocketError && error.code === "not_found")
        throw rejected(`the destination "${name}" was deleted after this job was submitted`);
      throw error;
    });
    const deliveryId = deliveryIdOf(ctx.jobId, ctx.step);
    const { db } = deps.database;
    await recordDeliveryAttempt(
      db,
      {
        job_id: ctx.jobId,
        step: ctx.step,
        destination_id: id,
        owner_id: ctx.ownerId,
        kind: destination.kind,
        delivery_id: deliveryId,
      },
      Date.now(),
    );
    const job = await loadDeliveryJob(deps, ctx.jobId);
    ctx.progress(0, job.files.length, `sending ${job.files.length} files to ${name}`);
    try {
      const { location } = await createDeliverer(destination, deps.deliverer).deliver({
        job,
        deliveryId,
        signal: ctx.signal,
      });
      await markDelivered(db, ctx.jobId, ctx.step, location);
      ctx.progress(job.files.length, job.files.length);
      return {
        message: `delivered ${job.files.length} files to ${name}`,
        detail: { destination_id: id, kind: destination.kind, files: job.files.map((f) => f.name) },
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await markDeliveryFailed(db, ctx.jobId, ctx.step, message).catch(() => undefined);
      throw error;
    }
  };
}
