/**
 * The web UI suite's first steps (run by ui.test.ts in its one session, ui-session.ts):
 * first-run setup and sign-in, uploads by drag-and-drop and file picker, live progress after
 * a reload, cancel with confirmation, a queued document watched to completion, and the
 * result viewer with word boxes and the searchable PDF.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { it } from "node:test";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { client } from "../api/support.js";
import { screenshot } from "./support.js";
import {
  ADMIN,
  docId,
  fixtures,
  header,
  latestJob,
  openWatcher,
  page,
  server,
  watcher,
  setApi,
  until,
} from "./ui-session.js";

// Browser globals for the functions given to page.evaluate (they run in Chromium, not in Node).
interface BrowserElement {
  textContent: string | null;
}
declare const document: {
  activeElement: BrowserElement | null;
  documentElement: { lang: string; scrollWidth: number };
};
declare const window: { innerWidth: number };
declare const DataTransfer: new () => { items: { add(file: unknown): void } };

/**
 * Installed in the document page: records every status and progress line its header shows,
 * and the header's height while it is active (a string: the test runner's transpiler would
 * wrap named functions in helpers that do not exist in the page).
 */
const RECORD_HEADER = `(() => {
  window.__marker = 42;
  window.__statuses = [];
  window.__texts = [];
  window.__heights = [];
  const el = document.querySelector("[data-testid=doc-header]");
  function record() {
    const status = el.dataset.status || "";
    if (window.__statuses.at(-1) !== status) window.__statuses.push(status);
    const text = (el.querySelector("[data-testid=progress-text]") || {}).textContent || "";
    if (window.__texts.at(-1) !== text) window.__texts.push(text);
    if (status === "queued" || status === "processing") window.__heights.push(Math.round(el.getBoundingClientRect().height));
  }
  record();
  new MutationObserver(record).observe(el, { attributes: true, childList: true, subtree: true, characterData: true });
})()`;

