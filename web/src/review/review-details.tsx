import type { FieldsJson, LineItem } from "../api/types";
import { IconCheck, IconX } from "../components/icons";
import { useI18n } from "../i18n/i18n";
import { checkName, checkText } from "./check-messages";

/** Every check that ran, failed ones first, with the fields each judged. */
export function ChecksList({ fields, onField }: { fields: FieldsJson; onField?: (name: string) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const checks = [...fields.checks].sort((a, b) => Number(a.ok) - Number(b.ok));
  if (checks.length === 0) return <p className="muted small">{t("review.noChecks")}</p>;
  return (
    <ul className="check-list" data-testid="check-list">
      {checks.map((c, i) => (
        <li
          key={`${c.name}-${i}`}
          className={c.ok ? "check-item check-ok" : "check-item check-failed"}
          data-check={c.name}
          data-ok={c.ok}
        >
          <span className="check-icon" aria-hidden="true">
            {c.ok ? <IconCheck size={13} /> : <IconX size={13} />}
          </span>
          <span className="check-body">
            <span className="check-name">
              {checkName(i18n, c.name)}
              <span className="visually-hidden">: {c.ok ? "OK" : t("review.failing")}</span>
            </span>
            {c.message ? <span className="check-message">{checkText(i18n, c.message)}</span> : null}
            {c.fields.length > 0 ? (
              <span className="check-fields">
                {c.fields.map((f) =>
                  onField ? (
                    <button key={f} type="button" className="link-button" onClick={() => onField(f)}>
                      {i18n.maybe(`field.${f}`) ?? f}
                    </button>
                  ) : (
                    <span key={f}>{i18n.maybe(`field.${f}`) ?? f}</span>
                  ),
                )}
              </span>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

const COLUMNS = [
  "description",
  "quantity",
  "unit",
  "unit_price",
  "net",
  "vat_rate",
  "vat",
  "gross",
] as const satisfies readonly (keyof LineItem)[];
const NUMERIC = new Set<string>(["quantity", "unit_price", "net", "vat_rate", "vat", "gross"]);

/** The invoice's item rows, read-only (the API has no correction for them). */
export function LineItemsTable({ items }: { items: LineItem[] }) {
  const { t } = useI18n();
  if (items.length === 0) return <p className="muted small">{t("review.noLineItems")}</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t("review.lineItems")}>
      <table className="line-items" data-testid="line-items">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" className={NUMERIC.has(c) ? "num" : undefined}>
                {t(`review.li.${c}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {items.map((item, i) => (
            <tr key={i}>
              {COLUMNS.map((c) => (
                <td key={c} className={NUMERIC.has(c) ? "num" : undefined}>
                  {item[c] ?? "—"}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
