/** Tables for bench:fields: markdown, so the console output can go into docs/BENCHMARKS.md as is. */
import type { FieldTally, Scoreboard } from "./scoring.js";

export function pct(n: number, d: number): string {
  return d === 0 ? "–" : `${((100 * n) / d).toFixed(1)}%`;
}

export function markdownTable(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) =>
    `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at]!;
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** One row per field: n, found, exact, normalised (and a target when given). */
export function fieldRows(
  board: Scoreboard,
  order: readonly string[],
  targets: Record<string, number> = {},
): Array<Array<string | number>> {
  const rows: Array<Array<string | number>> = [];
  const withReadable = hasReadable(board);
  const row = (name: string, t: FieldTally) => {
    const target = targets[name];
    const met =
      target === undefined ? "" : t.normalised / t.total >= target ? `≥ ${target * 100}% ✓` : `≥ ${target * 100}% ✗`;
    const cells: Array<string | number> = [
      name,
      t.total,
      pct(t.found, t.total),
      pct(t.exact, t.total),
      pct(t.normalised, t.total),
    ];
    if (withReadable) cells.push(t.readable === undefined ? "–" : pct(t.readable, t.readableOf ?? t.total));
    rows.push([...cells, met]);
  };
  for (const name of order) {
    const t = board.fields.get(name);
    if (t) row(name, t);
  }
  const all = board.overall();
  if (all.total > 0) row("all fields", all);
  return rows;
}

export function hasReadable(board: Scoreboard): boolean {
  return [...board.fields.values()].some((t) => t.readable !== undefined);
}

export function fieldHeaders(board: Scoreboard): string[] {
  return ["field", "n", "found", "exact", "normalised", ...(hasReadable(board) ? ["truth in OCR text"] : []), "target"];
}

export function print(text = ""): void {
  process.stdout.write(`${text}\n`);
}
