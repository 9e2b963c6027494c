import assert from "node:assert/strict";
import { test } from "node:test";
import sharp from "sharp";
import type { Page, Word } from "../../src/domain/document-model.js";
import { DocketError } from "../../src/errors.js";
import { assessTextLayer } from "../../src/pdf/assess-text-layer.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { makeTextPdf, paragraph } from "./fixtures.js";

function words(page: Page): Word[] {
  return page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
}

function blockTexts(page: Page): string[] {
  return page.blocks.map((b) => b.lines.map((l) => l.words.map((w) => w.text).join(" ")).join(" / "));
}

test("words get boxes where they were drawn, in top-left pixel space at the requested dpi", async () => {
  const pdf = await makeTextPdf([{ runs: [{ text: "Hello brave world", x: 72, y: 700, size: 20 }] }]);
  const [result] = await extractTextLayer(pdf, { dpi: 300 });
  assert.ok(result);
  const { page } = result;
  assert.deepEqual(
    [page.width, page.height, page.dpi, page.source, page.confidence],
    [2550, 3300, 300, "text-layer", 100],
  );
  const [hello, brave, world] = words(page);
  assert.deepEqual([hello?.text, brave?.text, world?.text], ["Hello", "brave", "world"]);
  const s = 300 / 72;
  // Helvetica: "Hello" is 2.278 em wide → 45.56 pt at 20 pt; baseline at y = 792 - 700 = 92 pt.
  assert.ok(Math.abs((hello?.bbox.x0 ?? 0) - 72 * s) < 1);
  assert.ok(Math.abs((hello?.bbox.x1 ?? 0) - (72 + 45.56) * s) < 1);
  assert.ok((hello?.bbox.y0 ?? 0) < 92 * s - 12 * s && (hello?.bbox.y1 ?? 0) > 92 * s, "box spans the baseline");
  assert.ok((brave?.bbox.x0 ?? 0) > (hello?.bbox.x1 ?? 0) && (world?.bbox.x0 ?? 0) > (brave?.bbox.x1 ?? 0));
  assert.equal(hello?.confidence, 100);
});

test("reading order: title, then the left column top to bottom, then the right column", async () => {
  const left = ["Left column line one", "left column line two", "left column line three"];
  const right = ["Right column line one", "right column line two", "right column line three"];
  const pdf = await makeTextPdf([
    {
      runs: [
        { text: "A Title Across The Page", x: 150, y: 740, size: 22 },
        ...paragraph(left, 72, 690),
        ...paragraph(right, 330, 690),
      ],
    },
  ]);
  const [result] = await extractTextLayer(pdf);
  assert.ok(result);
  assert.deepEqual(blockTexts(result.page), [
    "A Title Across The Page",
    "Left column line one / left column line two / left column line three",
    "Right column line one / right column line two / right column line three",
  ]);
  assert.deepEqual(
    result.page.blocks.map((b) => b.kind),
    ["heading", "paragraph", "paragraph"],
  );
});

test("list items and a simple table are recognised", async () => {
  const pdf = await makeTextPdf([
    {
      runs: [
        ...paragraph(["Shopping notes for the week ahead of us all."], 72, 740),
        { text: "•", x: 72, y: 700, size: 11 },
        { text: "Apples from the market", x: 86, y: 700, size: 11 },
        { text: "•", x: 72, y: 685, size: 11 },
        { text: "Bread", x: 86, y: 685, size: 11 },
        // A 3 × 3 table with wide gaps.
        { text: "Item", x: 72, y: 600, size: 11 },
        { text: "Qty", x: 250, y: 600, size: 11 },
        { text: "Price", x: 400, y: 600, size: 11 },
        { text: "Apples", x: 72, y: 585, size: 11 },
        { text: "3", x: 250, y: 585, size: 11 },
        { text: "1.20", x: 400, y: 585, size: 11 },
        { text: "Bread", x: 72, y: 570, size: 11 },
        { text: "1", x: 250, y: 570, size: 11 },
        { text: "2.50", x: 400, y: 570, size: 11 },
      ],
    },
  ]);
  const [result] = await extractTextLayer(pdf);
  assert.ok(result);
  const kinds = result.page.blocks.map((b) => b.kind);
  assert.deepEqual(kinds, ["paragraph", "list_item", "list_item", "table"]);
  assert.deepEqual(result.page.blocks[3]?.table?.rows, [
    ["Item", "Qty", "Price"],
    ["Apples", "3", "1.20"],
    ["Bread", "1", "2.50"],
  ]);
});

