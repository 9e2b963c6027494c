import assert from "node:assert/strict";
import { test } from "node:test";
import { toMarkdown } from "../../src/exports/to-markdown.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { makeTextPdf, model, modelBlock, modelLine, modelPage, paragraph } from "../pdf/fixtures.js";

test("an OCR-like model (no block kinds): heading by size, list, aligned table, paragraph", () => {
  const doc = model([
    modelPage(1, [
      modelBlock("paragraph", [modelLine("Monthly Statement", 100, 100, 90)]),
      modelBlock("paragraph", [
        modelLine("This statement lists every payment received in March and the", 100, 250, 40),
        modelLine("balance carried forward to April.", 100, 300, 40),
      ]),
      modelBlock("paragraph", [modelLine("• Rent paid on time", 100, 400, 40)]),
      modelBlock("paragraph", [modelLine("• Utilities settled", 100, 450, 40)]),
      modelBlock("paragraph", [modelLine("1. Keep receipts", 100, 520, 40)]),
      modelBlock("paragraph", [
        {
          ...modelLine("Item", 100, 600, 40),
          words: [
            ...modelLine("Item", 100, 600, 40).words,
            ...modelLine("Qty", 700, 600, 40).words,
            ...modelLine("Price", 1200, 600, 40).words,
          ],
        },
        {
          ...modelLine("Rent", 100, 650, 40),
          words: [
            ...modelLine("Rent", 100, 650, 40).words,
            ...modelLine("1", 700, 650, 40).words,
            ...modelLine("800.00", 1200, 650, 40).words,
          ],
        },
        {
          ...modelLine("Water", 100, 700, 40),
          words: [
            ...modelLine("Water", 100, 700, 40).words,
            ...modelLine("2", 700, 700, 40).words,
            ...modelLine("35.10", 1200, 700, 40).words,
          ],
        },
      ]),
    ]),
  ]);
  assert.equal(
    toMarkdown(doc),
    [
      "# Monthly Statement",
      "",
      "This statement lists every payment received in March and the balance carried forward to April.",
      "",
      "- Rent paid on time",
      "- Utilities settled",
      "1. Keep receipts",
      "",
      "| Item | Qty | Price |",
      "| --- | --- | --- |",
      "| Rent | 1 | 800.00 |",
      "| Water | 2 | 35.10 |",
      "",
    ].join("\n"),
  );
});

test("explicit kinds are honoured; markdown syntax in text is escaped; pages are marked", () => {
  const doc = model([
    modelPage(1, [
      modelBlock("heading", [modelLine("Terms", 100, 100, 50)]),
      modelBlock("paragraph", [modelLine("# not a heading *nor* _emphasis_ [link](x) <b>", 100, 200, 40)]),
      modelBlock("paragraph", [modelLine("+ 5 degrees is not a list", 100, 300, 40)]),
      modelBlock("table", [modelLine("a|b c", 100, 400, 40)], {
        rows: [
          ["a|b", "c"],
          ["1", "2"],
        ],
      }),
    ]),
    modelPage(2, [modelBlock("paragraph", [modelLine("well-", 100, 100, 40), modelLine("known fact", 100, 150, 40)])]),
  ]);
  const md = toMarkdown(doc);
  assert.equal(
    md,
    [
      "### Terms",
      "",
      "\\# not a heading \\*nor\\* \\_emphasis\\_ \\[link\\](x) \\<b\\>",
      "",
      "\\+ 5 degrees is not a list",
      "",
      "| a\\|b | c |",
      "| --- | --- |",
      "| 1 | 2 |",
      "",
      "<!-- page 2 -->",
      "",
      "well-known fact",
      "",
    ].join("\n"),
  );
  assert.ok(!toMarkdown(doc, { pageMarkers: false }).includes("<!--"));
  assert.equal(toMarkdown(model([])), "");
});

test("two columns of prose are never mistaken for a table", () => {
  const left = (y: number) => modelLine("the quick brown fox jumps", 100, y, 40);
  const line = (y: number) => {
    const l = left(y);
    const r = modelLine("over the lazy dog again", 1400, y, 40);
    return { ...l, bbox: { ...l.bbox, x1: r.bbox.x1 }, words: [...l.words, ...r.words] };
  };
  const doc = model([modelPage(1, [modelBlock("paragraph", [line(100), line(150), line(200)])])]);
  assert.ok(!toMarkdown(doc).includes("|"));
});

test("end to end from a text PDF: heading, list and table survive extraction", async () => {
  const pdf = await makeTextPdf([
    {
      runs: [
        { text: "Delivery Note", x: 72, y: 740, size: 24 },
        ...paragraph(["Goods were delivered to the warehouse on Monday morning."], 72, 700),
        { text: "•", x: 72, y: 670, size: 11 },
        { text: "Pallets checked", x: 86, y: 670, size: 11 },
        { text: "•", x: 72, y: 655, size: 11 },
        { text: "Seals intact", x: 86, y: 655, size: 11 },
        { text: "Code", x: 72, y: 600, size: 11 },
        { text: "Units", x: 250, y: 600, size: 11 },
        { text: "Weight", x: 400, y: 600, size: 11 },
        { text: "A-17", x: 72, y: 585, size: 11 },
        { text: "12", x: 250, y: 585, size: 11 },
        { text: "340 kg", x: 400, y: 585, size: 11 },
      ],
    },
  ]);
  const pages = await extractTextLayer(pdf, { dpi: 150 });
  const md = toMarkdown(model(pages.map((p) => p.page)));
  assert.equal(
    md,
    [
      "# Delivery Note",
      "",
      "Goods were delivered to the warehouse on Monday morning.",
      "",
      "- Pallets checked",
      "- Seals intact",
      "",
      "| Code | Units | Weight |",
      "| --- | --- | --- |",
      "| A-17 | 12 | 340 kg |",
      "",
    ].join("\n"),
  );
});
