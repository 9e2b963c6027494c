import type { Job, StepStatus } from "../api/types";
import { useI18n } from "../i18n/i18n";

type Counts = { total: number } & Record<StepStatus, number>;
const ORDER: StepStatus[] = ["success", "in_progress", "pending", "failure", "cancelled", "skipped"];

/**
 * The job's step summary (API `step_summary`): pipeline steps and delivery steps
 * (`deliver:*`) counted by status, e.g. "Pipeline 5 of 7 succeeded · Delivery 1 failed".
 */
export function StepSummaryLine({ job }: { job: Job & { step_summary?: { pipeline: Counts; delivery: Counts } } }) {
  const i18n = useI18n();
  const summary = job.step_summary;
  if (!summary) return null;
  const part = (label: string, counts: Counts) =>
    `${label}: ${ORDER.filter((s) => counts[s] > 0)
      .map((s) => `${counts[s]} ${i18n.stepStatus(s).toLowerCase()}`)
      .join(", ")}`;
  return (
    <p className="muted step-summary" data-testid="step-summary">
      {part(i18n.t("steps.pipeline"), summary.pipeline)}
      {summary.delivery.total > 0 ? ` · ${part(i18n.t("steps.delivery"), summary.delivery)}` : ""}
    </p>
  );
}
