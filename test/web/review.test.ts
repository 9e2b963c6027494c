/**
 * The review workflow in a real headless Chromium against the real server and the real
 * extraction: synthetic Polish invoices (text-layer PDFs with an invalid seller NIP) go to
 * manual_review, the navigation's count follows them live, the queue lists them, and the
 * review screen corrects, approves and rejects them — with the page's word boxes, the
 * keyboard, the 400 and 412 answers, a hand-filled document of type "other", Polish, and a
 * narrow window. Screenshots in test-artifacts/screenshots/ (docs/images/ui-review.png on
 * request, like the other UI tests).
 *
 * One server, one browser session; the tests run in order and build on each other.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { client, type Client } from "../api/support.js";
import { generateInvoice, isValidNip, type InvoiceLayout } from "../fixtures/invoices/index.js";
import { chromiumSkipReason } from "../support/environment.js";
import { ensureWebBuilt, launchChromium, screenshot, startUiServer, type UiServer } from "./support.js";
import { waitFor } from "../support/wait-for.js";

const ADMIN = { email: "admin@example.test", password: "admin-password" };
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The form's order (Tab walks it): Document, Amounts, Seller, Buyer. */
const FORM_ORDER = [
  "document_number",
  "issue_date",
  "sale_date",
  "due_date",
  "currency",
  "payment_method",
  "total_net",
  "total_vat",
  "total_gross",
  "seller_name",
  "seller_tax_id",
  "seller_address",
  "buyer_name",
  "buyer_tax_id",
  "buyer_address",
  "iban",
];

const skip = chromiumSkipReason();

// Browser globals for the functions given to page.evaluate (they run in Chromium, not in Node).
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number };
};
declare const window: { innerWidth: number; __marker?: number };

function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  return waitFor(what, probe, timeoutMs, 100);
}

/** A valid Polish NIP: nine digits and the mod-11 check digit (prefixes whose check is 10 have none). */
function validNip(seed: number): string {
  const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  for (let n = seed; ; n++) {
    const digits = String(100_000_000 + (n % 800_000_000))
      .split("")
      .map(Number);
    const check = digits.reduce((sum, d, i) => sum + d * weights[i]!, 0) % 11;
    if (check !== 10) return [...digits, check].join("");
  }
}

/** A text-layer PDF that is no invoice or receipt (type "other": nothing to extract). */
async function meetingNotesPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const lines = [
    "Meeting notes",
    "The team discussed the garden party.",
    "Bring chairs and lemonade.",
    "Next meeting on Thursday afternoon.",
  ];
  lines.forEach((line, i) => page.drawText(line, { x: 60, y: 760 - i * 28, size: 16, font }));
  return doc.save();
}

