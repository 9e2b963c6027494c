/**
 * The web UI in a real headless Chromium against the real server: first-run setup, sign in,
 * uploads (drag-and-drop and the file picker) through the real OCR pipeline, live progress
 * over the event stream and over the long-poll fallback, cancel, retry, the result viewer
 * with word boxes, downloads, Polish, settings — and screenshots of every main page in
 * test-artifacts/screenshots/.
 *
 * One server with one worker, so jobs queue behind each other as on a busy server; the
 * tests run in order and build on each other (the same session, the same documents).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { client, type Client } from "../api/support.js";
import { chromiumSkipReason } from "../support/environment.js";
import {
  ensureWebBuilt,
  launchChromium,
  longScan,
  notePng,
  scannedReport,
  screenshot,
  startUiServer,
  type UiServer,
} from "./support.js";
import { waitFor } from "../support/wait-for.js";

const ADMIN = { email: "admin@example.test", password: "admin-password" };
const REPORT_PAGES = [
  ["Docket Invoice Number 2024", "Amount due: 1,234.56 EUR by 15 March."],
  ["The quick brown fox jumps", "over the lazy dog."],
  ["Please return this form", "with your payment."],
];
const DESKTOP = { width: 1360, height: 900 };
const PHONE = { width: 390, height: 844 };

const skip = chromiumSkipReason();

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

/** Polls `probe` until it returns something truthy. */
function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  return waitFor(what, probe, timeoutMs, 100);
}

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

const header = (page: Page, status: string) => page.locator(`[data-testid=doc-header][data-status=${status}]`);

