import { useQueries, useQueryClient } from "@tanstack/react-query";
import { Link } from "wouter";
import { useApi } from "../api/api-context";
import { ApiError } from "../api/client";
import { keys } from "../api/keys";
import { useBatch } from "../api/queries";
import { JOB_STATUSES, type DocumentStatus, type Job, type JobStatus } from "../api/types";
import { DocumentRowById } from "../components/document-row";
import { IconChevronLeft, IconLayers } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { newerJob } from "../live/cache";
import { useWatch } from "../live/live-context";

const COUNT_TONE: Record<JobStatus, DocumentStatus> = {
  pending: "queued",
  processing: "processing",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};

/**
 * A batch: the aggregate progress of its jobs and each document's live row. The jobs come
 * from the live cache (the event stream keeps them current), so the aggregate moves with
 * every event; it is computed as the server computes it (a finished job counts as 100 %).
 */
export function BatchPage({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const batch = useBatch(id);
  const seeds = batch.data?.jobs ?? [];
  const live = useQueries({
    queries: seeds.map((job) => ({
      queryKey: keys.job(job.id),
      queryFn: async () => newerJob(qc, await api.job(job.id)),
      initialData: job,
      staleTime: Infinity,
    })),
  });
  const jobs: Job[] = live.map((q, i) => q.data ?? seeds[i]!);
  useWatch(jobs.map((j) => j.document_id));

  if (batch.isError) {
    const notFound = batch.error instanceof ApiError && batch.error.status === 404;
    return (
      <div className="page">
        <div className="empty card">
          <h1 className="empty-title">
            {notFound ? t("batch.notFound") : t("common.error", { message: batch.error.message })}
          </h1>
          <Link href="/" className="btn">
            {t("common.home")}
          </Link>
        </div>
      </div>
    );
  }
  if (!batch.data) return <div className="page" aria-busy="true" />;

  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  let sum = 0;
  for (const job of jobs) {
    counts[job.status]++;
    sum += job.status === "pending" || job.status === "processing" ? job.progress.percentage : 100;
  }
  const total = jobs.length;
  const percentage = total === 0 ? 0 : Math.floor(sum / total);
  const done = counts.completed + counts.failed + counts.cancelled;
  const tone =
    counts.processing > 0 ? "processing" : done === total ? (counts.failed > 0 ? "failed" : "completed") : "queued";

  return (
    <div className="page">
      <Link href="/" className="back-link">
        <IconChevronLeft size={16} />
        {t("doc.back")}
      </Link>
      <section className="card batch-header" aria-labelledby="batch-title" data-testid="batch-header">
        <div className="doc-header-top">
          <div className="doc-header-icon">
            <IconLayers size={24} />
          </div>
          <div className="doc-header-title">
            <h1 className="doc-title" id="batch-title">
              {t("batch.title")}
            </h1>
            <span className="meta">{i18n.tc("batch.lead", total, { when: i18n.relative(batch.data.created_at) })}</span>
          </div>
        </div>
        <div className="progress">
          <div
            className={`bar bar-lg bar-${tone}`}
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percentage}
            aria-label={t("batch.done", { done, total, p: percentage })}
          >
            <div className="bar-fill" style={{ transform: `scaleX(${percentage / 100})` }} />
          </div>
          <div className="progress-text" data-testid="batch-progress">
            {t("batch.done", { done, total, p: percentage })}
          </div>
        </div>
        <div className="counts">
          {JOB_STATUSES.map((s) => (
            <span
              key={s}
              className={`count count-${COUNT_TONE[s]}${counts[s] === 0 ? " count-zero" : ""}`}
              data-count={s}
            >
              <span className={`pill-dot dot-${COUNT_TONE[s]}`} aria-hidden="true" />
              {i18n.status(COUNT_TONE[s])} <strong>{counts[s]}</strong>
            </span>
          ))}
        </div>
      </section>
      <ul className="doc-list card" data-testid="batch-documents">
        {jobs.map((job) => (
          <DocumentRowById key={job.id} id={job.document_id} />
        ))}
      </ul>
    </div>
  );
}
