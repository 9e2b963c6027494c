import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../api/api-context";
import { keys } from "../api/keys";
import type { Job } from "../api/types";
import { ConfirmDialog } from "../components/dialog";
import { StatusBadge } from "../components/status";
import { useI18n } from "../i18n/i18n";
import { collectionsApi, COMPILE_OUTPUTS, type CollectionJob, type CollectionStatus } from "./api";
import { collectionKeys } from "./queries";

/**
 * The compile stage: locked with the reason (and the documents it waits for) until the
 * process stage is done; then Compile, the job's "step k of n", cancel with a confirmation,
 * retry, and the downloads once it has completed.
 */
export function CompileTab({
  collectionId,
  status,
  job,
}: {
  collectionId: string;
  status: CollectionStatus;
  job: CollectionJob | Job | null;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const stage = status.stages[1];
  const after = (updated: Job | CollectionJob) => {
    qc.setQueryData(keys.job(updated.id), updated);
    void qc.invalidateQueries({ queryKey: collectionKeys.statusAll(collectionId) });
  };
  const compile = useMutation({ mutationFn: () => collectionsApi.compile(api, collectionId), onSuccess: after });
  const cancel = useMutation({
    mutationFn: (jobId: string) => api.cancel(jobId),
    onSuccess: (updated) => {
      setConfirming(false);
      after(updated);
    },
  });
  const retry = useMutation({ mutationFn: (jobId: string) => api.retry(jobId), onSuccess: after });
  const running = stage.status === "queued" || stage.status === "processing";
  // The job is cached until a live event moves it; when the stage (re-read from the server) says
  // the job has moved on, e.g. a cancel that the worker finished after answering "Cancelling…",
  // read the job again so its actions (retry, downloads) follow without waiting for an event.
  const jobId = job?.id;
  useEffect(() => {
    if (jobId) void qc.invalidateQueries({ queryKey: keys.job(jobId) });
  }, [qc, jobId, stage.status]);
  const outputs = new Set(job?.outputs ?? []);

  return (
    <div className="compile-stage" data-testid="compile-stage" data-stage-status={stage.status}>
      {stage.locked ? (
        <div className="alert compile-locked" data-testid="compile-locked">
          <p>{status.stages[0].total === 0 ? t("col.lockedEmpty") : t("col.locked")}</p>
          {stage.blocking.length > 0 ? (
            <>
              <p>{t("col.blocking")}</p>
              <ul className="compile-blocking">
                {stage.blocking.slice(0, 20).map((b) => (
                  <li key={b.document_id}>
                    {b.filename} <StatusBadge status={b.status} />
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : !job ? (
        <p className="alert" data-testid="compile-ready">
          {t("col.ready")}
        </p>
      ) : null}
      {job ? (
        <div className="compile-job" data-testid="compile-job" data-job-status={job.status}>
          <p>
            <StatusBadge status={job.status === "pending" ? "queued" : job.status} />{" "}
            {job.progress.total_steps > 0
              ? t("col.step", {
                  k: job.progress.step,
                  n: job.progress.total_steps,
                  phase: i18n.phase(job.progress.phase),
                })
              : null}{" "}
            {Math.floor(job.progress.percentage)}%
          </p>
          {job.error ? <p className="alert alert-error">{job.error.message}</p> : null}
        </div>
      ) : null}
      <div className="toolbar-row collection-actions">
        {!running ? (
          <button
            type="button"
            className="btn btn-primary"
            disabled={stage.locked || compile.isPending}
            onClick={() => compile.mutate()}
            data-testid="compile"
          >
            {job ? t("col.compileAgain") : t("col.compile")}
          </button>
        ) : null}
        {job && running && job.can_cancel ? (
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => setConfirming(true)}
            data-testid="cancel-compile"
          >
            {t("col.cancel")}
          </button>
        ) : null}
        {job && job.can_retry && !running ? (
          <button type="button" className="btn" onClick={() => retry.mutate(job.id)} data-testid="retry-compile">
            {t("col.retry")}
          </button>
        ) : null}
      </div>
      {[compile, cancel, retry].map((m, i) =>
        m.isError ? (
          <p key={i} className="alert alert-error">
            {t("common.error", { message: m.error.message })}
          </p>
        ) : null,
      )}
      {stage.status === "completed" ? (
        <section aria-labelledby="downloads-title" data-testid="downloads">
          <h2 className="card-title" id="downloads-title">
            {t("col.downloads")}
          </h2>
          <ul className="compile-downloads">
            {COMPILE_OUTPUTS.filter((o) => outputs.has(o)).map((o) => (
              <li key={o}>
                <a className="btn" href={collectionsApi.resultUrl(collectionId, o)} download data-format={o}>
                  {t(`col.download.${o}`)}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={t("col.cancelTitle")}
        confirmLabel={t("col.cancelConfirm")}
        danger
        busy={cancel.isPending}
        onConfirm={() => job && cancel.mutate(job.id)}
        onClose={() => setConfirming(false)}
      >
        <p>{t("col.cancelBody")}</p>
      </ConfirmDialog>
    </div>
  );
}
