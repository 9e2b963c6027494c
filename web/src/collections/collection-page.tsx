import { useState } from "react";
import { Link } from "wouter";
import { ApiError } from "../api/client";
import { useNow } from "../components/status";
import { IconChevronLeft, IconLayers } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import type { CollectionStatus } from "./api";
import { CompileTab } from "./compile-tab";
import { DocumentsTab } from "./documents-tab";
import { useCollection, useCollectionStatus, useCompileJob, useMemberStatuses } from "./queries";
import "./collections.css";

type Tab = "documents" | "compile";

/** "Phase k of n: … p% (elapsed)", the elapsed time ticking locally while a phase runs. */
function PhaseLine({ status, observedAt }: { status: CollectionStatus; observedAt: number }) {
  const i18n = useI18n();
  const p = status.progress;
  const [process, compile] = status.stages;
  const running =
    process.counts.queued + process.counts.processing > 0 ||
    compile.status === "queued" ||
    compile.status === "processing";
  const now = useNow(running);
  const elapsed = running ? p.elapsed_ms + Math.max(0, now - observedAt) : p.elapsed_ms;
  const job = compile.job;
  const message =
    p.phase === "process"
      ? i18n.t("col.phase.process", {
          done: process.total - process.counts.queued - process.counts.processing - process.counts.uploaded,
          total: process.total,
        })
      : compile.status === "completed"
        ? i18n.t("col.phase.compileDone")
        : compile.status === "failed" || compile.status === "cancelled"
          ? i18n.t("col.phase.compileStopped", { status: i18n.status(compile.status) })
          : i18n.t("col.phase.compile", { step: job?.progress.step ?? 0, steps: job?.progress.total_steps ?? 0 });
  return (
    <div className="progress">
      <div
        className={`bar bar-lg bar-${running ? "processing" : "completed"}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(p.percentage)}
      >
        <div className="bar-fill" style={{ transform: `scaleX(${p.percentage / 100})` }} />
      </div>
      <div className="progress-text" data-testid="collection-phase">
        {i18n.t("col.phase", {
          k: p.phase_index,
          n: p.phase_total,
          message,
          p: Math.floor(p.percentage),
          elapsed: i18n.clock(elapsed),
        })}
      </div>
    </div>
  );
}

/**
 * One collection: its aggregate progress and two tabs. Everything moves live: the members'
 * statuses come from the event stream's cache, and the collection's status is read again
 * whenever one of them (or the compile job) changes version, so Compile unlocks the moment
 * the last document finishes.
 */
export function CollectionPage({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [tab, setTab] = useState<Tab>("documents");
  const collection = useCollection(id);
  const memberIds = collection.data?.document_ids ?? [];
  const members = useMemberStatuses(memberIds);
  // The compile job id is learnt from the status; its live version then feeds the fingerprint.
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useCompileJob(jobId);
  const fingerprint = `${collection.data?.version ?? 0}:${members.map((s) => s?.version ?? -1).join(",")}:${job.data?.version ?? 0}`;
  const status = useCollectionStatus(id, fingerprint);
  const compileJobId = status.data?.stages[1].job?.id ?? null;
  if (compileJobId !== jobId) setJobId(compileJobId);

  if (collection.isError) {
    const notFound = collection.error instanceof ApiError && collection.error.status === 404;
    return (
      <div className="page">
        <div className="empty card">
          <h1 className="empty-title">
            {notFound ? t("col.notFound") : t("common.error", { message: collection.error.message })}
          </h1>
          <Link href="/collections" className="btn">
            {t("col.back")}
          </Link>
        </div>
      </div>
    );
  }
  if (!collection.data) return <div className="page" aria-busy="true" />;
  const locked = status.data?.stages[1].locked ?? true;

  return (
    <div className="page">
      <Link href="/collections" className="back-link">
        <IconChevronLeft size={16} />
        {t("col.back")}
      </Link>
      <section className="card batch-header" aria-labelledby="collection-title">
        <div className="doc-header-top">
          <div className="doc-header-icon">
            <IconLayers size={24} />
          </div>
          <div className="doc-header-title">
            <h1 className="doc-title" id="collection-title">
              {collection.data.name}
            </h1>
            <span className="meta">{i18n.tc("col.documents", memberIds.length)}</span>
          </div>
        </div>
        {status.data ? <PhaseLine status={status.data} observedAt={status.dataUpdatedAt} /> : null}
      </section>
      <div className="tabs" role="tablist" aria-label={collection.data.name}>
        {(["documents", "compile"] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`panel-${name}`}
            className={tab === name ? "tab active" : "tab"}
            onClick={() => setTab(name)}
            data-testid={`tab-${name}`}
            data-locked={name === "compile" ? String(locked) : undefined}
          >
            {t(`col.tab.${name}`)}
            {name === "compile" && locked ? <span className="tab-lock"> ({t("col.tab.locked")})</span> : null}
          </button>
        ))}
      </div>
      <div className="tab-panel card" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "documents" ? (
          <DocumentsTab collection={collection.data} />
        ) : status.data ? (
          <CompileTab collectionId={id} status={status.data} job={job.data ?? status.data.stages[1].job} />
        ) : null}
      </div>
    </div>
  );
}
