import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { degrees, PDFDocument } from "pdf-lib";
import sharp from "sharp";
import type { DocumentModel, Page, Word } from "../../src/domain/document-model.js";
import { DocketError } from "../../src/errors.js";
import { buildSearchablePdf } from "../../src/exports/searchable-pdf.js";
import { displayedBoxToUpright, type Rotation } from "../../src/pdf/page-geometry.js";
import { extractTextLayer } from "../../src/pdf/text-layer.js";
import { makeEncryptedPdf, makeTextPdf, model, modelBlock, modelLine, modelPage } from "../pdf/fixtures.js";

function words(page: Page | undefined): Word[] {
  return page ? page.blocks.flatMap((b) => b.lines.flatMap((l) => l.words)) : [];
}

/**
 * Every word of `expected` is found again, by text, near its box: within `tolerance` pixels
 * on every edge, or with "centre" each box's centre inside the other. (pdf.js reports runs of
 * text, not glyphs; when our words' widths are not a real font's proportions, the re-extracted
 * word boxes are estimates, so only the centres can be held to account.)
 */
function assertWordsNear(actual: Page | undefined, expected: Page | undefined, tolerance: number | "centre"): void {
  const found = words(actual);
  const centreIn = (a: Word["bbox"], b: Word["bbox"]): boolean => {
    const cx = (a.x0 + a.x1) / 2;
    const cy = (a.y0 + a.y1) / 2;
    return cx >= b.x0 && cx <= b.x1 && cy >= b.y0 && cy <= b.y1;
  };
  for (const word of words(expected)) {
    const match = found.find((w) => w.text === word.text);
    assert.ok(match, `"${word.text}" not found in [${found.map((w) => w.text).join(", ")}]`);
    if (tolerance === "centre") {
      assert.ok(
        centreIn(match.bbox, word.bbox) && centreIn(word.bbox, match.bbox),
        `"${word.text}": ${JSON.stringify(match.bbox)} vs ${JSON.stringify(word.bbox)}`,
      );
      continue;
    }
    for (const k of ["x0", "y0", "x1", "y1"] as const) {
      assert.ok(
        Math.abs(match.bbox[k] - word.bbox[k]) <= tolerance,
        `"${word.text}" ${k}: ${match.bbox[k]} vs ${word.bbox[k]}`,
      );
    }
  }
}

async function blankPdfLike(
  pages: Array<{ rotate?: number; cropBox?: [number, number, number, number] }>,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (const spec of pages) {
    const page = doc.addPage([612, 792]);
    if (spec.rotate) page.setRotation(degrees(spec.rotate));
    if (spec.cropBox) page.setCropBox(...spec.cropBox);
  }
  return doc.save();
}

test("PDF input: invisible words land on their boxes for every /Rotate and a CropBox", async () => {
  const specs = [
    { rotate: 0 },
    { rotate: 90 },
    { rotate: 180, cropBox: [50, 60, 450, 640] as [number, number, number, number] },
    { rotate: 270, cropBox: [20, 30, 580, 750] as [number, number, number, number] },
  ];
  // The "OCR result" is the text layer of a PDF drawn with the same geometry; the overlay goes
  // onto blank pages, so whatever text the output has is ours.
  const source = await makeTextPdf(
    specs.map((s) => ({
      ...s,
      runs: [
        { text: "Invoice number 12345", x: 72, y: 600, size: 20 },
        { text: "Total due: 99.50 EUR", x: 200, y: 400, size: 12 },
      ],
    })),
  );
  const displayed = (await extractTextLayer(source, { dpi: 150 })).map((p) => p.page);
  // What OCR would report: text on a page displayed with /Rotate R runs at R°, so OCR turns
  // the page 360 − R degrees to read it and gives boxes in that upright frame.
  const ocrModel: DocumentModel = model(
    displayed.map((page, i) => toUpright(page, ((360 - (specs[i]?.rotate ?? 0)) % 360) as Rotation)),
  );
  assert.deepEqual([ocrModel.pages[1]?.width, ocrModel.pages[1]?.height], [1275, 1650], "upright size");
  const progress: number[] = [];
  const out = await buildSearchablePdf(
    ocrModel,
    { kind: "pdf", bytes: await blankPdfLike(specs) },
    { onProgress: (d) => progress.push(d) },
  );
  assert.deepEqual(progress, [1, 2, 3, 4]);
  const again = await extractTextLayer(out, { dpi: 150 });
  for (const [i, page] of again.entries()) {
    assert.equal(page.content?.visibleTextBytes, 0, "the added text is invisible");
    assert.ok((page.content?.invisibleTextBytes ?? 0) > 0);
    assertWordsNear(page.page, displayed[i], 1.5);
  }
});

