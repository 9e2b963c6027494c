/**
 * A real invoice from invoice2data's test files, read through Docket's own text-layer reader,
 * with a template written for it in invoice2data's format (test/fixtures/templates). Skips
 * when ../shared/data is absent.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildDocumentText } from "../../../src/extraction/document-text.js";
import { applyTemplate, matchTemplate } from "../../../src/extraction/templates/apply-template.js";
import { parseTemplate } from "../../../src/extraction/templates/parse-template.js";
import { extractTextLayer } from "../../../src/pdf/text-layer.js";
import { SHARED_DATA_DIR, sharedDataSkipReason } from "../../support/environment.js";

const skip = sharedDataSkipReason();
const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/templates/${name}`, import.meta.url)), "utf8");

describe("a template on a real invoice (invoice2data's QualityHosting.pdf)", () => {
  it("matches, reads the fields its reference lists, and the two-page item table", { skip }, async () => {
    const pdf = readFileSync(join(SHARED_DATA_DIR, "invoice2data", "QualityHosting.pdf"));
    const reference = (
      JSON.parse(readFileSync(join(SHARED_DATA_DIR, "invoice2data", "QualityHosting.json"), "utf8")) as Array<
        Record<string, unknown>
      >
    )[0]!;
    const pages = await extractTextLayer(new Uint8Array(pdf), { dpi: 150 });
    const dt = buildDocumentText({
      version: 1,
      documentId: "qh",
      languages: ["deu"],
      engine: "text-layer",
      pages: pages.map((p) => p.page),
    });

    const template = parseTemplate(fixture("de.qualityhosting.yml"), "de.qualityhosting");
    const others = [
      parseTemplate(fixture("pl.acme-legacy.yml"), "pl.acme-legacy"),
      parseTemplate(fixture("de.muster-lines.yml"), "de.muster-lines"),
    ];
    assert.equal(matchTemplate([...others, template], dt)?.name, "de.qualityhosting");

    const result = applyTemplate(template, dt);
    const f = result.fields;
    assert.equal(f.document_number?.value, reference.invoice_number);
    assert.equal(f.issue_date?.value, reference.date);
    assert.equal(f.total_gross?.value, Number(reference.amount).toFixed(2));
    assert.equal(f.seller_tax_id?.value, String(reference.vat).replace(/\s/g, ""));
    assert.equal(f.currency?.value, reference.currency);
    assert.equal(f.seller_name?.value, reference.issuer);
    assert.equal(f.iban?.value, "DE30507500940000048567");
    assert.equal(f.due_date?.value, "2014-05-21");
    assert.equal(f.payment_method?.raw, "Banküberweisung");

    // Sources are boxes on the page the value is printed on, in the model's (150 dpi) pixels.
    assert.equal(f.total_gross?.source?.page, 2);
    assert.equal(f.document_number?.source?.page, 1);
    const [x0, y0, x1, y1] = f.document_number!.source!.bbox;
    assert.ok(x1 > x0 && y1 > y0 && x1 <= pages[0]!.page.width && y1 <= pages[0]!.page.height);

    const lines = reference.lines as Array<{ pos: string; desc: string; price: number }>;
    assert.equal(result.line_items.length, lines.length);
    result.line_items.forEach((item, i) => {
      assert.equal(item.description, lines[i]!.desc.replace(/\n/g, " "));
      assert.equal(item.unit_price, lines[i]!.price.toFixed(2));
      assert.equal(item.net, lines[i]!.price.toFixed(2));
      assert.equal(item.quantity, "1");
    });
    assert.equal(result.line_items.at(-1)?.source?.page, 2, "the last item is on page 2");
  });
});
