import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PDFDocument } from "pdf-lib";
import sharp from "sharp";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import { DocketError } from "../../src/errors.js";
import { inspectDocument } from "../../src/pdf/inspect-document.js";
import { makeEncryptedPdf, makeTextPdf, pngHeaderOnly, tiffWithPages } from "./fixtures.js";

function isCode(code: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof DocketError, `not a DocketError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

test("a PDF: page count, sizes as displayed, /Rotate and the visible box", async () => {
  const pdf = await makeTextPdf([
    { size: [612, 792], runs: [{ text: "one", x: 72, y: 700 }] },
    { size: [612, 792], rotate: 90 },
    { size: [595, 842], rotate: -90, cropBox: [10, 20, 500, 800] },
  ]);
  const info = await inspectDocument(pdf, "application/pdf");
  assert.equal(info.kind, "pdf");
  assert.equal(info.numPages, 3);
  assert.equal(info.encrypted, false);
  assert.deepEqual(
    info.pages.map((p) => [p.width, p.height, p.unit, p.rotate]),
    [
      [612, 792, "pt", 0],
      [792, 612, "pt", 90],
      [800, 500, "pt", 270],
    ],
  );
  assert.deepEqual(info.pages[2]?.viewBox, [10, 20, 510, 820]);
});

test("the input may be a blob", async () => {
  const root = await mkdtemp(join(tmpdir(), "docket-inspect-"));
  try {
    const store = new LocalBlobStore(root, { fsync: false });
    await store.put("uploads/x", await makeTextPdf([{}, {}]));
    const info = await inspectDocument({ blobStore: store, key: "uploads/x" }, "application/pdf");
    assert.equal(info.numPages, 2);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("password-protected PDF → encrypted_pdf; owner-password-only PDF is accepted and flagged", async () => {
  await assert.rejects(
    inspectDocument(makeEncryptedPdf({ userPassword: true }), "application/pdf"),
    isCode("encrypted_pdf"),
  );
  const ownerOnly = await inspectDocument(makeEncryptedPdf({ userPassword: false }), "application/pdf");
  assert.equal(ownerOnly.encrypted, true);
  assert.equal(ownerOnly.numPages, 1);
});

test("truncated, garbage and zero-page PDFs → corrupt_file; zero bytes → empty_file", async () => {
  const pdf = await makeTextPdf([{ runs: [{ text: "x", x: 1, y: 1 }] }, {}]);
  for (const fraction of [0.9, 0.5, 0.2]) {
    await assert.rejects(
      inspectDocument(pdf.subarray(0, Math.floor(pdf.length * fraction)), "application/pdf"),
      isCode("corrupt_file"),
    );
  }
  await assert.rejects(
    inspectDocument(Buffer.from("%PDF-1.7\nnot really\n%%EOF"), "application/pdf"),
    isCode("corrupt_file"),
  );
  const empty = await (await PDFDocument.create()).save({ addDefaultPage: false });
  await assert.rejects(inspectDocument(empty, "application/pdf"), isCode("corrupt_file"));
  await assert.rejects(inspectDocument(new Uint8Array(0), "application/pdf"), isCode("empty_file"));
});

test("too_many_pages for a PDF over the limit", async () => {
  const pdf = await makeTextPdf(Array.from({ length: 6 }, () => ({})));
  await assert.rejects(inspectDocument(pdf, "application/pdf", { maxPages: 5 }), isCode("too_many_pages"));
  assert.equal((await inspectDocument(pdf, "application/pdf", { maxPages: 6 })).numPages, 6);
});

test("images: size and resolution from the header", async () => {
  const base = sharp({ create: { width: 40, height: 30, channels: 3, background: "#888" } });
  const png = await base.clone().png().withMetadata({ density: 300 }).toBuffer();
  const jpeg = await base.clone().jpeg().withMetadata({ density: 200 }).toBuffer();
  const tiff = await base
    .clone()
    .tiff({ xres: 600 / 25.4, yres: 600 / 25.4 })
    .toBuffer();
  const gif = await base.clone().gif().toBuffer();
  const webp = await base.clone().webp().toBuffer();
  const webpLossless = await base.clone().webp({ lossless: true }).toBuffer();
  const cases: Array<
    [Buffer, "image/png" | "image/jpeg" | "image/tiff" | "image/gif" | "image/webp", number | undefined]
  > = [
    [png, "image/png", 300],
    [jpeg, "image/jpeg", 200],
    [tiff, "image/tiff", 600],
    [gif, "image/gif", undefined],
    [webp, "image/webp", undefined],
    [webpLossless, "image/webp", undefined],
  ];
  for (const [bytes, mime, dpi] of cases) {
    const info = await inspectDocument(bytes, mime);
    assert.equal(info.kind, "image");
    assert.equal(info.numPages, 1);
    const page = info.pages[0];
    assert.deepEqual([page?.width, page?.height, page?.unit], [40, 30, "px"], mime);
    if (dpi !== undefined) assert.ok(Math.abs((page?.dpiX ?? 0) - dpi) < 1, `${mime} dpi ${page?.dpiX}`);
  }
});

test("a BMP header", async () => {
  const bmp = Buffer.alloc(54 + 4 * 3 * 4);
  bmp.write("BM", 0, "latin1");
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(4, 18);
  bmp.writeInt32LE(-3, 22); // top-down
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  bmp.writeInt32LE(11811, 38); // 300 dpi in pixels per metre
  bmp.writeInt32LE(11811, 42);
  const info = await inspectDocument(bmp, "image/bmp");
  assert.deepEqual([info.pages[0]?.width, info.pages[0]?.height, Math.round(info.pages[0]?.dpiX ?? 0)], [4, 3, 300]);
});

test("a PNG claiming 100,000 × 100,000 pixels is refused from its header, fast", async () => {
  const bomb = pngHeaderOnly(100_000, 100_000);
  const started = performance.now();
  const heapBefore = process.memoryUsage().rss;
  await assert.rejects(inspectDocument(bomb, "image/png"), isCode("image_too_large"));
  assert.ok(performance.now() - started < 100, "header check only");
  assert.ok(process.memoryUsage().rss - heapBefore < 50 * 1024 * 1024, "no decode");
  // The limit is configurable, and a header within it passes.
  await assert.rejects(
    inspectDocument(pngHeaderOnly(2000, 2000), "image/png", { maxImagePixels: 1_000_000 }),
    isCode("image_too_large"),
  );
  assert.equal((await inspectDocument(pngHeaderOnly(2000, 2000), "image/png")).pages[0]?.width, 2000);
});

test("TIFF pages are counted from the directory chain: 1,000 pages → too_many_pages, fast", async () => {
  const tiff = tiffWithPages(1000);
  assert.ok(tiff.length < 50_000);
  const started = performance.now();
  await assert.rejects(inspectDocument(tiff, "image/tiff"), isCode("too_many_pages"));
  assert.ok(performance.now() - started < 100);
  assert.equal((await inspectDocument(tiffWithPages(7), "image/tiff")).numPages, 7);
  assert.equal((await inspectDocument(tiff, "image/tiff", { maxPages: 1000 })).numPages, 1000);
  const multi = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
    .tiff()
    .toBuffer();
  assert.equal((await inspectDocument(multi, "image/tiff")).numPages, 1);
});

test("broken image headers → corrupt_file, never a crash", async () => {
  await assert.rejects(inspectDocument(tiffWithPages(3, { loop: true }), "image/tiff"), isCode("corrupt_file"));
  await assert.rejects(inspectDocument(tiffWithPages(3).subarray(0, 60), "image/tiff"), isCode("corrupt_file"));
  await assert.rejects(inspectDocument(pngHeaderOnly(0, 10), "image/png"), isCode("corrupt_file"));
  await assert.rejects(inspectDocument(pngHeaderOnly(10, 10).subarray(0, 20), "image/png"), isCode("corrupt_file"));
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
    .jpeg()
    .toBuffer();
  await assert.rejects(inspectDocument(jpeg.subarray(0, 30), "image/jpeg"), isCode("corrupt_file"));
  await assert.rejects(inspectDocument(Buffer.from("RIFF\0\0\0\0WEBPXXXX"), "image/webp"), isCode("corrupt_file"));
});
