/**
 * The synthetic Polish invoice generator (test/fixtures/invoices) that the extraction tests and
 * bench:fields judge against: its truth must match what the page prints, its validity flags
 * must match the checksums, and a seed must always give the same invoice.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { FIELD_NAMES } from "../../src/extraction/types.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import {
  INVOICE_LAYOUTS,
  generateInvoice,
  isValidIban,
  isValidNip,
  scanAsPdf,
  scanInvoice,
} from "../fixtures/invoices/index.js";

async function pageText(pdf: Uint8Array): Promise<string> {
  const [first] = await extractTextLayer(pdf);
  assert.ok(first, "the invoice has a page");
  return first.page.blocks.flatMap((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" "))).join("\n");
}

const collapse = (s: string) => s.replace(/\s+/g, " ").trim();

describe("synthetic Polish invoices", () => {
  for (const layout of INVOICE_LAYOUTS) {
    it(`${layout}: the text layer prints every field the truth names`, async () => {
      for (const seed of [1, 2, 3]) {
        const invoice = await generateInvoice(seed, layout);
        const lines = (await pageText(invoice.pdf)).split("\n").map(collapse);
        const words = new Set(lines.flatMap((l) => l.split(" ").map((w) => w.replace(/,$/, ""))));
        for (const name of FIELD_NAMES) {
          assert.notEqual(invoice.truth[name], null, `${layout}#${seed} has ${name}`);
          const printed = collapse(invoice.printed[name]);
          if (name.endsWith("_name") || name.endsWith("_address")) {
            // Names and addresses may wrap or sit beside the other party's: every word is printed.
            for (const word of printed.split(" "))
              assert.ok(words.has(word), `${layout}#${seed} ${name}: "${word}" of "${printed}" printed`);
          } else {
            assert.ok(
              lines.some((l) => l.includes(printed)),
              `${layout}#${seed} ${name}: "${printed}" printed on one line`,
            );
          }
        }
      }
    });
  }

  it("normalises the truth as API.md says", async () => {
    for (const layout of INVOICE_LAYOUTS) {
      const { truth, printed } = await generateInvoice(11, layout);
      for (const name of ["issue_date", "sale_date", "due_date"] as const)
        assert.match(truth[name] ?? "", /^\d{4}-\d{2}-\d{2}$/);
      for (const name of ["total_net", "total_vat", "total_gross"] as const)
        assert.match(truth[name] ?? "", /^\d+\.\d{2}$/);
      for (const name of ["seller_tax_id", "buyer_tax_id"] as const) {
        assert.match(truth[name] ?? "", /^(PL)?\d{10}$/);
        assert.equal(
          truth[name]?.startsWith("PL"),
          printed[name].startsWith("PL"),
          "a PL prefix is kept only when printed",
        );
      }
      assert.match(truth.iban ?? "", /^PL\d{26}$/);
      // Printed as an IBAN or as a Polish NRB (the same 26 digits without "PL"): the truth is the IBAN.
      assert.equal(truth.iban?.slice(2), printed.iban.replace(/^PL/, "").replace(/\s/g, ""));
      assert.match(truth.currency ?? "", /^(PLN|EUR)$/);
      assert.match(truth.payment_method ?? "", /^(transfer|cash|card)$/);
    }
  });

  it("the checksum validators agree with published examples", () => {
    assert.equal(isValidNip("5260250274"), true);
    assert.equal(isValidNip("526-025-02-74"), true);
    assert.equal(isValidNip("5260250275"), false);
    assert.equal(isValidIban("PL61109010140000071219812874"), true);
    assert.equal(isValidIban("PL61 1090 1014 0000 0712 1981 2874"), true);
    assert.equal(isValidIban("PL61109010140000071219812875"), false);
    assert.equal(isValidIban("DE89370400440532013000"), true);
  });

  it("flags exactly the tax ids and IBANs whose check digits are wrong, valid and invalid alike", async () => {
    const seen = { validNip: 0, invalidNip: 0, validIban: 0, invalidIban: 0 };
    for (let seed = 1; seed <= 30; seed++) {
      const invoice = await generateInvoice(seed, INVOICE_LAYOUTS[seed % INVOICE_LAYOUTS.length]!, {
        invalidShare: 0.5,
      });
      for (const name of ["seller_tax_id", "buyer_tax_id"] as const) {
        const valid = isValidNip(invoice.truth[name] ?? "");
        assert.equal(invoice.invalid[name], !valid, `seed ${seed} ${name} ${invoice.truth[name]}`);
        if (valid) seen.validNip++;
        else seen.invalidNip++;
      }
      const ibanValid = isValidIban(invoice.truth.iban ?? "");
      assert.equal(invoice.invalid.iban, !ibanValid, `seed ${seed} iban ${invoice.truth.iban}`);
      if (ibanValid) seen.validIban++;
      else seen.invalidIban++;
    }
    for (const [kind, count] of Object.entries(seen)) assert.ok(count >= 5, `${kind}: ${count} of them`);
    const forced = await generateInvoice(5, "classic", {
      invalid: { seller_tax_id: true, buyer_tax_id: false, iban: true },
    });
    assert.deepEqual(forced.invalid, { seller_tax_id: true, buyer_tax_id: false, iban: true });
    assert.equal(isValidNip(forced.truth.seller_tax_id ?? ""), false);
    assert.equal(isValidNip(forced.truth.buyer_tax_id ?? ""), true);
  });

  it("totals add up (net + VAT = gross, the VAT rows sum to them) unless asked not to", async () => {
    const cents = (s: string | null) => Math.round(Number(s) * 100);
    for (const layout of INVOICE_LAYOUTS) {
      for (const seed of [3, 4]) {
        const { truth, data, inconsistentTotals } = await generateInvoice(seed, layout);
        assert.equal(inconsistentTotals, false);
        assert.equal(cents(truth.total_net) + cents(truth.total_vat), cents(truth.total_gross), `${layout}#${seed}`);
        assert.equal(
          data.vatRows.reduce((s, r) => s + r.net, 0),
          cents(truth.total_net),
        );
        assert.equal(
          data.vatRows.reduce((s, r) => s + r.vat, 0),
          cents(truth.total_vat),
        );
        const broken = await generateInvoice(seed, layout, { inconsistentTotals: true });
        assert.equal(broken.inconsistentTotals, true);
        assert.notEqual(cents(broken.truth.total_net) + cents(broken.truth.total_vat), cents(broken.truth.total_gross));
      }
    }
  });

  it("is deterministic per seed and layout", async () => {
    const a = await generateInvoice(42, "stacked");
    const b = await generateInvoice(42, "stacked");
    assert.deepEqual(a.truth, b.truth);
    assert.deepEqual(Buffer.from(a.pdf), Buffer.from(b.pdf));
    const c = await generateInvoice(43, "stacked");
    assert.notDeepEqual(a.truth, c.truth);
    const d = await generateInvoice(42, "minimal");
    assert.notDeepEqual(a.truth, d.truth);
  });

  it("scans: a JPEG at the asked DPI, rotated, noisy, deterministic; and as an image-only PDF", async () => {
    const { pdf } = await generateInvoice(8, "form");
    const options = { dpi: 150, rotationDeg: 1.2, noise: 8, jpegQuality: 60, seed: 8 };
    const jpeg = await scanInvoice(pdf, options);
    const meta = await sharp(jpeg).metadata();
    assert.equal(meta.format, "jpeg");
    assert.equal(meta.density, 150);
    const a4 = { w: (595.28 / 72) * 150, h: (841.89 / 72) * 150 };
    // Rotating by 1.2° widens the canvas by about h·sin(1.2°) ≈ 26 px at 150 dpi.
    assert.ok(meta.width! > a4.w + 15 && meta.width! < a4.w + 40, `width ${meta.width}`);
    const stats = await sharp(jpeg).stats();
    assert.ok(stats.channels[0]!.max < 255 || stats.channels[0]!.stdev > 0, "not a clean white page");
    assert.deepEqual(await scanInvoice(pdf, options), jpeg);
    const imagePdf = await scanAsPdf(jpeg);
    const [page] = await extractTextLayer(imagePdf);
    assert.equal(page?.page.blocks.length, 0, "the scan PDF has no text layer");
  });
});
