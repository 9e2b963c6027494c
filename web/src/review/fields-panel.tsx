import { Link } from "wouter";
import { ApiError } from "../api/client";
import { useFields } from "../api/queries";
import { isActive } from "../api/types";
import { IconAlert } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import type { LiveStatus } from "../live/cache";
import { checkText } from "./check-messages";
import { FORM_ORDER, isFailing } from "./field-groups";
import { ConfidenceMeter } from "./field-input";

/**
 * The document page's summary of its fields: type, values with their check results, the
 * review state and the way into the review screen. Nothing at all while the document has no
 * extraction (409 not_ready: not processed, still running, or processed with extract off).
 */
export function FieldsPanel({ documentId, status }: { documentId: string; status: LiveStatus }) {
  const i18n = useI18n();
  const { t } = i18n;
  const settled = !isActive(status.status) && status.status !== "uploaded";
  const fields = useFields(documentId, settled);
  if (!settled || !fields.data) {
    if (fields.error && !(fields.error instanceof ApiError && fields.error.status === 409)) {
      return (
        <section className="card" aria-labelledby="fields-title">
          <h2 className="card-title" id="fields-title">
            {t("review.fieldsTitle")}
          </h2>
          <p className="alert alert-error">{t("common.error", { message: fields.error.message })}</p>
        </section>
      );
    }
    return null;
  }
  const f = fields.data;
  const failed = f.checks.filter((c) => !c.ok);
  const found = FORM_ORDER.filter((name) => f.fields[name]);
  return (
    <section
      className="card fields-panel"
      aria-labelledby="fields-title"
      data-testid="fields-panel"
      data-review-state={f.review.state}
    >
      <div className="card-header">
        <h2 className="card-title" id="fields-title">
          {t("review.fieldsTitle")}
        </h2>
        <span className="tag">{t(`docType.${f.document_type}`)}</span>
      </div>
      <p className="small fields-panel-state">
        <span data-testid="review-state">{t(`reviewState.${f.review.state}`)}</span>
        {f.review.by && f.review.at ? (
          <span className="muted">
            {" "}
            · {f.review.by}, {i18n.dateTime(f.review.at)}
          </span>
        ) : null}
      </p>
      {found.length === 0 ? (
        <p className="muted small">{t("review.noFields")}</p>
      ) : (
        <dl className="fields-list">
          {found.map((name) => {
            const field = f.fields[name]!;
            const failing = isFailing(f, name);
            return (
              <div
                key={name}
                className={failing ? "fields-list-row failing" : "fields-list-row"}
                data-field={name}
                data-failing={failing}
              >
                <dt>{t(`field.${name}`)}</dt>
                <dd>
                  <span className="fields-list-value">{field.value}</span>
                  {failing ? (
                    <span className="fields-list-flag" title={t("review.failing")}>
                      <IconAlert size={13} />
                      <span className="visually-hidden">{t("review.failing")}</span>
                    </span>
                  ) : null}
                  <ConfidenceMeter value={field.confidence} />
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      <p
        className={failed.length > 0 ? "small fields-panel-checks bad" : "small fields-panel-checks good"}
        data-testid="fields-checks"
      >
        {failed.length > 0
          ? `${i18n.tc("review.checksFailed", failed.length)}: ${failed.map((c) => checkText(i18n, c.message)).join("; ")}`
          : t("review.allChecksOk")}
      </p>
      <Link
        href={`/review/${documentId}`}
        className={status.status === "manual_review" ? "btn btn-primary" : "btn"}
        data-testid="open-review"
      >
        {t("review.openReview")}
      </Link>
    </section>
  );
}
