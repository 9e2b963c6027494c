import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { keys } from "../api/keys";
import type { EventMessage, Job, JobEvent, Snapshot, UnifiedStatus } from "../api/types";

/** A status with the moment this browser received it (elapsed time ticks from there). */
export type LiveStatus = UnifiedStatus & { observed_at: number };

/**
 * Writes server state pushed by the event stream (or fetched by the long-poll) into the
 * query cache. Versions only move forward: a late answer never replaces a newer state, so
 * the screen never shows a document going back in time.
 */
export function putStatus(qc: QueryClient, documentId: string, status: UnifiedStatus): boolean {
  const key = keys.status(documentId);
  const current = qc.getQueryData<LiveStatus>(key);
  if (current && status.version < current.version) return false;
  qc.setQueryData<LiveStatus>(key, { ...status, observed_at: Date.now() });
  return !current || current.version !== status.version || current.status !== status.status;
}

/** The newer of a fetched status and the cached one (a fetch may return after a pushed update). */
export function newerStatus(qc: QueryClient, documentId: string, fetched: UnifiedStatus): LiveStatus {
  const current = qc.getQueryData<LiveStatus>(keys.status(documentId));
  if (current && current.version > fetched.version) return current;
  return { ...fetched, observed_at: Date.now() };
}

export function putJob(qc: QueryClient, job: Job): void {
  const current = qc.getQueryData<Job>(keys.job(job.id));
  if (current && job.version < current.version) return;
  qc.setQueryData<Job>(keys.job(job.id), job);
}

export function newerJob(qc: QueryClient, fetched: Job): Job {
  const current = qc.getQueryData<Job>(keys.job(fetched.id));
  return current && current.version > fetched.version ? current : fetched;
}

function appendHistory(qc: QueryClient, event: JobEvent): void {
  qc.setQueryData<{ items: JobEvent[] }>(keys.history(event.document_id), (history) => {
    if (!history || history.items.some((e) => e.id === event.id)) return history;
    const items = [...history.items, event].sort((a, b) => Number(a.id) - Number(b.id));
    return { items };
  });
}

/** Invalidations are coalesced: a burst of events refetches a list once, not once per event. */
export class Invalidator {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly qc: QueryClient,
    private readonly delayMs = 300,
  ) {}

  soon(key: QueryKey): void {
    const id = JSON.stringify(key);
    if (this.timers.has(id)) return;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        void this.qc.invalidateQueries({ queryKey: key });
      }, this.delayMs),
    );
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

export function applySnapshot(qc: QueryClient, snapshot: Snapshot): void {
  for (const { document, status } of snapshot.documents) {
    putStatus(qc, document.id, status);
    qc.setQueryData(keys.document(document.id), document);
  }
  for (const job of snapshot.jobs) putJob(qc, job);
}

/** One `event: job` message: status, job and history of its document move at once. */
export function applyMessage(qc: QueryClient, message: EventMessage, invalidate: Invalidator): void {
  const { event, job, document_status } = message;
  const before = qc.getQueryData<LiveStatus>(keys.status(event.document_id))?.status;
  putStatus(qc, event.document_id, document_status);
  if (job) putJob(qc, job);
  appendHistory(qc, event);
  // Progress events change only status, job and history (all written above). Job-level
  // changes and finished steps can change what lists, counts and results show.
  const jobLevel = event.step === null;
  if (jobLevel || event.status === "success" || event.status === "failure") {
    invalidate.soon(keys.document(event.document_id));
    invalidate.soon(keys.documentsAll);
    if (job?.batch_id) invalidate.soon(keys.batch(job.batch_id));
  }
  // Job-level events include field corrections and review decisions (they move the fields'
  // version), and every way a document enters or leaves manual_review.
  if (jobLevel) invalidate.soon(keys.fields(event.document_id));
  if (
    jobLevel ||
    (before !== document_status.status && (before === "manual_review" || document_status.status === "manual_review"))
  )
    invalidate.soon(keys.reviewAll);
  if (jobLevel && event.status === "completed") {
    invalidate.soon(keys.result(event.job_id));
    invalidate.soon(keys.model(event.job_id));
  }
}

/** After a long-poll saw a status change: refetch what the stream would have pushed. */
export function afterPolledChange(qc: QueryClient, documentId: string, invalidate: Invalidator): void {
  const doc = qc.getQueryData<{ latest_job_id: string | null }>(keys.document(documentId));
  invalidate.soon(keys.document(documentId));
  invalidate.soon(keys.history(documentId));
  invalidate.soon(keys.documentsAll);
  invalidate.soon(keys.batchAll);
  invalidate.soon(keys.fields(documentId));
  invalidate.soon(keys.reviewAll);
  if (doc?.latest_job_id) {
    invalidate.soon(keys.job(doc.latest_job_id));
    invalidate.soon(keys.result(doc.latest_job_id));
  }
}
