/**
 * The web UI suite's later steps (run by ui.test.ts after ui-flow-processing.ts, in the same
 * session, ui-session.ts): a duplicate upload, a retry followed by long-polling while the
 * event stream is blocked, the document list (filters, search, phone width), Polish, and
 * settings (API tokens, users).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { client } from "../api/support.js";
import { screenshot } from "./support.js";
import {
  api,
  browser,
  context,
  docId,
  fixtures,
  header,
  latestJob,
  page,
  pageErrors,
  PHONE,
  server,
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

export function documentSteps(): void {
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
}
