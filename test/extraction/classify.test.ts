import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyDocument } from "../../src/extraction/classify.js";
import { modelOf, stack } from "./support/model-builder.js";

describe("classifyDocument", () => {
  it("recognises an invoice by its title, parties and tax ids", () => {
    const model = modelOf({
      lines: [
        { x: 200, y: 60, text: "Faktura VAT nr 12/2024", size: 14 },
        { x: 40, y: 100, text: "Sprzedawca:" },
        { x: 310, y: 100, text: "Nabywca:" },
        ...stack(40, 114, ["ACME Sp. z o.o.", "NIP: 774-00-01-454"]),
        ...stack(310, 114, ["Beta S.A.", "NIP: 526-025-02-74"]),
        ...stack(40, 300, ["Termin płatności: 19.03.2024", "Do zapłaty: 1 338,00 zł"]),
      ],
    });
    const got = classifyDocument(model);
    assert.equal(got.type, "invoice");
    assert.ok(got.confidence >= 0.8, String(got.confidence));
  });

  it("recognises a till receipt by its shape, cash and change, even one titled TAX INVOICE", () => {
    const model = modelOf({
      width: 240,
      height: 700,
      source: "ocr",
      lines: stack(
        10,
        20,
        [
          "KEDAI MAJU SDN BHD",
          "TAX INVOICE",
          "CASHIER: ALI",
          "ITEM 1   5.00",
          "TOTAL   5.00",
          "CASH   10.00",
          "CHANGE   5.00",
          "THANK YOU",
        ],
        14,
        9,
      ),
    });
    const got = classifyDocument(model);
    assert.equal(got.type, "receipt");
    assert.ok(got.confidence >= 0.7, String(got.confidence));
  });

  it("calls a letter other, and an empty page other", () => {
    const letter = modelOf({
      lines: stack(60, 80, [
        "Dear Mr Smith,",
        "thank you for your letter of last week.",
        "We will reply in due course.",
        "Kind regards",
      ]),
    });
    assert.equal(classifyDocument(letter).type, "other");
    assert.equal(classifyDocument(modelOf({ lines: [] })).type, "other");
  });

  it("is less sure when the evidence is thin", () => {
    const thin = modelOf({
      lines: [
        { x: 40, y: 40, text: "Invoice" },
        { x: 40, y: 60, text: "Total 10.00" },
      ],
    });
    const rich = modelOf({
      lines: [
        { x: 40, y: 40, text: "Invoice" },
        { x: 40, y: 60, text: "Invoice date: 2024-01-02" },
        { x: 40, y: 80, text: "Bill to:" },
        { x: 40, y: 100, text: "IBAN DE89 3704 0044 0532 0130 00" },
        { x: 40, y: 120, text: "Total 10.00" },
      ],
    });
    const a = classifyDocument(thin);
    const b = classifyDocument(rich);
    assert.equal(b.type, "invoice");
    assert.ok(a.type !== "invoice" || a.confidence < b.confidence, `${a.type} ${a.confidence} vs ${b.confidence}`);
  });
});
