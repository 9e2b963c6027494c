/**
 * bench:fields — field extraction accuracy and speed (issue #14, docs/BENCHMARKS.md "Fields").
 *
 *   npm run bench:fields [-- --only sroie,invoice2data,synthetic] [--no-api] [--seeds N]
 *                          [--scan-seeds M] [--reps N] [--limit N] [--templates DIR] [--misses N]
 *
 * Accuracy, per field, on: SROIE's 50 receipts (from the dataset's own OCR boxes in process,
 * and end to end from the images through the API); invoice2data's invoices (text layers in
 * process, and through the API); synthetic Polish invoices, every layout × seeds 1..N (10),
 * as text-layer PDFs (in process and through the API), and seeds 1..M (6) also as scans
 * (through the API). Checks: every checksum-invalid tax id or IBAN should be flagged by a
 * failing check. Speed: the rules' time per page (warm, many repetitions) and the API's time
 * per document with extraction beside the same documents with extract=off. Shared data
 * absent: those datasets are skipped. --misses N lists the first N misses under each table.
 * Writes bench/results/fields-<time>.json (every miss is in it).
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { DocumentModel } from "../src/domain/document-model.js";
import { classifyDocument } from "../src/extraction/classify.js";
import { FIELD_NAMES, type DocumentType, type ExtractMode } from "../src/extraction/types.js";
import { extractTextLayer } from "../src/pdf/text-layer.js";
import { BenchServer, type JobView } from "./fields/api-runner.js";
import { runApiGroup, type ApiDoc, type Timing } from "./fields/api-groups.js";
import { printReportTables, section } from "./fields/report-tables.js";
import { loadInvoice2data, type ReferenceInvoice } from "./fields/invoice2data.js";
import { extractInProcess } from "./fields/in-process.js";
import { fieldHeaders, fieldRows, markdownTable, print } from "./fields/report.js";
import {
  modelText,
  scoreInvoice2data,
  scoreSroie,
  scoreSynthetic,
  SROIE_ORDER,
  type FoundFields,
} from "./fields/score-datasets.js";
import { Scoreboard } from "./fields/scoring.js";
import { measureSpeed, type SpeedSample } from "./fields/speed.js";
import { loadSroie, type SroieReceipt } from "./fields/sroie.js";
import {
  buildSyntheticSet,
  emptyFlags,
  recordFlags,
  type FlagTally,
  type SyntheticInvoice,
} from "./fields/synthetic.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DATA = process.env.DOCKET_SHARED_DATA ?? join(ROOT, "..", "shared", "data");

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    "no-api": { type: "boolean", default: false },
    seeds: { type: "string", default: "10" },
    "scan-seeds": { type: "string", default: "6" },
    reps: { type: "string", default: "20" },
    limit: { type: "string" },
    templates: { type: "string" },
    misses: { type: "string", default: "0" },
  },
});
const only = new Set((args.only ?? "sroie,invoice2data,synthetic").split(",").map((s) => s.trim()));
const useApi = !args["no-api"];

const SROIE_TARGETS = {
  "date → issue_date": 0.95,
  "total → total_gross": 0.9,
  "company → seller_name": 0.8,
  "address → seller_address": 0.6,
};
const SYNTHETIC_TARGETS = Object.fromEntries(FIELD_NAMES.map((f) => [f, 0.98]));

const result: Record<string, unknown> = {
  started: new Date().toISOString(),
  machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version },
  options: {
    only: [...only],
    api: useApi,
    seeds: Number(args.seeds),
    scanSeeds: Number(args["scan-seeds"]),
    reps: Number(args.reps),
    templates: args.templates ?? null,
  },
};
const speedSamples: SpeedSample[] = [];
const classification = new Map<string, { total: number; right: number; confusions: string[] }>();

function classified(group: string, name: string, model: DocumentModel, expected: DocumentType): void {
  const c = classification.get(group) ?? { total: 0, right: 0, confusions: [] };
  const got = classifyDocument(model);
  c.total++;
  if (got.type === expected) c.right++;
  else c.confusions.push(`${name}: ${got.type} (${got.confidence.toFixed(2)})`);
  classification.set(group, c);
}

async function textLayerModel(name: string, bytes: Uint8Array): Promise<DocumentModel> {
  const pages = await extractTextLayer(bytes);
  return { version: 1, documentId: name, languages: [], engine: "text-layer", pages: pages.map((p) => p.page) };
}

function inProcess(model: DocumentModel, mode: Exclude<ExtractMode, "off">) {
  return extractInProcess(model, mode);
}

/** Progress on stderr, so stdout stays the report. */
function progress(text: string): void {
  process.stderr.write(`[bench:fields ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

// ---------------------------------------------------------------- datasets
const sroie = only.has("sroie") ? await loadSroie(DATA, args.limit ? Number(args.limit) : Infinity) : null;
const invoices = only.has("invoice2data") ? await loadInvoice2data(DATA) : null;
if (only.has("sroie") && !sroie) print(`SROIE skipped: ${join(DATA, "sroie")} is absent`);
if (only.has("invoice2data") && !invoices) print(`invoice2data skipped: ${join(DATA, "invoice2data")} is absent`);
const synthetic = only.has("synthetic")
  ? await buildSyntheticSet(Number(args.seeds), Math.min(Number(args.seeds), Number(args["scan-seeds"])))
  : null;

// ---------------------------------------------------------------- in process
progress(
  `in process: ${sroie?.length ?? 0} receipts, ${invoices?.length ?? 0} invoice2data invoices, ${synthetic?.length ?? 0} synthetic invoices`,
);
const boards = new Map<string, Scoreboard>();
const board = (name: string) => boards.get(name) ?? boards.set(name, new Scoreboard()).get(name)!;
const flags = new Map<string, FlagTally>();
const flagsOf = (name: string) => flags.get(name) ?? flags.set(name, emptyFlags()).get(name)!;

for (const r of sroie ?? []) {
  const extraction = inProcess(r.model, "receipt");
  scoreSroie(board("sroie/boxes"), r, extraction.fields);
  classified("SROIE (dataset boxes)", r.id, r.model, "receipt");
  speedSamples.push({ group: "SROIE receipts (dataset OCR boxes)", model: r.model, type: "receipt" });
}
for (const inv of invoices ?? []) {
  const model = await textLayerModel(inv.name, inv.bytes);
  scoreInvoice2data(board("invoice2data/text-layer"), inv, inProcess(model, "auto").fields);
  classified("invoice2data (text layers)", inv.name, model, "invoice");
  speedSamples.push({ group: "invoice2data (text layers)", model, type: "invoice" });
}
for (const inv of synthetic ?? []) {
  const model = await textLayerModel(inv.name, inv.pdf);
  const extraction = inProcess(model, "auto");
  scoreSynthetic(board("synthetic/text-layer"), inv, extraction.fields);
  scoreSynthetic(board(`synthetic/text-layer/${inv.layout}`), inv, extraction.fields);
  recordFlags(flagsOf("text-layer, in process"), inv, extraction.fields, extraction.checks);
  classified("synthetic (text layers)", inv.name, model, "invoice");
  speedSamples.push({ group: "synthetic Polish invoices (text layers)", model, type: "invoice" });
}

// ---------------------------------------------------------------- through the API
const timings: Timing[] = [];
async function runGroup(
  server: BenchServer,
  group: string,
  docs: ApiDoc[],
  mode: Exclude<ExtractMode, "off">,
  languages: string[],
  withBaseline = true,
): Promise<void> {
  const t = await runApiGroup(server, group, docs, mode, languages, progress, withBaseline);
  if (t) timings.push(t);
}

/** The model the pipeline built (the result JSON), kept for the speed runs; null when the job failed. */
async function ocrModel(
  group: string,
  type: "invoice" | "receipt",
  job: JobView,
  server: BenchServer,
): Promise<DocumentModel | null> {
  if (!job.id || job.status !== "completed") return null;
  const model = await server.model(job.id);
  speedSamples.push({ group, model, type });
  return model;
}

if (useApi) {
  const server = await BenchServer.start();
  try {
    const receipts: ApiDoc[] = (sroie ?? []).map((r: SroieReceipt) => ({
      name: r.id,
      bytes: readFileSync(r.imagePath),
      filename: `${r.id}.jpg`,
      onFields: async (view, job, s) => {
        const model = await ocrModel("SROIE receipts (Docket OCR)", "receipt", job, s);
        scoreSroie(board("sroie/api"), r, view?.fields ?? {}, model ? modelText(model) : "");
      },
    }));
    await runGroup(server, "SROIE receipts (JPEG, OCR)", receipts, "receipt", ["eng"]);

    await runGroup(
      server,
      "invoice2data (PDF text layers)",
      (invoices ?? []).map((inv: ReferenceInvoice) => ({
        name: inv.name,
        bytes: inv.bytes,
        filename: `${inv.name}.pdf`,
        onFields: async (view) => scoreInvoice2data(board("invoice2data/api"), inv, view?.fields ?? {}),
      })),
      "auto",
      ["eng"],
    );

    const syntheticDocs = (kind: "text-layer" | "scan"): ApiDoc[] =>
      (synthetic ?? [])
        .filter((inv) => kind === "text-layer" || inv.scan !== null)
        .map((inv: SyntheticInvoice) => ({
          name: `${inv.name} (${kind})`,
          bytes: kind === "scan" ? inv.scan! : inv.pdf,
          filename: kind === "scan" ? `${inv.name}.jpg` : `${inv.name}.pdf`,
          onFields: async (view, job, s) => {
            const found: FoundFields = view?.fields ?? {};
            const model =
              kind === "scan"
                ? await ocrModel("synthetic Polish invoices (scans, Docket OCR)", "invoice", job, s)
                : null;
            const text = kind === "scan" ? (model ? modelText(model) : "") : undefined;
            scoreSynthetic(board(`synthetic/api/${kind}`), inv, found, text);
            scoreSynthetic(board(`synthetic/api/${kind}/${inv.layout}`), inv, found, text);
            if (kind === "scan") scoreSynthetic(board(`synthetic/api/scan@${inv.scanSettings.dpi}`), inv, found, text);
            recordFlags(flagsOf(`${kind}, API`), inv, found, view?.checks ?? []);
          },
        }));
    await runGroup(server, "synthetic Polish invoices (PDF text layers)", syntheticDocs("text-layer"), "auto", [
      "pol",
      "eng",
    ]);
    await runGroup(server, "synthetic Polish invoices (JPEG scans, OCR)", syntheticDocs("scan"), "auto", [
      "pol",
      "eng",
    ]);
  } finally {
    await server.stop();
  }
  if (args.templates && invoices) {
    const withTemplates = await BenchServer.start(args.templates);
    try {
      await runGroup(
        withTemplates,
        "invoice2data with templates",
        invoices.map((inv) => ({
          name: inv.name,
          bytes: inv.bytes,
          filename: `${inv.name}.pdf`,
          onFields: async (view) => scoreInvoice2data(board("invoice2data/api+templates"), inv, view?.fields ?? {}),
        })),
        "auto",
        ["eng"],
        false,
      );
    } finally {
      await withTemplates.stop();
    }
  }
}

// ---------------------------------------------------------------- speed
progress(`speed: ${speedSamples.length} models × ${args.reps} repetitions`);
const speed = measureSpeed(speedSamples, Number(args.reps));

// ---------------------------------------------------------------- report
print(`# bench:fields — ${result.started as string}`);
print(`machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? "?"}, Node ${process.version}`);

function boardTable(title: string, name: string, order: readonly string[], targets: Record<string, number> = {}): void {
  const b = boards.get(name);
  if (!b || b.overall().total === 0) return;
  section(title);
  print(markdownTable(fieldHeaders(b), fieldRows(b, order, targets)));
  const misses = b.misses.slice(0, Number(args.misses));
  if (misses.length > 0) {
    print();
    print(
      markdownTable(
        ["document", "field", "truth", "found"],
        misses.map((m) => [m.document, m.field, m.truth, m.found ?? "(none)"]),
      ),
    );
  }
}

boardTable(
  "SROIE receipts — from the dataset's OCR boxes (extraction alone), extract=receipt",
  "sroie/boxes",
  SROIE_ORDER,
  SROIE_TARGETS,
);
boardTable(
  "SROIE receipts — end to end through the API (Docket's OCR of the JPEGs), extract=receipt",
  "sroie/api",
  SROIE_ORDER,
  SROIE_TARGETS,
);
boardTable(
  "invoice2data — text layers in process, extract=auto",
  "invoice2data/text-layer",
  FIELD_NAMES,
  Object.fromEntries(FIELD_NAMES.map((f) => [f, 0.9])),
);
boardTable(
  "invoice2data — through the API, extract=auto",
  "invoice2data/api",
  FIELD_NAMES,
  Object.fromEntries(FIELD_NAMES.map((f) => [f, 0.9])),
);
boardTable(
  `invoice2data — through the API with templates from ${args.templates ?? ""}`,
  "invoice2data/api+templates",
  FIELD_NAMES,
);
if (invoices) {
  const corrections = invoices.flatMap((inv) =>
    Object.entries(inv.expected)
      .filter(([, e]) => e.correction)
      .map(([f, e]) => [inv.name, f, e.values.join(" or "), e.correction!]),
  );
  if (corrections.length > 0) {
    print();
    print("Records corrected after checking them against their documents:");
    print();
    print(markdownTable(["invoice", "field", "truth used", "why"], corrections));
  }
}
boardTable(
  "Synthetic Polish invoices — text layers in process, extract=auto",
  "synthetic/text-layer",
  FIELD_NAMES,
  SYNTHETIC_TARGETS,
);
boardTable(
  "Synthetic Polish invoices — PDF text layers through the API, extract=auto",
  "synthetic/api/text-layer",
  FIELD_NAMES,
  SYNTHETIC_TARGETS,
);
boardTable(
  "Synthetic Polish invoices — JPEG scans through the API (OCR), extract=auto",
  "synthetic/api/scan",
  FIELD_NAMES,
  SYNTHETIC_TARGETS,
);

printReportTables({ synthetic, boards, flags, classification, speed, reps: args.reps, timings });

const out = join(ROOT, "bench", "results");
await mkdir(out, { recursive: true });
// Results are run outputs, not sources: keep them out of git without touching the shared .gitignore.
if (!existsSync(join(out, ".gitignore"))) await writeFile(join(out, ".gitignore"), "*\n");
const file = join(out, `fields-${(result.started as string).replace(/[:.]/g, "-")}.json`);
await writeFile(
  file,
  JSON.stringify(
    {
      ...result,
      finished: new Date().toISOString(),
      boards: Object.fromEntries(boards),
      flags: Object.fromEntries(flags),
      classification: Object.fromEntries(classification),
      speed,
      timings,
    },
    null,
    2,
  ),
);
print();
print(`results: ${file}`);