test("/Rotate 90: the page is reported as displayed and text runs down the page", async () => {
  const pdf = await makeTextPdf([{ rotate: 90, runs: [{ text: "Sideways text", x: 72, y: 700, size: 12 }] }]);
  const [result] = await extractTextLayer(pdf);
  assert.ok(result);
  assert.deepEqual([result.page.width, result.page.height], [792, 612]);
  const [first, second] = words(result.page);
  assert.equal(first?.text, "Sideways");
  // Rotated 90° clockwise, the baseline y = 700 becomes displayed x = 700, the glyphs
  // rise towards larger x, and the text advances down the page from y = 72.
  assert.ok(first && first.bbox.x0 < 700 && first.bbox.x0 > 695 && first.bbox.x1 > 708, JSON.stringify(first?.bbox));
  assert.ok(first && Math.abs(first.bbox.y0 - 72) < 1);
  assert.ok(first && second && second.bbox.y0 > first.bbox.y1, "the second word is below the first");
});

test("Unicode text (Polish) comes out intact; fragments of one word are joined", async () => {
  const pdf = await makeTextPdf(
    [
      {
        runs: [
          { text: "Zażółć gęślą jaźń", x: 72, y: 700, size: 14 },
          // "Faktura" drawn in two pieces with no gap, as a font change would produce.
          { text: "Fak", x: 72, y: 650, size: 14 },
          { text: "tura", x: 72 + 24.906, y: 650, size: 14 },
        ],
      },
    ],
    { unicode: true },
  );
  const [result] = await extractTextLayer(pdf);
  assert.ok(result);
  const texts = words(result.page).map((w) => w.text);
  assert.deepEqual(texts, ["Zażółć", "gęślą", "jaźń", "Faktura"]);
});

test("an invisible text layer is read, and flagged as an existing OCR layer", async () => {
  const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
  const pdf = await makeTextPdf([
    {
      invisible: true,
      image: { png, x: 0, y: 0, width: 612, height: 792 },
      runs: paragraph(
        Array.from({ length: 8 }, (_, i) => `This scanned page line ${i + 1} has recognised words on it`),
      ),
    },
  ]);
  const [result] = await extractTextLayer(pdf);
  assert.ok(result?.content);
  assert.equal(result.content.visibleTextBytes, 0);
  assert.ok(result.content.invisibleTextBytes > 100);
  assert.equal(result.content.imageCount, 1);
  assert.ok(result.content.largestImageCoverage > 0.99);
  const verdict = assessTextLayer(result.page, result.content);
  assert.equal(verdict.usable, true);
  assert.equal(verdict.reason, "invisible_ocr_layer");
  assert.equal(verdict.invisibleOnly, true);
});

test("a scan with only a stamped page number is too sparse; an image-only page is empty", async () => {
  const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
  const pdf = await makeTextPdf([
    { image: { png, x: 0, y: 0, width: 612, height: 792 }, runs: [{ text: "Page 17 of 20", x: 500, y: 30, size: 9 }] },
    { image: { png, x: 0, y: 0, width: 612, height: 792 } },
  ]);
  const [stamped, bare] = await extractTextLayer(pdf);
  assert.ok(stamped && bare);
  assert.equal(assessTextLayer(stamped.page, stamped.content).reason, "too_sparse");
  assert.equal(assessTextLayer(bare.page, bare.content).reason, "empty");
});

test("page selection, progress, abort, and corrupt input", async () => {
  const pdf = await makeTextPdf([1, 2, 3].map((n) => ({ runs: [{ text: `Page ${n}`, x: 72, y: 700 }] })));
  const progress: string[] = [];
  const pages = await extractTextLayer(pdf, { pages: [3, 1], onProgress: (d, t) => progress.push(`${d}/${t}`) });
  assert.deepEqual(
    pages.map((p) => [
      p.page.number,
      words(p.page)
        .map((w) => w.text)
        .join(" "),
    ]),
    [
      [3, "Page 3"],
      [1, "Page 1"],
    ],
  );
  assert.deepEqual(progress, ["1/2", "2/2"]);
  assert.equal(pdf[0], 0x25, "the caller's bytes are not detached by pdf.js");

  const controller = new AbortController();
  controller.abort(new DocketError("cancelled", "stop"));
  await assert.rejects(
    extractTextLayer(pdf, { signal: controller.signal }),
    (e: unknown) => e instanceof DocketError && e.code === "cancelled",
  );
  await assert.rejects(
    extractTextLayer(Buffer.from("%PDF-1.4 nope")),
    (e: unknown) => e instanceof DocketError && e.code === "corrupt_file",
  );
});
