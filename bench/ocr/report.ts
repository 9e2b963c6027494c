/** bench:ocr's report: its section of docs/BENCHMARKS.md, and console lines. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TextLayerRun } from "../ocr-pipeline-checks.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** Replaces (or appends) the OCR section of docs/BENCHMARKS.md. */
export function writeSection(markdown: string): void {
  const file = join(ROOT, "docs", "BENCHMARKS.md");
  const heading = "## OCR (npm run bench:ocr)";
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(heading);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${markdown.trimEnd()}\n`;
  } else {
    const after = current.indexOf("\n## ", start + heading.length);
    next = `${current.slice(0, start)}${markdown.trimEnd()}\n${after < 0 ? "" : current.slice(after)}`;
  }
  writeFileSync(file, next);
}

/** One text-layer run as a console line; `detailed` adds CPU, regions and where the time went. */
export function describeTextLayerRun(t: TextLayerRun, detailed: boolean): string {
  const line = `text-layer path (ocr: ${t.policy}): ${t.pages} pages in ${t.seconds.toFixed(2)} s = ${(t.pages / t.seconds).toFixed(1)} pages/s`;
  if (!detailed) return line;
  const steps = Object.entries(t.stepMs)
    .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    .join(", ");
  return `${line}, CPU ${t.cpuSeconds.toFixed(2)} s, ${t.imageRegions} image regions read (mean ms per job: ${steps})`;
}
