import { Link } from "wouter";
import type { DocumentJson, FieldsJson } from "../api/types";
import { StatusBadge } from "../components/status";
import { useI18n } from "../i18n/i18n";
import type { LiveStatus } from "../live/cache";
import { checkText } from "./check-messages";

/** What is being reviewed: the file, its status, its type and why it needs a person. */
export function ReviewHeader({
  doc,
  status,
  fields,
}: {
  doc: DocumentJson;
  status: LiveStatus;
  fields: FieldsJson | undefined;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const reasons = fields?.review_reasons?.length
    ? fields.review_reasons
    : status.status === "manual_review" && status.message
      ? [status.message]
      : [];
  const review = fields?.review;
  return (
    <section
      className="card review-header"
      aria-labelledby="review-title"
      data-testid="review-header"
      data-status={status.status}
    >
      <div className="review-header-top">
        <div className="review-header-title">
          <h1 id="review-title" className="doc-title" title={doc.filename}>
            {doc.filename}
          </h1>
          <span className="meta">
            {fields ? (
              <span data-testid="document-type" data-type={fields.document_type}>
                {t("review.type")}: <strong>{t(`docType.${fields.document_type}`)}</strong> (
                {t("review.typeConfidence", { p: i18n.number(fields.type_confidence * 100) })})
              </span>
            ) : null}
            {fields?.template ? <span>{t("review.template", { name: fields.template })}</span> : null}
            {review ? (
              <span data-testid="review-state" data-state={review.state}>
                {review.by && review.at
                  ? t("reviewState.by", {
                      state: t(`reviewState.${review.state}`),
                      by: review.by,
                      when: i18n.dateTime(review.at),
                    })
                  : t(`reviewState.${review.state}`)}
              </span>
            ) : null}
          </span>
        </div>
        <StatusBadge status={status.status} size="lg" />
        <Link href={`/documents/${doc.id}`} className="btn btn-small">
          {t("review.openDocument")}
        </Link>
      </div>
      {reasons.length > 0 ? (
        <div className="review-reasons" data-testid="review-reasons">
          <span className="review-reasons-label">{t("review.reasons")}</span>
          <ul>
            {reasons.map((r) => (
              <li key={r}>{checkText(i18n, r)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {status.status === "failed" && status.error ? (
        <p className="progress-error small">{status.error.message}</p>
      ) : null}
    </section>
  );
}
