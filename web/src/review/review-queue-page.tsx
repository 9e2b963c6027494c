import { useEffect, useState } from "react";
import { Link, useSearchParams } from "wouter";
import { useFields, useReviewQueue, useStatus } from "../api/queries";
import type { DocumentJson } from "../api/types";
import { FileIcon } from "../components/document-row";
import { IconCheck, IconChevronLeft, IconChevronRight } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { useWatch } from "../live/live-context";
import { checkText } from "./check-messages";
import { useReviewFlash } from "./review-flash";

const PAGE_SIZE = 20;

/** One waiting document: name, type, why it waits (its status message) and for how long. */
function QueueRow({ doc }: { doc: DocumentJson }) {
  const i18n = useI18n();
  const { t } = i18n;
  const status = useStatus(doc.id);
  // Also warms the cache for the review screen this row opens.
  const fields = useFields(doc.id);
  const reasons = fields.data?.review_reasons?.length
    ? fields.data.review_reasons.map((r) => checkText(i18n, r)).join("; ")
    : (status.data?.message ?? "");
  return (
    <li className="queue-row" data-testid="queue-row" data-document-id={doc.id}>
      <div className="queue-row-icon">
        <FileIcon mime={doc.mime_type} />
      </div>
      <div className="queue-row-main">
        <Link href={`/review/${doc.id}`} className="doc-row-name" title={doc.filename} data-testid="queue-open">
          {doc.filename}
        </Link>
        <span className="meta">
          <span className="queue-type" data-testid="queue-type">
            <span className="visually-hidden">{t("queue.type")}: </span>
            {fields.data ? t(`docType.${fields.data.document_type}`) : "—"}
          </span>
          <time dateTime={doc.created_at} title={i18n.dateTime(doc.created_at)}>
            <span className="visually-hidden">{t("queue.age")}: </span>
            {i18n.relative(doc.created_at)}
          </time>
        </span>
      </div>
      <p className="queue-reason" data-testid="queue-reason">
        <span className="visually-hidden">{t("queue.reason")}: </span>
        {reasons}
      </p>
      <Link
        href={`/review/${doc.id}`}
        className="btn btn-small btn-primary-soft queue-action"
        tabIndex={-1}
        aria-hidden="true"
      >
        {t("queue.open")}
      </Link>
    </li>
  );
}

/** Documents in manual_review, oldest first; kept current by the event stream. */
export function ReviewQueuePage() {
  const i18n = useI18n();
  const { t } = i18n;
  const flash = useReviewFlash();
  const [announce, setAnnounce] = useState<string | null>(null);
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page") ?? "1") || 1);
  const queue = useReviewQueue(page, PAGE_SIZE);
  const items = queue.data?.items ?? [];
  const total = queue.data?.total ?? 0;
  useWatch(items.map((d) => d.id));

  // Inserted after the first render, so screen readers announce it.
  useEffect(() => {
    if (flash)
      setAnnounce(
        `${t(flash.decision === "approve" ? "review.approved" : "review.rejected", { name: flash.name })} ${t("review.queueDone")}`,
      );
  }, []);

  const goTo = (n: number) =>
    setParams(n > 1 ? new URLSearchParams({ page: String(n) }) : new URLSearchParams(), { replace: true });

  return (
    <div className="page" data-testid="review-queue">
      <div className="page-header">
        <div>
          <h1 className="page-title">{t("queue.title")}</h1>
          <p className="page-lead" aria-live="polite">
            {queue.data ? i18n.tc("queue.lead", total) : "\u00a0"}
          </p>
        </div>
      </div>
      <div role="status" aria-live="polite" data-testid="review-announce">
        {announce ? <p className="alert alert-success">{announce}</p> : null}
      </div>
      {queue.isError ? (
        <div className="alert alert-error" role="alert">
          {t("common.error", { message: queue.error.message })}{" "}
          <button type="button" className="btn btn-small" onClick={() => void queue.refetch()}>
            {t("common.retry")}
          </button>
        </div>
      ) : queue.isPending ? (
        <ul className="doc-list" aria-busy="true">
          {Array.from({ length: 3 }, (_, i) => (
            <li key={i} className="doc-row doc-row-skeleton" />
          ))}
        </ul>
      ) : items.length === 0 ? (
        <div className="empty card" data-testid="queue-empty">
          <div className="empty-icon">
            <IconCheck size={28} />
          </div>
          <h2 className="empty-title">{t("queue.empty")}</h2>
          <p className="empty-lead">{t("queue.emptyLead")}</p>
        </div>
      ) : (
        <>
          <ul className="queue-list card" aria-label={t("queue.list")} data-testid="queue-list">
            {items.map((doc) => (
              <QueueRow key={doc.id} doc={doc} />
            ))}
          </ul>
          {total > PAGE_SIZE ? (
            <nav className="pagination" aria-label={t("docs.pagination")}>
              <span className="pagination-range">
                {t("docs.range", { from: (page - 1) * PAGE_SIZE + 1, to: Math.min(total, page * PAGE_SIZE), total })}
              </span>
              <button type="button" className="btn btn-small" disabled={page <= 1} onClick={() => goTo(page - 1)}>
                <IconChevronLeft size={16} />
                {t("docs.prev")}
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={page * PAGE_SIZE >= total}
                onClick={() => goTo(page + 1)}
              >
                {t("docs.next")}
                <IconChevronRight size={16} />
              </button>
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}
