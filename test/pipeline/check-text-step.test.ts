import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import type { StepContext } from "../../src/engine/pipeline.js";
import { DocketError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import type { TextLayerExtractor } from "../../src/pdf/text-layer-pool.js";
import type { CheckTextOutput, ValidateOutput } from "../../src/pipeline/plan.js";
import { checkTextStep } from "../../src/pipeline/steps/check-text.js";
import { readJson, writeJson } from "../../src/pipeline/workspace.js";

/** check_text on its own, with a text-layer reader that fails the way the test says. */
async function runCheckText(
  failure: DocketError,
): Promise<{ result: unknown; output: CheckTextOutput } | { error: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), "docket-check-text-"));
  const blobStore = new LocalBlobStore(dir, { fsync: false });
  try {
    await blobStore.put("uploads/doc", Buffer.from("%PDF-1.7 (content irrelevant: the reader is scripted)"));
    const validate: Partial<ValidateOutput> = { kind: "pdf", blobKey: "uploads/doc", numPages: 3 };
    await writeJson(blobStore, "jobs/j/validate/validate.json", validate);
    const textLayer: TextLayerExtractor = {
      extract: () => Promise.reject(failure),
      renderRegions: () => Promise.reject(failure),
      close: async () => undefined,
    };
    const ctx = {
      jobId: "j",
      documentId: "doc",
      ownerId: "o",
      attempt: 1,
      options: { ocr_mode: "document", resolution_mode: "base", languages: ["eng"], outputs: ["txt"], ocr: "auto" },
      step: "check_text",
      signal: new AbortController().signal,
      log: silentLogger(),
      progress: () => undefined,
      addSteps: async () => undefined,
      workspace: "jobs/j/check_text/",
      workspaceOf: (step: string) => `jobs/j/${step}/`,
    } as unknown as StepContext;
    try {
      const result = await checkTextStep({ blobStore, textLayer })(ctx);
      return { result, output: await readJson<CheckTextOutput>(blobStore, "jobs/j/check_text/check.json") };
    } catch (error) {
      return { error };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a PDF whose text layer cannot be read (but which validate opened) has every page OCRed", async () => {
  const run = await runCheckText(new DocketError("corrupt_file", "the PDF cannot be read (PDFium error 3)"));
  assert.ok("output" in run, `failed: ${"error" in run ? String(run.error) : ""}`);
  assert.deepEqual(run.output.ocrPages, [1, 2, 3]);
  assert.deepEqual(run.output.textPages, []);
  assert.deepEqual(run.output.verdicts, { 1: "unreadable", 2: "unreadable", 3: "unreadable" });
});

test("other text-layer failures fail the step with their own code", async () => {
  const run = await runCheckText(new DocketError("encrypted_pdf", "the PDF is password-protected"));
  assert.ok("error" in run);
  assert.ok(run.error instanceof DocketError && run.error.code === "encrypted_pdf");
});
