import { useState } from "react";
import type { FieldName, FieldsJson } from "../api/types";
import { ConfirmDialog } from "../components/dialog";
import { IconCheck, IconX } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { FIELD_GROUPS } from "./field-groups";
import { FieldInput } from "./field-input";
import type { ReviewForm } from "./use-review-form";

/** What the form says after a save or a failed decision; read out by the live region. */
function Notice({ form }: { form: ReviewForm }) {
  const { t } = useI18n();
  const n = form.notice;
  if (!n) return null;
  const text =
    n.kind === "saved"
      ? t("review.saved")
      : n.kind === "conflict"
        ? t("review.conflict")
        : n.kind === "invalid"
          ? t("review.invalid")
          : t("common.error", { message: n.message });
  return (
    <p
      className={
        n.kind === "saved" ? "alert alert-success" : n.kind === "conflict" ? "alert alert-warning" : "alert alert-error"
      }
      data-testid="form-notice"
      data-kind={n.kind}
    >
      {text}
    </p>
  );
}

/**
 * The fields, grouped, in the order Tab takes; Save (Enter in a field), Approve and next
 * (Ctrl+Enter anywhere), and Reject with an optional note after a confirmation.
 */
export function ReviewFormCard(props: {
  fields: FieldsJson;
  form: ReviewForm;
  readOnly: boolean;
  filename: string;
  inputs: Map<FieldName, HTMLInputElement>;
  onFocusField(name: FieldName): void;
  onDecide(decision: "approve" | "reject", note: string | null): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { form, fields } = props;
  const [rejecting, setRejecting] = useState(false);
  const [note, setNote] = useState("");
  const busy = form.busy !== null;
  const failed = fields.checks.filter((c) => !c.ok).length;

  return (
    <>
      <form
        className="card review-form"
        aria-labelledby="form-title"
        data-testid="review-form"
        data-version={fields.version}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!props.readOnly) void form.save();
        }}
      >
        <div className="card-header">
          <h2 className="card-title" id="form-title">
            {t("review.form")}
          </h2>
          <span className={failed > 0 ? "tag tag-red" : "tag tag-green"} data-testid="checks-summary">
            {failed > 0 ? i18n.tc("review.checksFailed", failed) : t("review.allChecksOk")}
          </span>
        </div>
        {FIELD_GROUPS.map((group) => (
          <fieldset key={group.key} className="review-group">
            <legend className="review-group-title">{t(`group.${group.key}`)}</legend>
            <div className="review-group-fields">
              {group.fields.map((name) => (
                <FieldInput
                  key={name}
                  name={name}
                  fields={fields}
                  form={form}
                  readOnly={props.readOnly}
                  onFocus={props.onFocusField}
                  inputRef={(el) => {
                    if (el) props.inputs.set(name, el);
                    else props.inputs.delete(name);
                  }}
                />
              ))}
            </div>
          </fieldset>
        ))}
        {/* Kept in view at the bottom of the window while the form scrolls: the outcome and the buttons. */}
        <div className="review-footer">
          <div className="review-live" role="status" aria-live="polite" aria-atomic="true">
            <Notice form={form} />
          </div>
          <div className="review-actions">
            <span className="review-unsaved" data-testid="unsaved">
              {form.dirty > 0 ? i18n.tc("review.unsaved", form.dirty) : null}
            </span>
            <button
              type="button"
              className="btn btn-danger-outline review-reject"
              disabled={props.readOnly || busy}
              onClick={() => setRejecting(true)}
              data-testid="reject"
            >
              <IconX size={16} />
              {t("review.reject")}
            </button>
            <button
              type="submit"
              className="btn"
              disabled={props.readOnly || busy || form.dirty === 0}
              data-testid="save"
            >
              {form.busy === "save" ? t("review.saving") : t("review.save")}
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={props.readOnly || busy}
              onClick={() => props.onDecide("approve", null)}
              data-testid="approve"
              aria-keyshortcuts="Control+Enter Meta+Enter"
            >
              <IconCheck size={16} />
              {t("review.approveNext")}
              <kbd className="kbd" aria-hidden="true">
                Ctrl+↵
              </kbd>
            </button>
          </div>
        </div>
        <details className="review-help">
          <summary>{t("review.shortcuts")}</summary>
          <dl>
            <dt>
              <kbd className="kbd">Tab</kbd>
            </dt>
            <dd>{t("review.shortcut.tab")}</dd>
            <dt>
              <kbd className="kbd">{t("review.key.click")}</kbd>
            </dt>
            <dd>{t("review.shortcut.click")}</dd>
            <dt>
              <kbd className="kbd">{t("review.key.drag")}</kbd>
            </dt>
            <dd>{t("review.shortcut.drag")}</dd>
            <dt>
              <kbd className="kbd">Shift</kbd>
            </dt>
            <dd>{t("review.shortcut.shift")}</dd>
            <dt>
              <kbd className="kbd">Esc</kbd>
            </dt>
            <dd>{t("review.shortcut.esc")}</dd>
            <dt>
              <kbd className="kbd">Ctrl+↵</kbd>
            </dt>
            <dd>{t("review.shortcut.approve")}</dd>
          </dl>
        </details>
      </form>
      <ConfirmDialog
        open={rejecting}
        title={t("review.rejectTitle")}
        confirmLabel={t("review.reject")}
        danger
        busy={form.busy === "reject"}
        onConfirm={() => {
          setRejecting(false);
          props.onDecide("reject", note.trim() || null);
        }}
        onClose={() => setRejecting(false)}
      >
        <p>{t("review.rejectBody", { name: props.filename })}</p>
        <label className="field">
          <span className="field-label">{t("review.note")}</span>
          <textarea
            className="input textarea"
            rows={3}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="reject-note"
          />
        </label>
      </ConfirmDialog>
    </>
  );
}
