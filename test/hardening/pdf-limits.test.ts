import assert from "node:assert/strict";
import { test } from "node:test";
import { inflateSync } from "node:zlib";
import { DocketError } from "../../src/errors.js";
import { inspectDocument } from "../../src/pdf/inspect-document.js";
import { pdfWithContentBomb, pdfWithHugeImage, pdfWithPageSize, zerosFlate } from "./pdf-bombs.js";

function isCode(code: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof DocketError, `not a DocketError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.permanent, true);
    return true;
  };
}

test("the bomb builder makes real zlib streams of the stated size", () => {
  assert.equal(inflateSync(zerosFlate(32 * 1024 * 1024)).length, 32 * 1024 * 1024);
});

test("a 50000 × 50000 image inside a small PDF is refused at inspection as image_too_large", async () => {
  const pdf = await pdfWithHugeImage(50_000, 50_000);
  assert.ok(pdf.length < 4 * 1024 * 1024, `the bomb is ${pdf.length} bytes`);
  await assert.rejects(inspectDocument(pdf, "application/pdf"), (error: unknown) => {
    isCode("image_too_large")(error);
    assert.match((error as DocketError).message, /50000 × 50000/);
    return true;
  });
});

test("the image pixel budget is the one image files get", async () => {
  const pdf = await pdfWithHugeImage(2000, 1000); // 2 MP
  await assert.rejects(
    inspectDocument(pdf, "application/pdf", { maxImagePixels: 1_000_000 }),
    isCode("image_too_large"),
  );
  const ok = await inspectDocument(pdf, "application/pdf", { maxImagePixels: 2_000_000 });
  assert.equal(ok.numPages, 1);
});

test("a content stream that inflates to 1 GiB is refused as too_complex", async () => {
  const pdf = await pdfWithContentBomb(1024 * 1024 * 1024);
  assert.ok(pdf.length < 2 * 1024 * 1024);
  await assert.rejects(inspectDocument(pdf, "application/pdf"), isCode("too_complex"));
});

test("one content stream listed many times in /Contents counts each time", async () => {
  const pdf = await pdfWithContentBomb(16 * 1024 * 1024, 8); // 128 MiB painted from a 16 MiB stream
  await assert.rejects(inspectDocument(pdf, "application/pdf"), isCode("too_complex"));
  const once = await inspectDocument(await pdfWithContentBomb(16 * 1024 * 1024, 1), "application/pdf");
  assert.equal(once.numPages, 1);
});

test("a 1,000,000 × 1,000,000 pt page is refused before rendering; a 200-inch page is accepted", async () => {
  await assert.rejects(
    inspectDocument(await pdfWithPageSize(1_000_000, 1_000_000), "application/pdf"),
    isCode("image_too_large"),
  );
  const big = await inspectDocument(await pdfWithPageSize(14_400, 14_400), "application/pdf");
  assert.equal(big.pages[0]?.width, 14_400);
});
