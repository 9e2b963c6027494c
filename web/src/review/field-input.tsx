import type { Ref } from "react";
import type { FieldName, FieldsJson } from "../api/types";
import { IconCheck, IconX } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { checkName, checkText } from "./check-messages";
import { checksOf, INPUT_MODE } from "./field-groups";
import type { ReviewForm } from "./use-review-form";

/** Confidence as a quiet bar: a <meter>, so assistive technology reads it as a gauge. */
export function ConfidenceMeter({ value }: { value: number }) {
  const i18n = useI18n();
  const p = i18n.number(value * 100);
  return (
    <span className="confidence" title={`${i18n.t("review.confidence")} ${i18n.t("review.confidenceValue", { p })}`}>
      <meter
        className="confidence-meter"
        min={0}
        max={1}
        low={0.5}
        high={0.85}
        optimum={1}
        value={value}
        aria-label={i18n.t("review.confidence")}
        data-testid="confidence"
      />
      <span className="confidence-value">{i18n.t("review.confidenceValue", { p })}</span>
    </span>
  );
}

/**
 * One field of the review form: its label, the input, how sure the machine was and where the
 * value came from, and each check that judged it. Everything under the input is tied to it
 * with aria-describedby, so a screen reader hears a failing check when the field is focused.
 */
export function FieldInput(props: {
  name: FieldName;
  fields: FieldsJson;
  form: ReviewForm;
  readOnly: boolean;
  inputRef: Ref<HTMLInputElement>;
  onFocus(name: FieldName): void;
}) {
  const { name, fields, form } = props;
  const i18n = useI18n();
  const { t } = i18n;
  const field = fields.fields[name];
  const judged = checksOf(fields, name);
  // A failure is shown with its own message; passes once per check name (two date checks, one ✓).
  const checks = judged.filter((c, i) => !c.ok || judged.findIndex((o) => o.ok && o.name === c.name) === i);
  const failing = judged.some((c) => !c.ok);
  const edited = name in form.edits;
  const error = form.errors[name];
  const id = `field-${name}`;
  const value = form.value(name);
  const state = error ? "invalid" : edited ? "edited" : failing ? "failing" : field ? "ok" : "missing";

  return (
    <div
      className={`review-field review-field-${state}`}
      data-testid="review-field"
      data-field={name}
      data-failing={failing}
      data-edited={edited}
    >
      <div className="review-field-head">
        <label className="review-field-label" htmlFor={id}>
          {t(`field.${name}`)}
        </label>
        <span className="review-field-facts">
          {edited ? (
            <span className="tag tag-edited">{t("review.edited")}</span>
          ) : field ? (
            <>
              <span className="tag origin" title={t("origin.title")} data-testid="origin" data-origin={field.origin}>
                {t(`origin.${field.origin}`)}
              </span>
              <ConfidenceMeter value={field.confidence} />
            </>
          ) : (
            <span className="tag tag-missing">{t("review.notFound")}</span>
          )}
        </span>
      </div>
      <input
        ref={props.inputRef}
        id={id}
        name={name}
        className="input review-input"
        type="text"
        value={value}
        readOnly={props.readOnly}
        autoComplete="off"
        spellCheck={false}
        inputMode={INPUT_MODE[name]}
        aria-invalid={failing || !!error}
        aria-describedby={`${id}-notes`}
        onFocus={() => props.onFocus(name)}
        onChange={(e) => form.edit(name, e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape" && edited) {
            e.preventDefault();
            form.revert(name);
          }
        }}
        data-testid={`input-${name}`}
      />
      <div id={`${id}-notes`} className="review-field-notes">
        {error ? (
          <p className="review-note review-note-error" data-testid="field-error">
            <IconX size={13} /> {error}
          </p>
        ) : null}
        {checks.map((c, i) => (
          <p
            key={`${c.name}-${i}`}
            className={c.ok ? "review-note review-note-ok" : "review-note review-note-failed"}
            title={c.ok ? checkText(i18n, c.message) : undefined}
            data-testid="field-check"
            data-check={c.name}
            data-ok={c.ok}
          >
            {c.ok ? <IconCheck size={13} /> : <IconX size={13} />}
            <span>{c.ok ? checkName(i18n, c.name) : checkText(i18n, c.message)}</span>
          </p>
        ))}
        {field && !edited && field.raw && field.raw !== field.value ? (
          <p className="review-note review-note-raw">{t("review.printed", { raw: field.raw })}</p>
        ) : null}
      </div>
    </div>
  );
}
