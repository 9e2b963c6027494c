import type { Database } from "../db/database.js";
import type { LoadedJob } from "../jobs/job-view.js";
import { DELIVER_PREFIX, type DeliveryOptions } from "./deliver-step.js";
import { deliveriesOfJob } from "./delivery-repository.js";

export interface DeliveryJson {
  destination_id: string | null;
  step: string;
  status: string;
  attempts: number;
  last_error: { code: string; message: string } | null;
  delivered_at: string | null;
  location: string | null;
}

/**
 * Where each output of a job went: one item per `deliver:` step, its status and attempts
 * read from the step row (the engine's truth), where and when from `job_deliveries`.
 */
export async function listDeliveries(database: Database, loaded: LoadedJob): Promise<DeliveryJson[]> {
  const rows = await deliveriesOfJob(database.db, loaded.job.id);
  const byStep = new Map(rows.map((r) => [r.step, r]));
  const ids = (loaded.job.options as DeliveryOptions).destination_ids ?? {};
  return loaded.steps
    .filter((s) => s.name.startsWith(DELIVER_PREFIX))
    .sort((a, b) => a.position - b.position)
    .map((step) => {
      const row = byStep.get(step.name);
      return {
        destination_id: row?.destination_id ?? ids[step.name.slice(DELIVER_PREFIX.length)] ?? null,
        step: step.name,
        status: step.status,
        attempts: step.attempts,
        last_error: step.error ?? (row?.last_error ? { code: "destination_error", message: row.last_error } : null),
        delivered_at:
          row?.delivered_at && step.status === "success" ? new Date(Number(row.delivered_at)).toISOString() : null,
        location: row?.location ?? null,
      };
    });
}
