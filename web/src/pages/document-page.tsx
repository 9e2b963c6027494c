import { useMutation, useQueryClient } from "@tanstack/react-query";
import { StepSummaryLine } from "../components/step-summary";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { useApi } from "../api/api-context";
import { activeJobOf, ApiError } from "../api/client";
import { keys } from "../api/keys";
import { useDocument, useHistory, useJob, useStatus } from "../api/queries";
import { isActive, type DocumentJson, type Job, type JobEvent, type JobStep } from "../api/types";
import { ConfirmDialog } from "../components/dialog";
import { DocumentMeta, FileIcon } from "../components/document-row";
import {
  IconChevronLeft,
  IconDownload,
  IconLayers,
  IconPlay,
  IconRetry,
  IconStop,
  IconTrash,
} from "../components/icons";
import { Progress, StatusBadge, StepStatusIcon, useNow } from "../components/status";
import { useI18n } from "../i18n/i18n";
import { putJob, putStatus, type LiveStatus } from "../live/cache";
import { useWatch } from "../live/live-context";
import { FieldsPanel } from "../review/fields-panel";
import { ResultViewer } from "../viewer/result-viewer";
import { loadUploadOptions, toSubmitOptions } from "./upload-options";

/** "Small — 150 dpi, large print" → "Small". */
const short = (label: string) => label.split(" — ")[0] ?? label;

/** One document: live status with its actions, the step timeline, the event history and the results. */
export function DocumentPage({ id }: { id: string }) {
  const { t } = useI18n();
  const doc = useDocument(id);
  const status = useStatus(id);
  const jobId = doc.data?.latest_job_id ?? null;
  const job = useJob(jobId);
  useWatch([id]);

  if (doc.isError || status.isError) {
    const notFound =
      (doc.error ?? status.error) instanceof ApiError && ((doc.error ?? status.error) as ApiError).status === 404;
    return (
      <div className="page">
        <div className="empty card">
          <h1 className="empty-title">
            {notFound ? t("doc.notFound") : t("common.error", { message: (doc.error ?? status.error)?.message ?? "" })}
          </h1>
          <Link href="/" className="btn">
            {t("common.home")}
          </Link>
        </div>
      </div>
    );
  }
  if (!doc.data || !status.data) {
    return (
      <div className="page" aria-busy="true">
        <div className="card doc-header doc-header-skeleton" />
      </div>
    );
  }
  return (
    <div className="page">
      <Link href="/" className="back-link">
        <IconChevronLeft size={16} />
        {t("doc.back")}
      </Link>
      <DocumentHeader doc={doc.data} status={status.data} job={job.data ?? null} />
      <div className="doc-layout">
        <div className="doc-main">
          <ResultViewer doc={doc.data} jobId={jobId} status={status.data} />
        </div>
        <aside className="doc-side">
          <FieldsPanel documentId={id} status={status.data} />
          <StepTimeline job={job.data ?? null} status={status.data} />
          <HistoryCard documentId={id} />
        </aside>
      </div>
    </div>
  );
}

