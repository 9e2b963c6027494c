/**
 * The review suite's first steps (run by review.test.ts in its one session, review-session.ts):
 * the navigation's live count and the queue, the review screen with word boxes, Tab order,
 * correcting and approving with Ctrl+Enter, and the server's message under a value it cannot read.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { isValidNip } from "../fixtures/invoices/index.js";
import { screenshot } from "./support.js";
import {
  ADMIN,
  badge,
  FORM_ORDER,
  fieldsOf,
  input,
  invoices,
  page,
  statusOf,
  until,
  uploadInvoice,
  validNip,
} from "./review-session.js";

// Browser globals for the functions given to page.evaluate (they run in Chromium, not in Node).
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number };
};
declare const window: { innerWidth: number; __marker?: number };

export function queueSteps(): void {
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
}
