/** Plain-text formatting for people (the `--json` output never goes through here). */
import type { UnifiedStatus } from "../client/client.js";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "processing — ocr, step 4 of 6, 57%: page 1 of 2" (the unified status, in words). */
export function describeStatus(s: UnifiedStatus, options: { percent?: boolean } = {}): string {
  const parts: string[] = [s.status];
  const where: string[] = [];
  if (s.phase && s.status !== "completed" && s.status !== "uploaded") where.push(s.phase);
  if (s.total_steps > 0 && s.status !== "completed") where.push(`step ${s.step} of ${s.total_steps}`);
  if ((options.percent ?? true) && (s.status === "processing" || s.status === "queued"))
    where.push(`${Math.round(s.percentage)}%`);
  if (where.length > 0) parts.push(`— ${where.join(", ")}`);
  let text = parts.join(" ");
  if (s.error) text += `: ${s.error.message} (${s.error.code})`;
  else if (s.message && s.status !== "completed" && s.status !== "uploaded") text += `: ${s.message}`;
  return text;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** Removes terminal control characters from text that came from elsewhere (file names, messages). */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}
