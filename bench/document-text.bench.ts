/**
 * How long the regex extractors' input takes: the document text built from each invoice of
 * ../shared/data/invoice2data (read through the text-layer reader), per page, and a template
 * applied to it (test/fixtures/templates/de.qualityhosting.yml on QualityHosting.pdf).
 *
 *   npx tsx bench/document-text.bench.ts [--rounds 200]
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { DocumentModel } from "../src/domain/document-model.js";
import { buildDocumentText } from "../src/extraction/document-text.js";
import { applyTemplate } from "../src/extraction/templates/apply-template.js";
import { parseTemplate } from "../src/extraction/templates/parse-template.js";
import { extractTextLayer } from "../src/pdf/text-layer.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "200" } } });
const rounds = Number(values.rounds);
const root = fileURLToPath(new URL("../", import.meta.url));
const dir = process.env.DOCKET_SHARED_DATA
  ? join(process.env.DOCKET_SHARED_DATA, "invoice2data")
  : join(root, "../shared/data/invoice2data");
if (!existsSync(dir)) {
  console.error(`no invoice2data files at ${dir}`);
  process.exit(1);
}

function timeMs(run: () => void): number {
  for (let i = 0; i < Math.min(20, rounds); i++) run();
  const started = performance.now();
  for (let i = 0; i < rounds; i++) run();
  return (performance.now() - started) / rounds;
}

const perPage: number[] = [];
const models = new Map<string, DocumentModel>();
for (const file of readdirSync(dir)
  .filter((n) => n.endsWith(".pdf"))
  .sort()) {
  const pages = await extractTextLayer(new Uint8Array(readFileSync(join(dir, file))), { dpi: 150 });
  const model: DocumentModel = {
    version: 1,
    documentId: file,
    languages: [],
    engine: "text-layer",
    pages: pages.map((p) => p.page),
  };
  models.set(file, model);
  const ms = timeMs(() => buildDocumentText(model)) / model.pages.length;
  perPage.push(ms);
  console.log(`${file.padEnd(32)} ${String(model.pages.length).padStart(2)} page(s)  ${ms.toFixed(3)} ms/page`);
}
perPage.sort((a, b) => a - b);
console.log(
  `document text: median ${perPage[perPage.length >> 1]!.toFixed(3)} ms/page, max ${perPage.at(-1)!.toFixed(3)} ms/page (${rounds} rounds)`,
);

const qh = models.get("QualityHosting.pdf");
if (qh) {
  const template = parseTemplate(
    readFileSync(join(root, "test/fixtures/templates/de.qualityhosting.yml"), "utf8"),
    "de.qualityhosting",
  );
  const dt = buildDocumentText(qh);
  console.log(
    `template de.qualityhosting on QualityHosting.pdf: ${timeMs(() => applyTemplate(template, dt)).toFixed(3)} ms per document`,
  );
}
