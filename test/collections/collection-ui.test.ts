/**
 * The collection page in a real headless Chromium against the real server (SQLite, the API
 * tests' scriptable pipeline so a document's processing can be held for a while): creating a
 * collection, adding documents by multi-select and by uploading into it, the Compile tab
 * locked with its reason and unlocking live when the last document finishes (no reload),
 * the aggregate "Phase k of n" line, and Polish. Screenshots in test-artifacts/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createCompilePipeline } from "../../src/collections/compile/compile-pipeline.js";
import { reviewThresholds } from "../../src/fields/thresholds.js";
import { apiTestPipeline, pngBytes, startServer, type Client, type TestServer } from "../api/support.js";
import { controlledCompile, realPdfPipeline, type Control } from "./compile-test-pipelines.js";
import { chromiumSkipReason } from "../support/environment.js";
import { ensureWebBuilt, launchChromium, screenshot, signedInAdmin } from "../web/support.js";

const ADMIN = { email: "admin@example.test", password: "admin-password" };
const skip = chromiumSkipReason();

declare const window: { __marker?: number };

describe("collection page in Chromium", { skip }, () => {
  let server: TestServer;
  let api: Client;
  let browser: Browser;
  let page: Page;
  let files: string;
  const pageErrors: string[] = [];
  const control: Control = { hold: null, failOnce: null, runs: new Map() };
  const scripts = new Map<string, Record<string, string>>();

  before(async () => {
    if (skip) return;
    ensureWebBuilt();
    server = await startServer(
      "sqlite",
      { DOCKET_WORKERS: "2" },
      {
        pipelines: ({ blobStore, database, config }) => {
          const put = async (key: string, bytes: Buffer) => (await blobStore.put(key, bytes)).size;
          return [
            realPdfPipeline(apiTestPipeline(blobStore, scripts), put),
            controlledCompile(
              createCompilePipeline({ database, blobStore, thresholds: reviewThresholds(config) }),
              control,
              put,
            ),
          ];
        },
      },
    );
    files = mkdtempSync(join(tmpdir(), "docket-collection-ui-"));
    browser = await launchChromium();
    ({ api, page } = await signedInAdmin(browser, server.base, ADMIN, {
      path: "/collections",
      viewport: { width: 1280, height: 900 },
      onPageError: (message) => pageErrors.push(message),
    }));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  async function upload(name: string): Promise<string> {
    const res = await api.upload(pngBytes(400), name);
    assert.equal(res.status, 201, res.text);
    return res.json.document.id as string;
  }

  it(
    "creates a collection, adds documents by multi-select and by upload, and unlocks Compile live",
    { timeout: 150_000 },
    async () => {
      const slow = await upload("slow-scan.png");
      const quick = await upload("quick-scan.png");
      scripts.set(slow, { ocr: "sleep:4000" });

      await page.getByRole("link", { name: "Collections" }).click();
      await page.getByTestId("collection-name").fill("March invoices");
      await page.getByRole("button", { name: "Create collection" }).click();
      await page.locator("#collection-title").getByText("March invoices").waitFor();
      const collectionId = page.url().split("/collections/")[1]!;

      // Multi-select from the document list.
      await page.getByTestId("add-documents").click();
      await page.locator(`[data-testid=collection-picker] input[data-document-id="${slow}"]`).check();
      await page.locator(`[data-testid=collection-picker] input[data-document-id="${quick}"]`).check();
      await page.getByTestId("add-selected").click();
      await page.locator("[data-testid=collection-documents] [data-testid=document-row]").nth(1).waitFor();

      // Upload straight into the collection.
      const path = join(files, "uploaded-here.png");
      writeFileSync(path, pngBytes(500));
      await page.getByTestId("upload-input").setInputFiles(path);
      await page.locator("[data-testid=collection-documents] [data-testid=document-row]").nth(2).waitFor();
      const ids = (await api.req("GET", `/api/v1/collections/${collectionId}`)).json.document_ids as string[];
      assert.equal(ids.length, 3);
      assert.deepEqual(ids.slice(0, 2).sort(), [slow, quick].sort());

      // Compile is locked, with the reason and the documents it waits for.
      await page.getByTestId("tab-compile").click();
      await page.getByTestId("compile-locked").waitFor();
      assert.equal(await page.getByTestId("tab-compile").getAttribute("data-locked"), "true");
      assert.equal(await page.getByTestId("compile").isDisabled(), true);
      assert.match(await page.getByTestId("compile-locked").innerText(), /slow-scan\.png/);

      await page.evaluate(() => {
        window.__marker = 7;
      });
      await page.getByTestId("tab-documents").click();
      await page.getByTestId("process").click();
      await page.getByTestId("process-note").getByText("Queued 3; skipped 0.").waitFor();
      await page.getByTestId("tab-compile").click();
      await page
        .getByTestId("collection-phase")
        .getByText(/^Phase 1 of 2: processing documents, [0-2] of 3 finished \d+% \(\d+:\d\d\)$/)
        .waitFor();
      await screenshot(page, "collection-processing");
      // The slow one finishes a few seconds later: Compile unlocks without a reload.
      await page.locator("[data-testid=tab-compile][data-locked=false]").waitFor({ timeout: 30_000 });
      await page.getByTestId("compile-ready").waitFor();
      assert.equal(await page.getByTestId("compile").isDisabled(), false);
      assert.equal(await page.evaluate(() => window.__marker), 7, "the page was never reloaded");
      await page
        .getByTestId("collection-phase")
        .getByText(/^Phase 1 of 2: processing documents, 3 of 3 finished 100% /)
        .waitFor();
      await screenshot(page, "collection-unlocked");

      // A document's page shows its job's step summary (pipeline apart from delivery steps).
      await page.goto(`${server.base}/documents/${quick}`);
      await page.getByTestId("step-summary").getByText("Pipeline: 3 done").waitFor();
      await page.goBack();
      await page.locator("#collection-title").waitFor();
      await page.getByTestId("tab-compile").click();

      // Compile: the job's step k of n, cancel with a confirmation, retry, then the downloads.
      await page.evaluate(() => {
        window.__marker = 8;
      });
      control.hold = "compile_zip";
      await page.getByTestId("compile").click();
      await page.locator("[data-testid=compile-job][data-job-status=processing]").waitFor({ timeout: 20_000 });
      await page
        .getByTestId("compile-job")
        .getByText(/Step 4 of 5: Archiving the outputs/)
        .waitFor({ timeout: 20_000 });
      await page
        .getByTestId("collection-phase")
        .getByText(/^Phase 2 of 2: compiling, step 4 of 5 /)
        .waitFor();
      await screenshot(page, "collection-compiling");
      await page.getByTestId("cancel-compile").click();
      await page.getByRole("dialog").getByText("Cancel the compile job?").waitFor();
      control.hold = null;
      await page.getByTestId("confirm").click();
      await page.locator("[data-testid=compile-stage][data-stage-status=cancelled]").waitFor({ timeout: 20_000 });
      await page.getByTestId("retry-compile").click();
      await page.locator("[data-testid=compile-stage][data-stage-status=completed]").waitFor({ timeout: 30_000 });
      await page
        .getByTestId("collection-phase")
        .getByText(/^Phase 2 of 2: compiled 100% /)
        .waitFor();
      assert.equal(control.runs.get("compile_pdf"), 1, "the retry resumed at the cancelled step");
      const links = page.locator("[data-testid=downloads] a");
      assert.equal(await links.count(), 5);
      const href = await page.locator("[data-testid=downloads] a[data-format=pdf]").getAttribute("href");
      const download = await page.request.get(`${server.base}${href}`);
      assert.equal(download.status(), 200);
      assert.equal((await download.body()).subarray(0, 5).toString(), "%PDF-");
      await screenshot(page, "collection-compiled");
      assert.equal(await page.evaluate(() => window.__marker), 8, "the compile ran live, no reload");

      // Polish.
      await page.getByRole("button", { name: "PL", exact: true }).click();
      await page.getByTestId("tab-compile").getByText("Składanie").waitFor();
      await page
        .getByTestId("collection-phase")
        .getByText(/^Etap 2 z 2: złożono 100% /)
        .waitFor();
      await page.getByRole("button", { name: "EN", exact: true }).click();
      assert.deepEqual(pageErrors, []);
    },
  );
});