/** A displayed-frame page as OCR would model it after turning it `rotation` degrees clockwise. */
function toUpright(page: Page, rotation: Rotation): Page {
  const size = { width: page.width, height: page.height };
  const box = (b: Word["bbox"]) => displayedBoxToUpright(b, rotation, size);
  const quarter = rotation === 90 || rotation === 270;
  return {
    ...page,
    source: "ocr",
    rotation,
    width: quarter ? page.height : page.width,
    height: quarter ? page.width : page.height,
    blocks: page.blocks.map((b) => ({
      ...b,
      bbox: box(b.bbox),
      lines: b.lines.map((l) => ({
        ...l,
        bbox: box(l.bbox),
        words: l.words.map((w) => ({ ...w, bbox: box(w.bbox) })),
      })),
    })),
  };
}

test("original pages are kept, text-layer pages get no added text", async () => {
  const original = await makeTextPdf([
    { runs: [{ text: "Digital page text", x: 72, y: 700 }] },
    { runs: [{ text: "Visible heading", x: 72, y: 700, size: 18 }] },
  ]);
  const pages = (await extractTextLayer(original)).map((p) => p.page);
  const mixed = model([
    pages[0]!,
    // Page 2 pretends OCR found more words on it (e.g. in a picture).
    {
      ...pages[1]!,
      source: "ocr",
      blocks: [modelBlock("paragraph", [modelLine("Caption under photo", 72, 300, 14, 7)])],
    },
  ]);
  const out = await buildSearchablePdf(mixed, { kind: "pdf", bytes: original });
  const again = await extractTextLayer(out);
  assert.equal(again.length, 2);
  assert.deepEqual(again[0]?.content && [again[0].content.invisibleTextBytes, again[0].content.visibleTextBytes > 0], [
    0,
    true,
  ]);
  assert.ok((again[1]?.content?.visibleTextBytes ?? 0) > 0, "the original vector text is still there");
  assert.ok((again[1]?.content?.invisibleTextBytes ?? 0) > 0);
  const texts = words(again[1]?.page).map((w) => w.text);
  for (const t of ["Visible", "heading", "Caption", "under", "photo"]) assert.ok(texts.includes(t), t);
  assert.deepEqual(
    words(again[0]?.page).map((w) => w.text),
    ["Digital", "page", "text"],
  );
});

test("a text-layer page gets invisible text for the blocks read from its images, and only those", async () => {
  const original = await makeTextPdf([{ runs: [{ text: "Digital page text", x: 72, y: 700 }] }]);
  const page = (await extractTextLayer(original))[0]!.page;
  const pictureBlock = {
    ...modelBlock("paragraph", [modelLine("Words inside picture", 72, 300, 14, 7)]),
    source: "ocr" as const,
  };
  const out = await buildSearchablePdf(model([{ ...page, blocks: [...page.blocks, pictureBlock] }]), {
    kind: "pdf",
    bytes: original,
  });
  assert.notDeepEqual(Buffer.from(out), Buffer.from(original), "rewritten: there is text to add");
  const again = (await extractTextLayer(out))[0]!;
  assert.ok((again.content?.invisibleTextBytes ?? 0) > 0);
  assert.deepEqual(
    words(again.page)
      .map((w) => w.text)
      .sort(),
    ["Digital", "Words", "inside", "page", "picture", "text"],
  );
});

test("nothing to add (every page has its own text layer): the original file, byte for byte, even when encrypted", async () => {
  const original = await makeTextPdf([
    { runs: [{ text: "Digital page text", x: 72, y: 700 }] },
    { runs: [{ text: "Second digital page", x: 72, y: 700 }] },
  ]);
  const layered = model((await extractTextLayer(original)).map((p) => p.page));
  const out = await buildSearchablePdf(layered, { kind: "pdf", bytes: original });
  assert.deepEqual(Buffer.from(out), Buffer.from(original));
  assert.notEqual(out.buffer, original.buffer, "a copy: the caller's buffer is not handed out");
  // An owner-password file whose text layer was read is already searchable as it is.
  const encrypted = makeEncryptedPdf({ userPassword: false });
  const encryptedModel = model([
    { ...modelPage(1, [modelBlock("paragraph", [modelLine("Restricted copy", 100, 100, 40)])]), source: "text-layer" },
  ]);
  assert.deepEqual(
    Buffer.from(await buildSearchablePdf(encryptedModel, { kind: "pdf", bytes: encrypted })),
    Buffer.from(encrypted),
  );
});