function DocumentHeader({ doc, status, job }: { doc: DocumentJson; status: LiveStatus; job: Job | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [confirm, setConfirm] = useState<"cancel" | "delete" | null>(null);
  const jobId = doc.latest_job_id;

  const afterJob = (updated: Job) => {
    putJob(qc, updated);
    void api.status(doc.id).then((s) => putStatus(qc, doc.id, s));
  };
  const cancel = useMutation({
    mutationFn: () => api.cancel(jobId!),
    onSuccess: afterJob,
    onSettled: () => setConfirm(null),
  });
  // 409 job_active: another job of this document is in progress; show it (re-read the status).
  const onRefused = (error: Error) => {
    if (activeJobOf(error) === null) return;
    void qc.invalidateQueries({ queryKey: keys.document(doc.id) });
    void api.status(doc.id).then((s) => putStatus(qc, doc.id, s));
  };
  const retry = useMutation({ mutationFn: () => api.retry(jobId!), onSuccess: afterJob, onError: onRefused });
  const process = useMutation({
    // Processed with the options last chosen on the upload page.
    mutationFn: () => api.submit(doc.id, toSubmitOptions(loadUploadOptions())),
    onError: onRefused,
    onSuccess: (created) => {
      putJob(qc, created);
      void qc.invalidateQueries({ queryKey: keys.document(doc.id) });
      void api.status(doc.id).then((s) => putStatus(qc, doc.id, s));
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteDocument(doc.id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.documentsAll });
      navigate("/");
    },
    onSettled: () => setConfirm(null),
  });
  const error = [cancel.error, retry.error, process.error, remove.error].find((e) => e);
  const activeJob = activeJobOf(error);
  const canProcess = status.status === "uploaded" || status.status === "completed" || status.status === "manual_review";

  return (
    <section
      className="card doc-header"
      aria-labelledby="doc-title"
      data-testid="doc-header"
      data-status={status.status}
    >
      <div className="doc-header-top">
        <div className="doc-header-icon">
          <FileIcon mime={doc.mime_type} size={24} />
        </div>
        <div className="doc-header-title">
          <h1 id="doc-title" className="doc-title" title={doc.filename}>
            {doc.filename}
          </h1>
          <DocumentMeta doc={doc} />
        </div>
        <StatusBadge status={status.status} size="lg" />
      </div>
      <Progress
        status={status}
        detail
        note={
          job?.completed_at && !isActive(status.status)
            ? t("progress.finishedAt", { when: i18n.dateTime(job.completed_at) })
            : null
        }
      />
      <div className="doc-header-bottom">
        <div className="job-facts">
          {job ? (
            <>
              <span>
                {t("doc.options", {
                  mode: short(i18n.maybe(`mode.${job.ocr_mode}`) ?? job.ocr_mode),
                  resolution: short(i18n.maybe(`res.${job.resolution_mode}`) ?? job.resolution_mode),
                  languages: job.languages.join("+"),
                  priority: job.priority,
                })}
              </span>
              {job.attempts > 1 || status.status === "failed" ? (
                <span>{t("doc.attemptOf", { a: job.attempts, m: job.max_attempts })}</span>
              ) : null}
              {job.batch_id ? (
                <Link href={`/batches/${job.batch_id}`} className="link-strong">
                  <IconLayers size={14} /> {t("doc.batch")}
                </Link>
              ) : null}
            </>
          ) : null}
        </div>
        <div className="actions">
          {status.can_cancel && jobId ? (
            <button
              type="button"
              className="btn btn-danger-outline"
              onClick={() => setConfirm("cancel")}
              data-testid="cancel"
            >
              <IconStop />
              {t("doc.cancel")}
            </button>
          ) : null}
          {status.can_retry && jobId ? (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => retry.mutate()}
              disabled={retry.isPending}
              data-testid="retry"
            >
              <IconRetry />
              {t("doc.retry")}
            </button>
          ) : null}
          {canProcess ? (
            <button
              type="button"
              className={status.status === "uploaded" ? "btn btn-primary" : "btn"}
              onClick={() => process.mutate()}
              disabled={process.isPending}
              data-testid="process-document"
            >
              <IconPlay />
              {status.status === "uploaded" ? t("doc.process") : t("doc.reprocess")}
            </button>
          ) : null}
          <a className="btn" href={api.fileUrl(doc.id)} download>
            <IconDownload />
            {t("doc.download")}
          </a>
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            onClick={() => setConfirm("delete")}
            aria-label={t("doc.delete")}
            title={t("doc.delete")}
          >
            <IconTrash />
          </button>
        </div>
      </div>
      {error ? (
        <p className="alert alert-error" role="alert" data-testid="doc-error">
          {activeJob ? t("error.job_active", { job: activeJob }) : error.message}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirm === "cancel"}
        title={t("doc.cancelTitle")}
        confirmLabel={t("doc.cancelConfirm")}
        cancelLabel={t("doc.keep")}
        danger
        busy={cancel.isPending}
        onConfirm={() => cancel.mutate()}
        onClose={() => setConfirm(null)}
      >
        {t("doc.cancelBody", { name: doc.filename })}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "delete"}
        title={t("doc.deleteTitle")}
        confirmLabel={t("doc.deleteConfirm")}
        danger
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onClose={() => setConfirm(null)}
      >
        {t("doc.deleteBody", { name: doc.filename })}
      </ConfirmDialog>
    </section>
  );
}

