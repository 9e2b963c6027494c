/** The events a subscription can ask for (API.md). */
export const WEBHOOK_EVENTS = [
  "job.completed",
  "job.failed",
  "document.manual_review",
  "collection.completed",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What the dispatcher knows about a job-level event when it maps it to webhook events. */
export interface JobEventFacts {
  status: string;
  step: string | null;
  /** The job's review reason when the event is read (a completed job needing a person). */
  reviewReason: string | null;
  /** Set on a collection's compile job. */
  collectionId: string | null;
}

/**
 * The webhook events one `job_events` row stands for. Only job-level outcomes count (step
 * events are progress, not news); a completed job that needs review is both completed and
 * `document.manual_review`, as the unified status shows it.
 */
export function webhookEventsFor(facts: JobEventFacts): WebhookEvent[] {
  if (facts.step !== null) return [];
  if (facts.status === "failed") return ["job.failed"];
  if (facts.status !== "completed") return [];
  if (facts.collectionId) return ["collection.completed"];
  return facts.reviewReason ? ["job.completed", "document.manual_review"] : ["job.completed"];
}
