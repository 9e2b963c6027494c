import type { JobProgress, JobStep, StepStatus } from "./types.js";

/** The fields of a step that progress depends on. */
export type StepProgressView = Pick<JobStep, "name" | "position" | "status" | "progressDone" | "progressTotal">;

const DONE: ReadonlySet<StepStatus> = new Set(["success", "skipped"]);

/**
 * "Step k of n" and percent from the step rows. Every step weighs the same; inside the
 * running step, pages done of total move the bar. `k` is the step running now, or the next
 * one to run (1 for a job not yet started, n when everything is done).
 */
export function computeProgress(steps: readonly StepProgressView[], message: string | null = null): JobProgress {
  const ordered = [...steps].sort((a, b) => a.position - b.position);
  const total = ordered.length;
  if (total === 0) return { phase: null, step: 0, total_steps: 0, percentage: 0, message };

  let finished = 0;
  for (const step of ordered) if (DONE.has(step.status)) finished++;
  const currentIndex = ordered.findIndex((s) => !DONE.has(s.status));
  if (currentIndex === -1) {
    const last = ordered[total - 1]!;
    return { phase: last.name, step: total, total_steps: total, percentage: 100, message };
  }
  const current = ordered[currentIndex]!;
  const fraction =
    current.status === "in_progress" && current.progressTotal > 0
      ? Math.min(1, Math.max(0, current.progressDone / current.progressTotal))
      : 0;
  const percentage = Math.round(((finished + fraction) / total) * 1000) / 10;
  return { phase: current.name, step: currentIndex + 1, total_steps: total, percentage, message };
}