test("image input: a page sized to the image at its dpi, the image drawn, text on top", async () => {
  const png = await sharp({ create: { width: 1275, height: 1650, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
  const jpeg = await sharp({ create: { width: 600, height: 300, channels: 3, background: "#eee" } })
    .jpeg()
    .toBuffer();
  const doc = model([
    modelPage(1, [modelBlock("paragraph", [modelLine("Scanned receipt total 12.99", 150, 200, 40, 20)])], {
      width: 1275,
      height: 1650,
      dpi: 150,
    }),
    // Model made at 300 dpi for a 200 dpi image: coordinates scale with the page.
    modelPage(2, [modelBlock("paragraph", [modelLine("Second scan", 90, 90, 60, 30)])], {
      width: 900,
      height: 450,
      dpi: 300,
    }),
  ]);
  const images = new Map([
    [1, { bytes: png, format: "png" as const }],
    [2, { bytes: jpeg, format: "jpeg" as const, dpi: 200 }],
  ]);
  const out = await buildSearchablePdf(
    doc,
    { kind: "images", images: async (n) => images.get(n)! },
    { title: "Receipt" },
  );
  const pdf = await PDFDocument.load(out);
  assert.equal(pdf.getTitle(), "Receipt");
  assert.deepEqual(
    pdf.getPages().map((p) => [p.getWidth(), p.getHeight()]),
    [
      [612, 792],
      [216, 108],
    ],
  );
  const again = await extractTextLayer(out, { dpi: 150 });
  assert.equal(again[0]?.content?.imageCount, 1);
  assert.ok((again[0]?.content?.largestImageCoverage ?? 0) > 0.99);
  assertWordsNear(again[0]?.page, doc.pages[0], "centre");
  const second = await extractTextLayer(out, { dpi: 300, pages: [2] });
  // 600 px at 200 dpi = 3 in = 900 px at 300 dpi: the model's own space.
  assertWordsNear(second[0]?.page, { ...doc.pages[1]!, width: 900, height: 450 }, "centre");
});

test("Polish text stays searchable with the embedded Unicode font; Helvetica degrades gracefully", async () => {
  const doc = model(
    [modelPage(1, [modelBlock("paragraph", [modelLine("Zażółć gęślą jaźń Łódź", 300, 300, 60, 30)])])],
    ["pol"],
  );
  const blank = await blankPdfLike([{}]);
  const unicode = await extractTextLayer(await buildSearchablePdf(doc, { kind: "pdf", bytes: blank }), { dpi: 300 });
  assert.deepEqual(
    words(unicode[0]?.page).map((w) => w.text),
    ["Zażółć", "gęślą", "jaźń", "Łódź"],
  );
  assertWordsNear(unicode[0]?.page, doc.pages[0], "centre");

  const latin = await extractTextLayer(
    await buildSearchablePdf(doc, { kind: "pdf", bytes: blank }, { font: "helvetica" }),
    { dpi: 300 },
  );
  assert.deepEqual(
    words(latin[0]?.page).map((w) => w.text),
    ["Zazó?c", "gesla", "jazn", "?ódz"],
  );
});

test("encrypted input: refused without page images, rebuilt from them when given", async () => {
  const encrypted = makeEncryptedPdf({ userPassword: false });
  const doc = model([
    modelPage(1, [modelBlock("paragraph", [modelLine("Restricted copy", 100, 100, 40)])], {
      width: 1275,
      height: 1650,
      dpi: 150,
    }),
  ]);
  await assert.rejects(
    buildSearchablePdf(doc, { kind: "pdf", bytes: encrypted }),
    (e: unknown) => e instanceof DocketError && e.code === "encrypted_pdf",
  );
  const png = await sharp({ create: { width: 1275, height: 1650, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
  const out = await buildSearchablePdf(doc, {
    kind: "pdf",
    bytes: encrypted,
    fallbackImages: async () => ({ bytes: png, format: "png" }),
  });
  const again = await extractTextLayer(out, { dpi: 150 });
  assertWordsNear(again[0]?.page, doc.pages[0], "centre");
});

test("model pages beyond the PDF and aborts are errors", async () => {
  const doc = model([modelPage(2, [modelBlock("paragraph", [modelLine("x", 1, 1, 10)])])]);
  await assert.rejects(buildSearchablePdf(doc, { kind: "pdf", bytes: await blankPdfLike([{}]) }), /not in the PDF/);
  const controller = new AbortController();
  controller.abort(new DocketError("cancelled", "stop"));
  await assert.rejects(
    buildSearchablePdf(
      model([modelPage(1, [modelBlock("paragraph", [modelLine("x", 1, 1, 10)])])]),
      { kind: "pdf", bytes: await blankPdfLike([{}]) },
      { signal: controller.signal },
    ),
    (e: unknown) => e instanceof DocketError && e.code === "cancelled",
  );
});

test("cross-check with poppler's pdftotext when installed", async (t) => {
  if (spawnSync("pdftotext", ["-v"]).error) {
    t.skip("pdftotext not installed (optional cross-check)");
    return;
  }
  const doc = model([
    modelPage(1, [modelBlock("paragraph", [modelLine("Searchable with poppler too: żółw", 300, 300, 50, 25)])]),
  ]);
  const out = await buildSearchablePdf(doc, { kind: "pdf", bytes: await blankPdfLike([{}]) });
  const dir = await mkdtemp(join(tmpdir(), "docket-pdftotext-"));
  try {
    await writeFile(join(dir, "out.pdf"), out);
    const result = spawnSync("pdftotext", [join(dir, "out.pdf"), "-"], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Searchable with poppler too: żółw/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
