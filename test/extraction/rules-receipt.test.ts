import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extractWithRules } from "../../src/extraction/rules/index.js";
import { modelOf, type TextLine } from "./support/model-builder.js";

/** A till receipt: narrow, centred header, items, total, cash and change (both larger than the total). */
function receipt(
  body: string[],
  header: string[] = [
    "KEDAI RUNCIT MAJU SDN BHD",
    "(123456-X)",
    "NO. 12, JALAN BESAR,",
    "TAMAN MAJU,",
    "43000 KAJANG, SELANGOR.",
    "TEL: 03-8734 1234",
    "GST ID: 000123456789",
  ],
): TextLine[] {
  const lines: TextLine[] = header.map((text, i) => ({
    x: 20 + Math.max(0, (36 - text.length) * 2.5),
    y: 20 + i * 14,
    text,
    size: 9,
    confidence: 92,
  }));
  body.forEach((text, i) => lines.push({ x: 10, y: 140 + i * 14, text, size: 9, confidence: 90 }));
  return lines;
}

const extract = (lines: TextLine[]) =>
  extractWithRules(modelOf({ lines, width: 240, height: 600, source: "ocr" }), "receipt").fields;

describe("receipt rules", () => {
  it("takes the amount after the TOTAL label, not the cash tendered or the change", () => {
    const fields = extract(
      receipt([
        "DATE: 25/12/2018 8:13 PM",
        "MILO 1KG          2 x 15.90   31.80",
        "BREAD                          4.20",
        "TOTAL QTY: 3",
        "SUBTOTAL                      36.00",
        "TOTAL (INCL GST)    RM  36.00",
        "CASH                RM 100.00",
        "CHANGE              RM  64.00",
      ]),
    );
    assert.equal(fields.total_gross?.value, "36.00");
    assert.equal(fields.issue_date?.value, "2018-12-25");
    assert.equal(fields.currency?.value, "MYR");
    assert.equal(fields.payment_method?.value, "cash");
  });

  it("prefers the rounded total to the total before rounding", () => {
    const fields = extract(
      receipt([
        "14/03/2018",
        "ITEM A        22.91",
        "TOTAL SALES (INCLUSIVE GST)   22.91",
        "ROUNDING ADJUSTMENT   -0.01",
        "ROUNDED TOTAL   22.90",
        "CASH   50.00",
        "CHANGE   27.10",
      ]),
    );
    assert.equal(fields.total_gross?.value, "22.90");
  });

  it("reads the total on the line under its label", () => {
    const fields = extract(receipt(["12/03/18", "GRAND TOTAL", "77.20", "CASH", "100.00"]));
    assert.equal(fields.total_gross?.value, "77.20");
  });

  it("reads the company from the top and the address under it until the phone line", () => {
    const fields = extract(receipt(["DATE 01/02/2019", "TOTAL 5.00"]));
    assert.equal(fields.seller_name?.value, "KEDAI RUNCIT MAJU SDN BHD");
    assert.equal(fields.seller_address?.value, "NO. 12, JALAN BESAR, TAMAN MAJU, 43000 KAJANG, SELANGOR.");
    assert.equal(fields.issue_date?.value, "2019-02-01");
  });

  it("joins a company name broken over two lines and drops its registration number", () => {
    const fields = extract(
      receipt(
        ["TOTAL 5.00"],
        [
          "HOME MASTER HARDWARE &",
          "ELECTRICAL (587969-U)",
          "NO.113G, JALAN SETIA,",
          "40170 SETIA ALAM.",
          "TEL 03-1234 5678",
        ],
      ),
    );
    assert.equal(fields.seller_name?.value, "HOME MASTER HARDWARE & ELECTRICAL");
    assert.equal(fields.seller_address?.value, "NO.113G, JALAN SETIA, 40170 SETIA ALAM.");
  });

  it("reads a Polish receipt", () => {
    const fields = extract(
      receipt(
        [
          "2024-03-05 12:31",
          "PARAGON FISKALNY",
          "Chleb 1 x 4,50 4,50 A",
          "Mleko 2 x 3,20 6,40 B",
          "SUMA PLN 10,90",
          "Gotówka 20,00",
          "Reszta 9,10",
        ],
        ["Sklep Spożywczy Jan Kowalski", "ul. Polna 3", "00-001 Warszawa", "NIP 774-00-01-454"],
      ),
    );
    assert.equal(fields.total_gross?.value, "10.90");
    assert.equal(fields.issue_date?.value, "2024-03-05");
    assert.equal(fields.currency?.value, "PLN");
    assert.equal(fields.seller_name?.value, "Sklep Spożywczy Jan Kowalski");
    assert.equal(fields.seller_address?.value, "ul. Polna 3 00-001 Warszawa");
    assert.equal(fields.seller_tax_id?.value, "7740001454");
  });
});