describe("web UI in Chromium against the real server", { skip }, () => {
  let server: UiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watcher: Page;
  let api: Client;
  const pageErrors: string[] = [];
  const ids: Record<string, string> = {};
  let fixtures: { long: Uint8Array; report: Uint8Array; receipt: Buffer; invoice: Buffer };

  const docId = async (filename: string) => {
    if (ids[filename]) return ids[filename];
    const res = await api.req("GET", `/api/v1/documents?q=${encodeURIComponent(filename)}`);
    const doc = (res.json.items as { id: string; filename: string }[]).find((d) => d.filename === filename);
    assert.ok(doc, `document ${filename} exists`);
    ids[filename] = doc.id;
    return doc.id;
  };
  const latestJob = async (filename: string) => {
    const doc = (await api.req("GET", `/api/v1/documents/${await docId(filename)}`)).json;
    return (await api.req("GET", `/api/v1/ocr/jobs/${doc.latest_job_id}`)).json;
  };

  before(async () => {
    ensureWebBuilt();
    [server, fixtures] = await Promise.all([
      startUiServer(),
      (async () => ({
        long: await longScan(30, [
          "A long scanned document",
          "rendered and read page by page",
          "so that it can be cancelled.",
        ]),
        report: await scannedReport(REPORT_PAGES),
        receipt: await notePng(["Corner Shop receipt", "Total 12.50"]),
        invoice: await notePng(["Invoice 7731", "Thank you for your order"]),
      }))(),
    ]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true, locale: "en-US" });
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    if (server && api) {
      // Stop what still runs, so closing does not wait for a 30-page OCR.
      const jobs = await api.req("GET", "/api/v1/ocr/jobs?status=processing");
      for (const job of jobs.json?.items ?? []) await api.req("PUT", `/api/v1/ocr/jobs/${job.id}/cancel`);
    }
    await server?.close();
  });

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
    api = client(server.base, login.json.token as string);

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
    watcher = await context.newPage();
    watcher.on("pageerror", (e) => pageErrors.push(e.message));
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

  it("shows a second upload of the same file as a duplicate", { timeout: 30_000 }, async () => {
    await page.getByRole("link", { name: "Upload" }).first().click();
    await page.setInputFiles("[data-testid=file-input]", [
      { name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from(fixtures.report) },
    ]);
    const item = page.locator('[data-testid=upload-item][data-filename="report.pdf"][data-state=duplicate]');
    await item.waitFor();
    assert.match(
      await item.locator("[data-testid=duplicate]").innerText(),
      /Duplicate — this file is already in Docket/,
    );
    await item.locator("[data-testid=status-badge][data-status=completed]").waitFor();
  });

  it(
    "retries a job that failed during a storage outage, following it by long-polling when the event stream is blocked",
    { timeout: 90_000 },
    async () => {
      await until("the batch to finish", async () => (await latestJob("receipt.png")).status === "completed", 60_000);
      server.blobs.failing = /^jobs\/[^/]+\/export\//;
      await page.check("[data-testid=process-now]");
      await page.setInputFiles("[data-testid=file-input]", [
        { name: "invoice.png", mimeType: "image/png", buffer: fixtures.invoice },
      ]);
      const item = page.locator('[data-testid=upload-item][data-filename="invoice.png"]');
      await item.locator("[data-testid=status-badge][data-status=failed]").waitFor({ timeout: 60_000 });
      await item.getByRole("link", { name: "invoice.png" }).click();
      await header(page, "failed").waitFor();
      const failedStep = page.locator("[data-testid=step][data-step=export][data-status=failure]");
      await failedStep.waitFor();
      assert.match(await failedStep.locator("[data-testid=step-error]").innerText(), /ENOSPC/);
      assert.match(
        await page.locator("[data-testid=doc-header] [data-testid=progress-text]").innerText(),
        /Failed at step 7 of 7: Export/,
      );
      assert.equal(await page.locator("[data-testid=cancel]").count(), 0);
      await screenshot(page, "09-document-failed");

      // The disk is fixed; the event stream is blocked (a proxy that buffers SSE, say).
      server.blobs.failing = null;
      await page.route("**/api/v1/events**", (route) => route.abort());
      await page.reload();
      await header(page, "failed").waitFor();
      await page.locator("[data-testid=live-indicator][data-mode=polling]").waitFor({ timeout: 20_000 });
      await page.click("[data-testid=retry]");
      await header(page, "completed").waitFor({ timeout: 60_000 });
      assert.equal(
        await page.locator("[data-testid=live-indicator]").getAttribute("data-mode"),
        "polling",
        "completed while long-polling",
      );
      await page.locator("[data-testid=step][data-step=export][data-status=success]").waitFor({ timeout: 10_000 });
      await screenshot(page, "10-document-retried-polling");
      await page.unroute("**/api/v1/events**");

      const job = await latestJob("invoice.png");
      assert.equal(job.status, "completed");
      const history = (await api.req("GET", `/api/v1/documents/${await docId("invoice.png")}/history`)).json.items as {
        step: string | null;
        status: string;
      }[];
      assert.ok(
        history.filter((e) => e.step === "export" && e.status === "failure").length >= 1,
        "the failures are in the history",
      );
      assert.equal(
        history.filter((e) => e.step === "ocr" && e.status === "success").length,
        1,
        "the retry resumed at export: OCR ran once",
      );
    },
  );

  it("lists, filters and searches documents, live, at desktop and phone width", { timeout: 60_000 }, async () => {
    // A permanent failure for the list (a PDF that is not one), and the long scan resumed.
    const broken = await api.upload(
      new Uint8Array(Buffer.from("%PDF-1.7\n1 0 obj <<>> garbage\n")),
      "scan-damaged.pdf",
      { process: "true" },
    );
    assert.equal(broken.status, 201, broken.text);
    await page.goto(`${server.base}/`);
    await page.locator("[data-testid=live-indicator][data-mode=live]").waitFor();
    await page.locator("[data-testid=document-row][data-status=failed]").waitFor({ timeout: 20_000 });
    const longRow = page.locator(`[data-testid=document-row][data-document-id="${await docId("long-scan.pdf")}"]`);
    await longRow.locator("[data-testid=status-badge][data-status=cancelled]").waitFor();
    await api.req("POST", `/api/v1/ocr/jobs/${(await latestJob("long-scan.pdf")).id}/retry`);
    await longRow.locator("[data-testid=status-badge][data-status=processing]").waitFor({ timeout: 10_000 });
    await until("a step line in the list", async () =>
      /^Step \d of \d/.test(await longRow.locator("[data-testid=progress-text]").innerText()),
    );
    assert.equal(await page.locator("[data-testid=document-row]").count(), 5);
    await screenshot(page, "11-documents", { also: "ui-documents.png", alsoUpTo: "[data-testid=document-list]" });

    await page.click("[data-filter=failed]");
    await until(
      "only the failed document",
      async () => (await page.locator("[data-testid=document-row]").count()) === 1,
    );
    assert.match(await page.locator("[data-testid=document-row]").innerText(), /scan-damaged\.pdf/);
    assert.match(page.url(), /status=failed/);
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.fill("[data-testid=search]", "rece");
    await until("the search result", async () => (await page.locator("[data-testid=document-row]").count()) === 1);
    assert.match(await page.locator("[data-testid=document-row]").innerText(), /receipt\.png/);
    await page.fill("[data-testid=search]", "");
    await until("all documents again", async () => (await page.locator("[data-testid=document-row]").count()) === 5);

    const phone = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      storageState: await context.storageState(),
    });
    try {
      const small = await phone.newPage();
      small.on("pageerror", (e) => pageErrors.push(`phone: ${e.message}`));
      await small.goto(`${server.base}/`);
      await small.locator("[data-testid=document-row]").nth(4).waitFor();
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at 390 px (overflow ${overflow} px)`);
      await screenshot(small, "12-documents-phone");
      await small.goto(`${server.base}/documents/${await docId("report.pdf")}`);
      // Either the page is drawn or the viewer says why not (which fails the test with the reason).
      await small
        .locator('[data-testid=page-canvas][data-rendered="1"], [data-testid=page-viewer] [role=alert]')
        .first()
        .waitFor({ timeout: 45_000 });
      assert.equal(
        await small.locator("[data-testid=page-viewer] [role=alert]").count(),
        0,
        await small.locator("[data-testid=page-viewer]").innerText(),
      );
      assert.ok(
        (await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0,
        "the document page fits the phone",
      );
      await screenshot(small, "13-document-phone", { fullPage: true });
      await small.goto(`${server.base}/upload`);
      await small.getByRole("heading", { name: "Upload documents" }).waitFor();
      await screenshot(small, "14-upload-phone");
    } finally {
      await phone.close();
    }
  });

  it("switches to Polish: status labels and phases in Polish", { timeout: 30_000 }, async () => {
    await page.click("button[lang=pl]");
    await page.getByRole("heading", { name: "Dokumenty", exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "pl");
    await page.locator('[data-testid=status-badge][data-status=completed]:text("Zakończony")').first().waitFor();
    await page.locator('[data-testid=status-badge][data-status=failed]:text("Błąd")').first().waitFor();
    const longRow = page.locator(`[data-testid=document-row][data-document-id="${await docId("long-scan.pdf")}"]`);
    const line = await longRow.locator("[data-testid=progress-text]").innerText();
    assert.match(line, /^(Krok \d z \d: .+ — \d+% \(\d+:\d\d\)|Anulowano po .+|Zakończono w .+)$/, line);
    assert.match(await page.locator("[data-testid=live-indicator]").innerText(), /Na żywo/);
    await screenshot(page, "15-documents-pl");
    await page.goto(`${server.base}/documents/${await docId("invoice.png")}`);
    await page.locator("[data-testid=step][data-step=render_pages]").getByText("Renderowanie stron").waitFor();
    await screenshot(page, "16-document-pl");
    await page.click("button[lang=en]");
    await page.getByRole("heading", { name: "Steps", exact: true }).waitFor();
  });

  it("manages API tokens (shown once, revoked) and users", { timeout: 30_000 }, async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.fill("[data-testid=token-name]", "backup script");
    await page.getByRole("button", { name: "Create token" }).click();
    const value = (await page.locator("[data-testid=token-value]").innerText()).trim();
    assert.equal((await client(server.base, value).req("GET", "/api/v1/me")).status, 200, "the shown token works");
    await page.locator("[data-testid=token-row]").filter({ hasText: "backup script" }).waitFor();

    await page.fill("[data-testid=users] input[type=email]", "alice@example.test");
    await page.fill("[data-testid=users] input[type=password]", "alice-password");
    await page.getByRole("button", { name: "Add user" }).click();
    await page.locator("[data-testid=user-row]").filter({ hasText: "alice@example.test" }).waitFor();
    await screenshot(page, "17-settings", { fullPage: true });

    await page.getByRole("button", { name: "Done" }).click();
    assert.equal(await page.locator("[data-testid=token-value]").count(), 0, "the secret is shown once");
    await page
      .locator("[data-testid=token-row]")
      .filter({ hasText: "backup script" })
      .locator("[data-testid=revoke]")
      .click();
    await page.click("[data-testid=confirm]");
    await until("the token to disappear", async () => (await page.locator("[data-testid=token-row]").count()) === 0);
    assert.equal(
      (await client(server.base, value).req("GET", "/api/v1/me")).status,
      401,
      "the revoked token no longer works",
    );
  });

  it("raised no errors in the page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