describe("review screen in Chromium against the real server", { skip }, () => {
  let server: UiServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: Client;
  const pageErrors: string[] = [];
  /** The invoices in upload order (the queue is oldest first). */
  const invoices: { id: string; filename: string }[] = [];

  const fieldsOf = async (id: string) => (await api.req("GET", `/api/v1/documents/${id}/fields`)).json;
  const statusOf = async (id: string) => (await api.req("GET", `/api/v1/documents/${id}/status`)).json;
  const input = (name: string) => page.locator(`[data-testid=input-${name}]`);
  const badge = () => page.locator("[data-testid=review-count]");

  /** An invoice whose seller NIP has a wrong check digit (everything else valid), processed at once. */
  const uploadInvoice = async (seed: number, layout: InvoiceLayout) => {
    const invoice = await generateInvoice(seed, layout, {
      currency: "PLN",
      invalid: { seller_tax_id: true, buyer_tax_id: false, iban: false },
    });
    const filename = `faktura-${seed}.pdf`;
    const res = await api.upload(invoice.pdf, filename, { process: "true" });
    assert.equal(res.status, 201, res.text);
    const entry = { id: res.json.document.id as string, filename };
    invoices.push(entry);
    return { ...entry, invoice };
  };

  before(async () => {
    ensureWebBuilt();
    server = await startUiServer();
    const anon = client(server.base);
    assert.equal((await anon.req("POST", "/api/v1/setup", { json: ADMIN })).status, 201);
    const login = await anon.req("POST", "/api/v1/auth/login", { json: ADMIN });
    api = client(server.base, login.json.token as string);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: DESKTOP, locale: "en-US" });
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.base}/review`);
    await page.fill("input[name=email]", ADMIN.email);
    await page.fill("input[name=password]", ADMIN.password);
    await page.click("button[type=submit]");
    await page.locator("[data-testid=live-indicator][data-mode=live]").waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "counts documents waiting for review in the navigation, live, and lists them in the queue",
    { timeout: 90_000 },
    async () => {
      await page.locator("[data-testid=queue-empty]").waitFor();
      assert.equal(await badge().count(), 0, "no count while nothing waits");
      await page.evaluate(() => {
        window.__marker = 42;
      });

      const first = await uploadInvoice(101, "classic");
      assert.equal(first.invoice.invalid.seller_tax_id, true, "the fixture's seller NIP is invalid");
      await page.locator("[data-testid=review-count][data-count='1']").waitFor({ timeout: 60_000 });
      for (const [seed, layout] of [
        [102, "minimal"],
        [103, "stacked"],
      ] as const)
        await uploadInvoice(seed, layout);
      await page.locator("[data-testid=review-count][data-count='3']").waitFor({ timeout: 60_000 });
      assert.equal(await page.evaluate(() => window.__marker), 42, "the page was never reloaded");
      assert.match(
        (await page.getByRole("link", { name: /^Review/ }).getAttribute("aria-label")) ?? "",
        /3 documents wait for review/,
      );

      // The queue page followed the same events: oldest first, with type and reason.
      await until("three rows in the queue", async () => (await page.locator("[data-testid=queue-row]").count()) === 3);
      const rows = page.locator("[data-testid=queue-row]");
      assert.deepEqual(
        await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-document-id"))),
        invoices.map((i) => i.id),
      );
      await until("the type of each row", async () =>
        (await rows.locator("[data-testid=queue-type]").allInnerTexts()).every((t) => /Invoice/.test(t)),
      );
      for (const reason of await rows.locator("[data-testid=queue-reason]").allInnerTexts())
        assert.ok(reason.trim().length > 0, "each row says why it waits");
      await screenshot(page, "review-01-queue");
    },
  );

  it(
    "opens the review screen; focusing a field highlights its source box on the page",
    { timeout: 60_000 },
    async () => {
      const [first] = invoices;
      await page.locator(`[data-testid=queue-row][data-document-id="${first!.id}"] [data-testid=queue-open]`).click();
      await page.locator(`[data-testid=review-page][data-document-id="${first!.id}"]`).waitFor();
      await page.locator('[data-testid=page-canvas][data-rendered="1"]').waitFor({ timeout: 30_000 });
      const fields = await fieldsOf(first!.id);

      // The first field has the focus on arrival; the failing tax id is marked.
      await until(
        "the first field focused",
        async () => (await page.evaluate(() => document.activeElement?.getAttribute("name"))) === "document_number",
      );
      await page.locator("[data-testid=field-highlight][data-field=document_number]").waitFor();
      await screenshot(page, "review-02-screen", { also: "ui-review.png" });
      const failing = Object.keys(fields.fields).filter((name) =>
        fields.checks.some((c: { ok: boolean; fields: string[] }) => !c.ok && c.fields.includes(name)),
      );
      assert.ok(
        failing.includes("seller_tax_id"),
        `the invalid seller NIP fails a check: ${JSON.stringify(fields.checks)}`,
      );
      for (const name of failing) {
        const field = page.locator(`[data-testid=review-field][data-field=${name}]`);
        assert.equal(await field.getAttribute("data-failing"), "true");
        assert.equal(await input(name).getAttribute("aria-invalid"), "true");
        assert.ok(
          (await field.locator("[data-testid=field-check][data-ok=false]").count()) >= 1,
          `${name} shows its failed check`,
        );
      }

      await input("seller_tax_id").focus();
      const highlight = page.locator("[data-testid=field-highlight][data-field=seller_tax_id]");
      await highlight.waitFor();
      const source = fields.fields.seller_tax_id.source as { page: number; bbox: number[] };
      assert.deepEqual(
        await Promise.all(["x", "y"].map(async (a) => Number(await highlight.getAttribute(a)))),
        [source.bbox[0], source.bbox[1]],
        "the highlight is the field's source box",
      );
      // The box is drawn over the word(s) the value was read from.
      const value = String(fields.fields.seller_tax_id.raw);
      const words = await page.locator("[data-testid=word-box]").evaluateAll((els) =>
        els.map((e) => ({
          text: e.getAttribute("data-word") ?? "",
          x: Number(e.getAttribute("x")),
          y: Number(e.getAttribute("y")),
        })),
      );
      const inside = words.filter(
        (w) =>
          w.x >= source.bbox[0]! - 1 && w.x <= source.bbox[2]! && w.y >= source.bbox[1]! - 1 && w.y <= source.bbox[3]!,
      );
      assert.ok(
        inside.some((w) => value.includes(w.text)),
        `the highlighted box covers "${value}": ${JSON.stringify(inside)}`,
      );
      await screenshot(page, "review-03-failing-field");
    },
  );

  it(
    "fills the focused field by clicking words; Shift-click appends; a drag takes the words inside; Escape reverts",
    { timeout: 30_000 },
    async () => {
      const [first] = invoices;
      const server = (await fieldsOf(first!.id)).fields.buyer_name?.value ?? "";
      await input("buyer_name").focus();
      const words = page.locator("[data-testid=word-box]");
      const a = (await words.nth(0).getAttribute("data-word"))!;
      const b = (await words.nth(1).getAttribute("data-word"))!;
      await words.nth(0).click();
      assert.equal(await input("buyer_name").inputValue(), a);
      assert.equal(
        await page.evaluate(() => document.activeElement?.getAttribute("name")),
        "buyer_name",
        "the field keeps the focus",
      );
      await words.nth(1).click({ modifiers: ["Shift"] });
      assert.equal(await input("buyer_name").inputValue(), `${a} ${b}`);
      assert.match(await page.locator("[data-testid=unsaved]").innerText(), /1 unsaved change/);
      await page.locator("[data-testid=field-highlight][data-field=buyer_name]").waitFor();

      // A drag over both words replaces the value with them, in reading order (dragged backwards).
      const boxA = (await words.nth(0).boundingBox())!;
      const boxB = (await words.nth(1).boundingBox())!;
      await page.mouse.move(
        Math.max(boxA.x + boxA.width, boxB.x + boxB.width) + 1,
        Math.max(boxA.y + boxA.height, boxB.y + boxB.height) + 1,
      );
      await page.mouse.down();
      await page.mouse.move(boxA.x + boxA.width / 2, boxA.y + boxA.height / 2, { steps: 4 });
      await page.mouse.move(Math.min(boxA.x, boxB.x) - 1, Math.min(boxA.y, boxB.y) - 1, { steps: 4 });
      await page.mouse.up();
      assert.equal(await input("buyer_name").inputValue(), `${a} ${b}`);

      await page.keyboard.press("Escape");
      assert.equal(await input("buyer_name").inputValue(), server);
      assert.equal(await page.locator("[data-testid=unsaved]").innerText(), "");
    },
  );

  it("moves through the fields in order with Tab", { timeout: 30_000 }, async () => {
    await input("document_number").focus();
    const seen = ["document_number"];
    for (let i = 1; i < FORM_ORDER.length; i++) {
      await page.keyboard.press("Tab");
      seen.push((await page.evaluate(() => document.activeElement?.getAttribute("name"))) ?? "?");
    }
    assert.deepEqual(seen, FORM_ORDER);
  });

  it("corrects a field, and Ctrl+Enter saves, approves and opens the next document", { timeout: 60_000 }, async () => {
    const [first, second] = invoices;
    const nip = validNip(987_654);
    assert.ok(isValidNip(nip));
    await input("seller_tax_id").fill(nip);
    await page.keyboard.press("Control+Enter");
    await page.locator(`[data-testid=review-page][data-document-id="${second!.id}"]`).waitFor();
    await page.locator("[data-testid=review-announce]").getByText(`Approved “${first!.filename}”.`).waitFor();
    await page.locator("[data-testid=review-count][data-count='2']").waitFor();

    const fields = await fieldsOf(first!.id);
    assert.equal(fields.review.state, "approved");
    assert.equal(fields.review.by, ADMIN.email);
    assert.equal(fields.fields.seller_tax_id.value, nip);
    assert.equal(fields.fields.seller_tax_id.origin, "manual");
    assert.equal(fields.fields.seller_tax_id.confidence, 1);
    assert.ok(
      fields.checks
        .filter((c: { fields: string[] }) => c.fields.includes("seller_tax_id"))
        .every((c: { ok: boolean }) => c.ok),
      "the corrected NIP passes its check",
    );
    assert.equal((await statusOf(first!.id)).status, "completed");
  });

  it("shows the server's message under a value it cannot read", { timeout: 30_000 }, async () => {
    await input("issue_date").fill("not a date at all");
    await page.click("[data-testid=save]");
    const error = page.locator("[data-testid=review-field][data-field=issue_date] [data-testid=field-error]");
    await error.waitFor();
    assert.ok((await error.innerText()).trim().length > 0);
    assert.equal(await page.locator("[data-testid=form-notice]").getAttribute("data-kind"), "invalid");
    await input("issue_date").focus();
    await page.keyboard.press("Escape");
    assert.equal(await error.count(), 0, "reverting the field clears its error");
  });

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

  it("raised no errors in the page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
