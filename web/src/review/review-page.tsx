import { useEffect, useRef, useState } from "react";
import { Link, useLocation } from "wouter";
import { useApi } from "../api/api-context";
import { ApiError } from "../api/client";
import { useDocument, useFields, useModel, useStatus } from "../api/queries";
import { isActive, type FieldName, type FieldSource } from "../api/types";
import { IconChevronLeft } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { useWatch } from "../live/live-context";
import { PageViewer } from "../viewer/page-viewer";
import { unionBox, type WordPick } from "../viewer/word-picking";
import { FORM_ORDER } from "./field-groups";
import { ReviewFormCard } from "./review-form";
import { ChecksList, LineItemsTable } from "./review-details";
import { flashState, useReviewFlash, type ReviewFlash } from "./review-flash";
import { ReviewHeader } from "./review-header";
import { useReviewForm } from "./use-review-form";

/** The review screen of one document: the page with its word boxes beside the field form. */
export function ReviewPage({ id }: { id: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const [, navigate] = useLocation();
  const flash = useReviewFlash();
  const doc = useDocument(id);
  const status = useStatus(id);
  const settled = !!status.data && !isActive(status.data.status) && status.data.status !== "uploaded";
  const fields = useFields(id, settled);
  const hasFields = !!fields.data;
  const model = useModel(fields.data?.job_id, hasFields);
  const form = useReviewForm(id, fields.data);
  const [active, setActive] = useState<FieldName | null>(null);
  const inputs = useRef(new Map<FieldName, HTMLInputElement>());
  const focusedOnce = useRef(false);
  const [announce, setAnnounce] = useState<string | null>(null);
  useWatch([id]);

  // What the previous decision did, inserted after the first render so screen readers announce it.
  useEffect(() => {
    if (flash)
      setAnnounce(
        `${t(flash.decision === "approve" ? "review.approved" : "review.rejected", { name: flash.name })} ${flash.next ? t("review.nextOpened", { name: flash.next }) : ""}`.trim(),
      );
  }, []);

  const reviewable = status.data?.status === "completed" || status.data?.status === "manual_review";

  // The first field takes the focus once the form is on screen, so the keyboard can start at once.
  const formShown = hasFields && !!doc.data && !!status.data;
  useEffect(() => {
    if (!formShown || focusedOnce.current) return;
    const first = inputs.current.get(FORM_ORDER[0]!);
    if (!first) return;
    focusedOnce.current = true;
    first.focus();
  }, [formShown]);

  /** Approve or reject, then open the next document waiting (or the queue when none is). */
  const decideAndNext = async (decision: "approve" | "reject", note: string | null) => {
    const decided = await form.decide(decision, note);
    if (!decided) return;
    const queue = await api.reviewQueue(1, 2).catch(() => null);
    const next = queue?.items.find((d) => d.id !== id) ?? null;
    const flashed: ReviewFlash = { decision, name: doc.data?.filename ?? id, next: next?.filename ?? null };
    navigate(next ? `/review/${next.id}` : "/review", { state: flashState(flashed) });
  };

  // Ctrl+Enter (⌘+Enter on a Mac) anywhere on the screen: save, approve, next.
  const shortcut = useRef<(e: KeyboardEvent) => void>(() => undefined);
  shortcut.current = (e: KeyboardEvent) => {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || e.defaultPrevented) return;
    if (document.querySelector("dialog[open]")) return;
    e.preventDefault();
    if (reviewable && hasFields) void decideAndNext("approve", null);
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => shortcut.current(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  /** Words clicked on the page fill the focused field (or the one focused last). */
  const onPick = (pick: WordPick) => {
    if (!active || !reviewable) return;
    const text = pick.words.map((w) => w.text).join(" ");
    const pending = form.edits[active];
    const current = form.value(active);
    const bbox = unionBox(pick.words)!;
    let source: FieldSource = { page: pick.page, bbox };
    let value = text;
    if (pick.append && current.trim() !== "") {
      value = `${current} ${text}`;
      const before = pending?.source ?? fields.data?.fields[active]?.source ?? null;
      if (before && before.page === pick.page) {
        source = {
          page: pick.page,
          bbox: [
            Math.min(before.bbox[0], bbox[0]),
            Math.min(before.bbox[1], bbox[1]),
            Math.max(before.bbox[2], bbox[2]),
            Math.max(before.bbox[3], bbox[3]),
          ],
        };
      }
    }
    form.edit(active, value, source);
    const input = inputs.current.get(active);
    if (input && document.activeElement !== input) input.focus();
  };

  const focusField = (name: string) => inputs.current.get(name as FieldName)?.focus();

  if (doc.isError || status.isError) {
    const error = doc.error ?? status.error;
    return (
      <div className="page">
        <div className="empty card">
          <h1 className="empty-title">
            {error instanceof ApiError && error.status === 404
              ? t("doc.notFound")
              : t("common.error", { message: error?.message ?? "" })}
          </h1>
          <Link href="/review" className="btn">
            {t("review.back")}
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

  const activeField = active ? fields.data?.fields[active] : undefined;
  const activeSource = (active && form.edits[active]?.source) || activeField?.source || null;
  const highlight = active && activeSource ? { ...activeSource, field: active, label: t(`field.${active}`) } : null;
  const notExtracted = fields.error instanceof ApiError && fields.error.status === 409;

  return (
    <div className="page review-page" data-testid="review-page" data-document-id={id}>
      <Link href="/review" className="back-link">
        <IconChevronLeft size={16} />
        {t("review.back")}
      </Link>
      <ReviewHeader doc={doc.data} status={status.data} fields={fields.data} />
      <div className="review-announce" role="status" aria-live="polite" data-testid="review-announce">
        {announce ? <p className="alert alert-success">{announce}</p> : null}
      </div>
      {!reviewable ? (
        <p className="alert alert-info" data-testid="not-reviewable">
          {t("review.notReviewable", { status: i18n.status(status.data.status) })}
        </p>
      ) : null}
      {fields.isError && !notExtracted ? (
        <p className="alert alert-error" role="alert">
          {t("common.error", { message: fields.error.message })}
        </p>
      ) : null}
      {notExtracted ? <p className="alert alert-info">{t("review.notExtracted")}</p> : null}
      {settled && fields.isPending ? <p className="muted">{t("common.loading")}</p> : null}
      {fields.data ? (
        <div className="review-layout">
          <section className="card review-viewer" aria-label={t("result.pages")}>
            <p className="review-pick-hint muted small" aria-live="polite">
              {active ? t("review.pickHint", { field: t(`field.${active}`) }) : t("review.pickNone")}
            </p>
            {model.data ? (
              <PageViewer
                doc={doc.data}
                model={model.data}
                highlight={highlight}
                onPick={reviewable ? onPick : undefined}
              />
            ) : model.isError ? (
              <p className="muted">
                {model.error instanceof ApiError && model.error.status === 404
                  ? t("review.noModel")
                  : t("common.error", { message: model.error.message })}
              </p>
            ) : (
              <p className="muted">{t("result.loading")}</p>
            )}
          </section>
          <div className="review-side">
            <ReviewFormCard
              fields={fields.data}
              form={form}
              readOnly={!reviewable}
              filename={doc.data.filename}
              inputs={inputs.current}
              onFocusField={setActive}
              onDecide={(decision, note) => void decideAndNext(decision, note)}
            />
            <section className="card review-card" aria-labelledby="checks-title">
              <h2 className="card-title" id="checks-title">
                {t("review.checks")}
              </h2>
              <ChecksList fields={fields.data} onField={focusField} />
            </section>
            <section className="card review-card" aria-labelledby="items-title">
              <h2 className="card-title" id="items-title">
                {t("review.lineItems")}
              </h2>
              <LineItemsTable items={fields.data.line_items} />
            </section>
          </div>
        </div>
      ) : null}
    </div>
  );
}
