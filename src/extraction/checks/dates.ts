/**
 * Date checks: the due date is not before the issue date, and the sale and due dates lie
 * within what invoicing practice allows around the issue date (a misread year lands far
 * outside: Polish law lets an invoice precede the sale by 60 days and follow it by about 45).
 */
import type { CheckResult, Fields } from "../types.js";

const DAY_MS = 86_400_000;
/** How far before the issue date a sale date is still plausible (late invoices, corrections). */
const SALE_BEFORE_DAYS = 366;
/** How far after the issue date a sale date is still plausible (advance invoices). */
const SALE_AFTER_DAYS = 92;
/** Payment terms longer than this are far more likely a misread date. */
const DUE_AFTER_DAYS = 366;

function days(value: string | undefined): number | null {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(t) ? null : Math.round(t / DAY_MS);
}

export function checkDates(fields: Fields): CheckResult[] {
  const issue = days(fields.issue_date?.value);
  const due = days(fields.due_date?.value);
  const sale = days(fields.sale_date?.value);
  const out: CheckResult[] = [];
  if (issue !== null && due !== null) {
    const [i, d] = [fields.issue_date!.value, fields.due_date!.value];
    if (due < issue)
      out.push({
        name: "dates",
        ok: false,
        fields: ["issue_date", "due_date"],
        message: `due_date ${d} is before issue_date ${i}`,
      });
    else if (due - issue > DUE_AFTER_DAYS)
      out.push({
        name: "dates",
        ok: false,
        fields: ["issue_date", "due_date"],
        message: `due_date ${d} is more than a year after issue_date ${i}`,
      });
    else
      out.push({
        name: "dates",
        ok: true,
        fields: ["issue_date", "due_date"],
        message: `due_date ${d} is not before issue_date ${i}`,
      });
  }
  if (issue !== null && sale !== null) {
    const [i, s] = [fields.issue_date!.value, fields.sale_date!.value];
    const ok = sale >= issue - SALE_BEFORE_DAYS && sale <= issue + SALE_AFTER_DAYS;
    out.push({
      name: "dates",
      ok,
      fields: ["issue_date", "sale_date"],
      message: ok
        ? `sale_date ${s} is plausible for issue_date ${i}`
        : `sale_date ${s} is implausibly far from issue_date ${i}`,
    });
  }
  return out;
}