export function processingSteps(): void {
  it("runs first-run setup, signs out and signs in", { timeout: 60_000 }, async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole("heading", { name: "Welcome to Docket" }).waitFor();
    await screenshot(page, "01-setup");
    await page.fill("input[name=email]", ADMIN.email);
    await page.fill("input[name=password]", ADMIN.password);
    await page.fill("input[name=confirm]", ADMIN.password);
    await page.click("button[type=submit]");
    await page.locator("[data-testid=live-indicator][data-mode=live]").waitFor();
    await page.getByRole("heading", { name: "Documents", exact: true }).waitFor();

    const login = await client(server.base).req("POST", "/api/v1/auth/login", { json: ADMIN });
    assert.equal(login.status, 200);
    setApi(client(server.base, login.json.token as string));

    await page.click("[data-testid=sign-out]");
    await page.getByRole("heading", { name: "Sign in to Docket" }).waitFor();
    await page.fill("input[name=email]", ADMIN.email);
    await page.fill("input[name=password]", "not-the-password");
    await page.click("button[type=submit]");
    await page.getByRole("alert").filter({ hasText: "Wrong email or password." }).waitFor();
    await screenshot(page, "02-sign-in");
    await page.fill("input[name=password]", ADMIN.password);
    await page.click("button[type=submit]");
    await page.getByRole("heading", { name: "Documents", exact: true }).waitFor();
    await page.locator("[data-testid=live-indicator][data-mode=live]").waitFor();

    // Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  });

  it(
    "uploads by drag-and-drop and file picker, stages files, shows rejects, and submits a batch",
    { timeout: 60_000 },
    async () => {
      await page.getByRole("link", { name: "Upload" }).first().click();
      await page.getByRole("heading", { name: "Upload documents" }).waitFor();

      // 1. A long scan, processed right away at high resolution, dropped onto the drop zone.
      await page.selectOption("[data-testid=resolution]", "large");
      assert.equal(await page.isChecked("[data-testid=process-now]"), true);
      const dataTransfer = await page.evaluateHandle(
        ({ b64, name }) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], name, { type: "application/pdf" }));
          return transfer;
        },
        { b64: Buffer.from(fixtures.long).toString("base64"), name: "long-scan.pdf" },
      );
      await page.dispatchEvent("[data-testid=dropzone]", "dragenter", { dataTransfer });
      await page.dispatchEvent("[data-testid=dropzone]", "drop", { dataTransfer });
      await page
        .locator(
          '[data-testid=upload-item][data-filename="long-scan.pdf"] [data-testid=status-badge][data-status=processing]',
        )
        .waitFor({ timeout: 20_000 });

      // 2. A multi-page PDF and a photo, staged with other options; a text file is rejected.
      await page.uncheck("[data-testid=process-now]");
      await page.selectOption("[data-testid=resolution]", "small");
      await page.getByRole("button", { name: /English/ }).click();
      await page.setInputFiles("[data-testid=file-input]", [
        { name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from(fixtures.report) },
        { name: "receipt.png", mimeType: "image/png", buffer: fixtures.receipt },
        { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just some notes\n") },
      ]);
      await page.locator('[data-testid=upload-item][data-filename="report.pdf"][data-state=uploaded]').waitFor();
      await page.locator('[data-testid=upload-item][data-filename="receipt.png"][data-state=uploaded]').waitFor();
      const rejected = page.locator(
        '[data-testid=upload-item][data-filename="notes.txt"][data-state=rejected] [data-testid=reject-reason]',
      );
      await rejected.waitFor();
      assert.match(await rejected.innerText(), /Rejected: unsupported file type/);
      const process = page.locator("[data-testid=process]");
      assert.equal((await process.innerText()).trim(), "Process 2 documents");
      await screenshot(page, "03-upload");

      await process.click();
      await page.locator("[data-testid=open-batch]").click();
      await page.locator("[data-testid=batch-header]").waitFor();
      await until(
        "both batch documents queued behind the long scan",
        async () =>
          (await page
            .locator("[data-testid=batch-documents] [data-testid=document-row][data-status=queued]")
            .count()) === 2,
      );
      assert.match(await page.locator("[data-testid=batch-progress]").innerText(), /0 of 2 finished/);
      await screenshot(page, "04-batch");

      // The options reached the jobs.
      const long = await latestJob("long-scan.pdf");
      assert.equal(long.resolution_mode, "large");
      const report = await latestJob("report.pdf");
      assert.equal(report.resolution_mode, "small");
      assert.deepEqual(report.languages, ["eng"]);
      assert.ok(report.batch_id, "submitted as a batch");
    },
  );

  it("resumes the live progress of a processing document after a reload", { timeout: 60_000 }, async () => {
    const watcher = await openWatcher();
    await watcher.goto(`${server.base}/documents/${await docId("long-scan.pdf")}`);
    await header(watcher, "processing").waitFor();
    await watcher.reload();
    await header(watcher, "processing").waitFor();
    await watcher.locator("[data-testid=live-indicator][data-mode=live]").waitFor();
    const bar = watcher.locator("[data-testid=doc-header] [role=progressbar]");
    const before = Number(await bar.getAttribute("aria-valuenow"));
    await until(
      "the progress to advance after the reload, pushed by the server",
      async () => Number(await bar.getAttribute("aria-valuenow")) > before,
      30_000,
    );
    assert.match(
      await watcher.locator("[data-testid=doc-header] [data-testid=progress-text]").innerText(),
      /^Step \d of \d: .+ — \d+% \(\d+:\d\d\)$/,
    );
    await screenshot(watcher, "05-document-processing");
  });

  it(
    "cancels the long job (with confirmation) and sees it stop, while a queued document watches",
    { timeout: 60_000 },
    async () => {
      // The report's page, opened by a click (no page load), records every status it shows.
      await page.locator('[data-testid=batch-documents] a:text-is("report.pdf")').click();
      await header(page, "queued").waitFor();
      await page.evaluate(RECORD_HEADER);

      await watcher.click("[data-testid=cancel]");
      await watcher.getByRole("dialog").getByText("Cancel processing?").waitFor();
      await watcher.click("[data-testid=confirm]");
      // How fast a cancel lands is measured by the benchmarks; here it only has to land.
      await header(watcher, "cancelled").waitFor({ timeout: 30_000 });
      assert.equal(await watcher.locator("[data-testid=cancel]").count(), 0, "no Cancel on a cancelled job");
      await watcher.locator("[data-testid=retry]").waitFor();
      assert.ok(
        (await watcher.locator("[data-testid=step][data-status=cancelled]").count()) >= 1,
        "the unfinished steps show as cancelled",
      );
      await watcher.locator('[data-testid=history] [data-event-status="cancel_requested"]').waitFor();
      const job = await latestJob("long-scan.pdf");
      assert.equal(job.status, "cancelled");
      await screenshot(watcher, "06-document-cancelled");
    },
  );

  it(
    "watches the multi-page PDF go queued → processing → completed without a reload",
    { timeout: 150_000 },
    async () => {
      await header(page, "completed").waitFor({ timeout: 140_000 });
      const seen = await page.evaluate(() => {
        const w = window as unknown as {
          __marker: number;
          __statuses: string[];
          __texts: string[];
          __heights: number[];
        };
        return { __marker: w.__marker, __statuses: w.__statuses, __texts: w.__texts, __heights: w.__heights };
      });
      assert.equal(seen.__marker, 42, "the page was never reloaded");
      const order = seen.__statuses.filter((s) => ["queued", "processing", "completed"].includes(s));
      assert.deepEqual(
        [...new Set(order)],
        ["queued", "processing", "completed"],
        `statuses shown: ${seen.__statuses.join(" → ")}`,
      );
      assert.ok(
        seen.__texts.some((t) => /^Step \d of \d: .+ — \d+% \(\d+:\d\d\)$/.test(t)),
        `a "Step k of n: phase — p% (elapsed)" line was shown: ${seen.__texts.join(" | ")}`,
      );
      assert.ok(
        Math.max(...seen.__heights) - Math.min(...seen.__heights) <= 1,
        `the header never changed height while progress updated: ${[...new Set(seen.__heights)].join(", ")}`,
      );
      await page.locator("[data-testid=step][data-status=success]").nth(5).waitFor();
      await screenshot(page, "07-document-completed", { fullPage: true });
    },
  );

  it(
    "shows the result: page images with word boxes, text, markdown, JSON, and downloads the searchable PDF",
    { timeout: 60_000 },
    async () => {
      await page.locator('[data-testid=page-canvas][data-rendered="1"]').waitFor({ timeout: 20_000 });
      const boxes = page.locator("[data-testid=word-box]");
      assert.ok((await boxes.count()) >= 6, `word boxes on page 1: ${await boxes.count()}`);
      const invoice = page.locator('[data-testid=word-box][data-word="Invoice"]');
      await invoice.hover();
      const tip = page.locator("[data-testid=word-tip]");
      await tip.waitFor();
      assert.match(await tip.innerText(), /Invoice\s+Confidence \d+(\.\d)?%/);
      await screenshot(page, "08-word-boxes");

      await page.click("[data-testid=next-page]");
      await page.locator(".pager-label", { hasText: "Page 2 of 3" }).waitFor();
      await page.locator('[data-testid=page-canvas][data-rendered="2"]').waitFor({ timeout: 20_000 });
      await page.locator('[data-testid=word-box][data-word="quick"]').waitFor();

      await page.click("[data-testid=tab-text]");
      const text = await page.locator("[data-testid=text-view]").innerText();
      for (const word of ["Invoice", "quick", "payment"]) assert.match(text, new RegExp(word));
      await page.click("[data-testid=tab-markdown]");
      assert.match(await page.locator("[data-testid=markdown]").innerText(), /lazy dog/);
      await page.click("[data-testid=tab-json]");
      assert.match(await page.locator("[data-testid=json-view]").innerText(), /"pages"/);

      const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=download-pdf]")]);
      assert.equal(download.suggestedFilename(), "report.pdf");
      const bytes = new Uint8Array(await readFile((await download.path())!));
      assert.equal(Buffer.from(bytes.subarray(0, 5)).toString(), "%PDF-");
      const layer = await extractTextLayer(bytes);
      assert.equal(layer.length, 3, "three pages");
      const words = layer
        .flatMap((p) => p.page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text))))
        .join(" ");
      for (const word of ["Invoice", "quick", "payment"])
        assert.match(words, new RegExp(`\\b${word}\\b`), `the searchable PDF has "${word}": ${words}`);
      await page.click("[data-testid=tab-pages]");
    },
  );
}