function StepTimeline({ job, status }: { job: Job | null; status: LiveStatus }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="steps-title">
      <h2 className="card-title" id="steps-title">
        {t("doc.steps")}
      </h2>
      {!job ? (
        <p className="muted">{t("doc.noSteps")}</p>
      ) : (
        <>
          <StepSummaryLine job={job} />
          <ol className="timeline" data-testid="timeline">
            {job.steps.map((step) => (
              <StepItem
                key={step.name}
                step={step}
                message={step.status === "in_progress" && status.phase === step.name ? status.message : null}
              />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function StepItem({ step, message }: { step: JobStep; message: string | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const running = step.status === "in_progress";
  const now = useNow(running);
  const started = step.started_at ? new Date(step.started_at).getTime() : null;
  const finished = step.completed_at ? new Date(step.completed_at).getTime() : null;
  const duration = started !== null ? (finished ?? (running ? now : null)) : null;
  return (
    <li className={`step step-${step.status}`} data-testid="step" data-step={step.name} data-status={step.status}>
      <StepStatusIcon status={step.status} />
      <div className="step-body">
        <div className="step-head">
          <span className="step-name" title={step.name}>
            {i18n.phase(step.name)}
          </span>
          <span className="step-status">{i18n.stepStatus(step.status)}</span>
        </div>
        {started !== null ? (
          <div className="step-times">
            <span title={t("doc.started")}>{i18n.time(step.started_at!)}</span>
            {finished !== null ? (
              <>
                <span aria-hidden="true">→</span>
                <span title={t("doc.finished")}>{i18n.time(step.completed_at!)}</span>
              </>
            ) : null}
            {duration !== null ? (
              <span className="step-duration" title={t("doc.duration")}>
                {running ? i18n.clock(duration - started) : i18n.duration(duration - started)}
              </span>
            ) : null}
            {step.attempts > 1 ? (
              <span className="step-attempts">{t("doc.attempts", { n: step.attempts })}</span>
            ) : null}
          </div>
        ) : null}
        {message ? <div className="step-message">{i18n.message(message)}</div> : null}
        {step.error ? (
          <div className="step-error" data-testid="step-error">
            <code>{step.error.code}</code> {step.error.message}
          </div>
        ) : null}
      </div>
    </li>
  );
}

function HistoryCard({ documentId }: { documentId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const history = useHistory(documentId);
  const items = [...(history.data?.items ?? [])].reverse();
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 className="card-title" id="history-title">
        {t("doc.history")}
      </h2>
      {items.length === 0 ? (
        <p className="muted">{history.isPending ? t("common.loading") : t("doc.historyEmpty")}</p>
      ) : (
        <ol className="history" data-testid="history">
          {items.map((e) => (
            <HistoryItem key={e.id} event={e} />
          ))}
        </ol>
      )}
    </section>
  );
}

function HistoryItem({ event }: { event: JobEvent }) {
  const i18n = useI18n();
  const tone = /fail/.test(event.status)
    ? "bad"
    : event.status === "success" || event.status === "completed"
      ? "good"
      : event.status.startsWith("cancel")
        ? "muted"
        : "info";
  return (
    <li className={`history-item tone-${tone}`} data-event-status={event.status}>
      <time dateTime={event.created_at} title={i18n.dateTime(event.created_at)}>
        {i18n.time(event.created_at)}
      </time>
      <div className="history-body">
        <span className="history-what">
          {event.step ? i18n.phase(event.step) : i18n.t("doc.job")} ·{" "}
          <span className="history-status">{event.status}</span>
        </span>
        {event.message ? <span className="history-message">{i18n.message(event.message)}</span> : null}
      </div>
    </li>
  );
}
