import assert from "node:assert/strict";
import { test } from "node:test";
import sharp from "sharp";
import { sniffMimeType } from "../../src/intake/sniff-type.js";
import { makeTextPdf, pngHeaderOnly, tiffWithPages } from "../pdf/fixtures.js";

const pixel = { width: 4, height: 3, channels: 3 as const, background: { r: 200, g: 10, b: 10 } };

test("real files of every supported type are recognised from their bytes", async () => {
  const image = sharp({ create: pixel });
  const cases: Array<[Uint8Array, string]> = [
    [await makeTextPdf([{ runs: [{ text: "x", x: 10, y: 10 }] }]), "application/pdf"],
    [await image.clone().png().toBuffer(), "image/png"],
    [await image.clone().jpeg().toBuffer(), "image/jpeg"],
    [await image.clone().tiff().toBuffer(), "image/tiff"],
    [
      await image
        .clone()
        .tiff({ bigtiff: true } as never)
        .toBuffer(),
      "image/tiff",
    ],
    [await image.clone().gif().toBuffer(), "image/gif"],
    [await image.clone().webp().toBuffer(), "image/webp"],
    [await image.clone().webp({ lossless: true }).toBuffer(), "image/webp"],
    [tiffWithPages(2), "image/tiff"],
    [pngHeaderOnly(10, 10), "image/png"],
  ];
  for (const [bytes, mime] of cases) assert.equal(sniffMimeType(bytes), mime);
});

test("big-endian TIFF and BMP headers", () => {
  assert.equal(sniffMimeType(Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8])), "image/tiff");
  const bmp = Buffer.alloc(54);
  bmp.write("BM", 0, "latin1");
  bmp.writeUInt32LE(40, 14);
  assert.equal(sniffMimeType(bmp), "image/bmp");
  // "BM" followed by text is not a BMP.
  assert.equal(sniffMimeType(Buffer.from("BMW sales report, quarterly figures")), null);
});

test("a PDF header after leading junk (within 1 KiB) is still a PDF; later is not", () => {
  assert.equal(sniffMimeType(Buffer.from("Content-Type: application/pdf\r\n\r\n%PDF-1.7\n")), "application/pdf");
  const late = Buffer.concat([Buffer.alloc(1100, 0x20), Buffer.from("%PDF-1.7")]);
  assert.equal(sniffMimeType(late), null);
});

test("everything else is unsupported, whatever it claims to be", () => {
  for (const text of [
    "",
    "hello",
    "<html><body>%PDF-</body>",
    "PK\u0003\u0004 zip",
    '{"json":true}',
    "GIF8",
    "RIFF0000WAVE",
  ]) {
    if (text.includes("%PDF-")) continue; // html containing the marker is a PDF to pdf.js too
    assert.equal(sniffMimeType(Buffer.from(text, "latin1")), null, JSON.stringify(text));
  }
  assert.equal(sniffMimeType(Buffer.from([0x4d, 0x5a, 0x90, 0x00])), null, "a Windows executable");
});
