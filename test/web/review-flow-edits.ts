/**
 * The review suite's later steps (run by review.test.ts after review-flow-queue.ts, in the same
 * session, review-session.ts): edits kept over a 412, reject, Polish, a hand-filled document
 * of type "other", and a narrow window.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { screenshot } from "./support.js";
import {
  api,
  badge,
  browser,
  context,
  FORM_ORDER,
  fieldsOf,
  input,
  invoices,
  meetingNotesPdf,
  page,
  pageErrors,
  PHONE,
  server,
  statusOf,
  until,
} from "./review-session.js";

// Browser globals for the functions given to page.evaluate (they run in Chromium, not in Node).
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number };
};
declare const window: { innerWidth: number; __marker?: number };

export function editSteps(): void {
  it(
    "keeps the person's edits when the fields changed elsewhere (412), and saves them after a look",
    { timeout: 60_000 },
    async () => {
      const [, second] = invoices;
      await input("document_number").fill("FV/EDITED/1");
      // Someone else corrects another field in between (a script, another tab).
      const before = await fieldsOf(second!.id);
      const outside = await api.req("PATCH", `/api/v1/documents/${second!.id}/fields`, {
        json: { fields: { buyer_name: "Changed Elsewhere Sp. z o.o." } },
        headers: { "if-match": `"${before.version}"` },
      });
      assert.equal(outside.status, 200, outside.text);

      await page.keyboard.press("Control+Enter");
      await page.locator("[data-testid=form-notice][data-kind=conflict]").waitFor();
      assert.equal(await input("document_number").inputValue(), "FV/EDITED/1", "the edit is still on screen");
      await until(
        "the other change reloaded",
        async () => (await input("buyer_name").inputValue()) === "Changed Elsewhere Sp. z o.o.",
      );
      assert.equal((await statusOf(second!.id)).status, "manual_review", "nothing was approved");
      await screenshot(page, "review-04-conflict");

      await page.click("[data-testid=save]");
      await page.locator("[data-testid=form-notice][data-kind=saved]").waitFor();
      const fields = await fieldsOf(second!.id);
      assert.equal(fields.fields.document_number.value, "FV/EDITED/1");
      assert.equal(fields.fields.buyer_name.value, "Changed Elsewhere Sp. z o.o.");
    },
  );

  it(
    "rejects with a note after a confirmation; the document fails with review_rejected and can be retried",
    { timeout: 60_000 },
    async () => {
      const [, second, third] = invoices;
      await page.click("[data-testid=reject]");
      const dialog = page.getByRole("dialog");
      await dialog.getByText("Reject this document?").waitFor();
      await page.fill("[data-testid=reject-note]", "Not our supplier");
      const [answer] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === "POST" && r.url().endsWith(`/api/v1/documents/${second!.id}/review`),
        ),
        dialog.locator("[data-testid=confirm]").click(),
      ]);
      assert.equal(answer.status(), 200);
      const decided = await answer.json();
      assert.equal(decided.review.state, "rejected");
      assert.equal(decided.review.note, "Not our supplier");
      await page.locator(`[data-testid=review-page][data-document-id="${third!.id}"]`).waitFor();
      await page.locator("[data-testid=review-announce]").getByText(`Rejected “${second!.filename}”.`).waitFor();

      const status = await statusOf(second!.id);
      assert.equal(status.status, "failed");
      assert.equal(status.error.code, "review_rejected");
      assert.equal(status.can_retry, true);
      await page.locator("[data-testid=review-count][data-count='1']").waitFor();
    },
  );

  it("speaks Polish: field labels, groups and actions", { timeout: 60_000 }, async () => {
    const [, , third] = invoices;
    await page.click("button[lang=pl]");
    await page.getByRole("link", { name: /^Weryfikacja/ }).waitFor();
    for (const label of [
      "Numer dokumentu",
      "Data wystawienia",
      "Termin płatności",
      "Kwota brutto",
      "NIP sprzedawcy",
      "Numer rachunku (IBAN)",
      "Forma płatności",
    ]) {
      await page.getByLabel(label, { exact: true }).waitFor();
    }
    await page.getByRole("button", { name: /Zatwierdź i dalej/ }).waitFor();
    await page.locator("legend", { hasText: "Kwoty" }).waitFor();
    await screenshot(page, "review-05-polish");

    // The last one approved by the button: the queue is empty, the count gone.
    await page.getByRole("button", { name: /Zatwierdź i dalej/ }).click();
    await page.locator("[data-testid=queue-empty]").getByText("Nic do weryfikacji").waitFor();
    await page.locator("[data-testid=review-announce]").getByText(`Zatwierdzono „${third!.filename}”.`).waitFor();
    assert.equal(await badge().count(), 0);
    assert.equal((await statusOf(third!.id)).status, "completed");
    await page.click("button[lang=en]");
  });

  it(
    "shows the fields on the document page, and a document of type other is filled in by hand",
    { timeout: 90_000 },
    async () => {
      const [first] = invoices;
      await page.goto(`${server.base}/documents/${first!.id}`);
      const panel = page.locator("[data-testid=fields-panel]");
      await panel.waitFor();
      assert.equal(await panel.getAttribute("data-review-state"), "approved");
      await panel.locator("[data-field=seller_tax_id]").waitFor();

      const notes = await api.upload(await meetingNotesPdf(), "meeting-notes.pdf", { process: "true" });
      assert.equal(notes.status, 201, notes.text);
      const id = notes.json.document.id as string;
      await page.goto(`${server.base}/documents/${id}`);
      await page.locator("[data-testid=doc-header][data-status=completed]").waitFor({ timeout: 60_000 });
      await page.locator("[data-testid=open-review]").click();
      await page.locator(`[data-testid=review-page][data-document-id="${id}"]`).waitFor();
      assert.equal(await page.locator("[data-testid=document-type]").getAttribute("data-type"), "other");
      for (const name of FORM_ORDER) assert.equal(await input(name).inputValue(), "", `${name} starts empty`);
      await input("document_number").fill("NOTES-1");
      await input("issue_date").fill("2024-05-17");
      await page.keyboard.press("Enter");
      await page.locator("[data-testid=form-notice][data-kind=saved]").waitFor();
      const fields = await fieldsOf(id);
      assert.equal(fields.fields.document_number.value, "NOTES-1");
      assert.equal(fields.fields.issue_date.value, "2024-05-17");
      assert.equal(fields.fields.document_number.origin, "manual");
    },
  );

  it("fits a narrow window", { timeout: 60_000 }, async () => {
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
      await small.goto(`${server.base}/review/${invoices[0]!.id}`);
      await small.locator('[data-testid=page-canvas][data-rendered="1"]').waitFor({ timeout: 30_000 });
      await small.locator("[data-testid=input-seller_tax_id]").waitFor();
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling at 390 px (overflow ${overflow} px)`);
      await screenshot(small, "review-06-phone", { fullPage: true });
    } finally {
      await phone.close();
    }
  });
}
