import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { BlobStore } from "../blob/blob-store.js";
import type { Database } from "../db/database.js";
import type { DatabaseSchema } from "../db/schema.js";
import type { StepHandler } from "../engine/pipeline.js";
import { DocketError } from "../errors.js";
import type { ReviewThresholds } from "../extraction/types.js";
import { createDeliverer } from "./create-deliverer.js";
import type { DelivererOptions } from "./deliverer.js";
import { rejected } from "./delivery-errors.js";
import { loadDeliveryJob } from "./delivery-files.js";
import type { DestinationService } from "./destination-service.js";
import type { DeliveryTables } from "./tables.js";

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
 * `export`, so the outputs exist; it writes only its `job_deliveries` row (where the files
 * went), and the engine's step row says whether it succeeded. A failure throws one of the
 * destination codes: transient ones are retried by the engine with its back-off, and a
 * manual retry resumes at this step alone.
 */
export function deliverStep(deps: DeliverStepDeps): StepHandler {
  const db: Kysely<DatabaseSchema & DeliveryTables> = deps.database.db.withTables<DeliveryTables>();
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
    const now = Date.now();
    await db
      .insertInto("job_deliveries")
      .values({
        job_id: ctx.jobId,
        step: ctx.step,
        destination_id: id,
        owner_id: ctx.ownerId,
        kind: destination.kind,
        delivery_id: deliveryId,
        location: null,
        last_error: null,
        delivered_at: null,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(["job_id", "step"]).doUpdateSet({ last_error: null, updated_at: now }))
      .execute();
    const job = await loadDeliveryJob(deps, ctx.jobId);
    ctx.progress(0, job.files.length, `sending ${job.files.length} files to ${name}`);
    try {
      const { location } = await createDeliverer(destination, deps.deliverer).deliver({
        job,
        deliveryId,
        signal: ctx.signal,
      });
      await db
        .updateTable("job_deliveries")
        .set({ location, delivered_at: Date.now(), last_error: null, updated_at: Date.now() })
        .where("job_id", "=", ctx.jobId)
        .where("step", "=", ctx.step)
        .execute();
      ctx.progress(job.files.length, job.files.length);
      return {
        message: `delivered ${job.files.length} files to ${name}`,
        detail: { destination_id: id, kind: destination.kind, files: job.files.map((f) => f.name) },
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await db
        .updateTable("job_deliveries")
        .set({ last_error: message, updated_at: Date.now() })
        .where("job_id", "=", ctx.jobId)
        .where("step", "=", ctx.step)
        .execute()
        .catch(() => undefined);
      throw error;
    }
  };
}
