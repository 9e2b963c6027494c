/**
 * Arithmetic checks: net + VAT = gross for the totals, and the VAT breakdown ("stawka / netto /
 * VAT / brutto") consistent row by row and summing to the totals. Rounding is allowed a cent
 * per VAT rate (each rate's VAT is rounded separately), and a little more for a rate's VAT
 * computed from rounded line amounts.
 */
import type { CheckResult, Fields, VatBreakdownRow } from "../types.js";
import { formatCents, toCents } from "./money.js";

export function checkTotals(fields: Fields, breakdown: readonly VatBreakdownRow[]): CheckResult | null {
  const net = toCents(fields.total_net?.value);
  const vat = toCents(fields.total_vat?.value);
  const gross = toCents(fields.total_gross?.value);
  if (net === null || vat === null || gross === null) return null;
  const tolerance = Math.max(1, breakdown.length);
  const off = net + vat - gross;
  const sum = `total_net ${formatCents(net)} + total_vat ${formatCents(vat)} = ${formatCents(net + vat)}`;
  return Math.abs(off) <= tolerance
    ? {
        name: "totals",
        ok: true,
        fields: ["total_net", "total_vat", "total_gross"],
        message: `${sum}, which matches total_gross`,
      }
    : {
        name: "totals",
        ok: false,
        fields: ["total_net", "total_vat", "total_gross"],
        message: `${sum}, but total_gross is ${formatCents(gross)} (off by ${formatCents(Math.abs(off))})`,
      };
}

interface RowCents {
  rate: string;
  net: number | null;
  vat: number | null;
  gross: number | null;
}

export function checkVatBreakdown(fields: Fields, breakdown: readonly VatBreakdownRow[]): CheckResult | null {
  if (breakdown.length === 0) return null;
  const rows: RowCents[] = breakdown.map((r) => ({
    rate: r.rate,
    net: toCents(r.net),
    vat: toCents(r.vat),
    gross: toCents(r.gross),
  }));
  const problems: string[] = [];
  for (const row of rows) problems.push(...rowProblems(row));
  const judged = new Set<"total_net" | "total_vat" | "total_gross">();
  const columns = [
    ["net", "total_net"],
    ["vat", "total_vat"],
    ["gross", "total_gross"],
  ] as const;
  for (const [column, field] of columns) {
    const total = toCents(fields[field]?.value);
    const values = rows.map((r) => r[column]);
    if (total === null || values.some((v) => v === null)) continue;
    judged.add(field);
    const sum = (values as number[]).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - total) > rows.length) {
      problems.push(`the breakdown's ${column} amounts sum to ${formatCents(sum)}, not ${field} ${formatCents(total)}`);
    }
  }
  const fieldsJudged = [...judged];
  if (problems.length > 0)
    return { name: "vat_breakdown", ok: false, fields: fieldsJudged, message: `VAT breakdown: ${problems.join("; ")}` };
  const what = fieldsJudged.length > 0 ? ` and sum to ${fieldsJudged.join(", ")}` : "";
  return {
    name: "vat_breakdown",
    ok: true,
    fields: fieldsJudged,
    message: `The VAT breakdown's ${rows.length} row(s) are consistent${what}`,
  };
}

function rowProblems(row: RowCents): string[] {
  const out: string[] = [];
  const label = /^\d/.test(row.rate) ? `${row.rate}%` : row.rate;
  if (row.net !== null && row.vat !== null && row.gross !== null && Math.abs(row.net + row.vat - row.gross) > 1) {
    out.push(
      `at ${label}, net ${formatCents(row.net)} + VAT ${formatCents(row.vat)} is not gross ${formatCents(row.gross)}`,
    );
  }
  const rate = Number(row.rate.replace(",", "."));
  if (/^\d+([.,]\d+)?$/.test(row.rate) && row.net !== null && row.vat !== null) {
    const expected = Math.round((row.net * rate) / 100);
    // VAT summed from rounded line amounts may drift half a cent a line: allow 0.5 %, at least 2 cents.
    const tolerance = Math.max(2, Math.ceil(Math.abs(expected) * 0.005));
    if (Math.abs(expected - row.vat) > tolerance)
      out.push(
        `at ${label}, VAT ${formatCents(row.vat)} is not ${label} of net ${formatCents(row.net)} (${formatCents(expected)})`,
      );
  } else if (/^(zw|np|oo|0)$/i.test(row.rate) && row.vat !== null && row.vat !== 0) {
    out.push(`the ${row.rate} row has VAT ${formatCents(row.vat)}, expected none`);
  }
  return out;
}
