import { STEP_STATUSES, type StepStatus } from "../domain/types.js";

export type StepCounts = { total: number } & Record<StepStatus, number>;

/** A job's steps counted by status, the pipeline's apart from the deliveries (`deliver:<destination>`). */
export interface StepSummary {
  pipeline: StepCounts;
  delivery: StepCounts;
}

/** Delivery steps are planned as `deliver:<destination name>` (API.md, destinations). */
export const isDeliveryStep = (name: string): boolean => name.startsWith("deliver:");

const empty = (): StepCounts =>
  Object.assign({ total: 0 }, Object.fromEntries(STEP_STATUSES.map((s) => [s, 0])) as Record<StepStatus, number>);

export function stepSummary(steps: readonly { name: string; status: StepStatus }[]): StepSummary {
  const summary = { pipeline: empty(), delivery: empty() };
  for (const step of steps) {
    const counts = isDeliveryStep(step.name) ? summary.delivery : summary.pipeline;
    counts.total++;
    counts[step.status]++;
  }
  return summary;
}
