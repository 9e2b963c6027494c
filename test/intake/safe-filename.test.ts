import assert from "node:assert/strict";
import { test } from "node:test";
import { safeFilename } from "../../src/intake/safe-filename.js";

test("path components are stripped, whatever the separator", () => {
  assert.equal(safeFilename("../../etc/passwd"), "passwd");
  assert.equal(safeFilename("/etc/"), "document");
  assert.equal(safeFilename("C:\\Users\\ann\\Desktop\\invoice.pdf"), "invoice.pdf");
  assert.equal(safeFilename("C:evil.pdf"), "evil.pdf");
  assert.equal(safeFilename("..\\..\\windows\\system32\\cmd.exe"), "cmd.exe");
  assert.equal(safeFilename("./.././"), "document");
  assert.equal(safeFilename("\\\\server\\share\\scan.tif"), "scan.tif");
});

test("control characters, NUL, bidi overrides and zero-width characters are removed", () => {
  assert.equal(safeFilename("a\u0000b.pdf"), "ab.pdf");
  assert.equal(safeFilename("line\r\nbreak.pdf"), "linebreak.pdf");
  assert.equal(safeFilename("evil\u202Egpj.exe"), "evilgpj.exe");
  assert.equal(safeFilename("zero\u200Bwidth.pdf"), "zerowidth.pdf");
  assert.equal(safeFilename("tab\tname.pdf"), "tabname.pdf");
});

test("Windows-forbidden characters, reserved names, dots and spaces at the ends", () => {
  assert.equal(safeFilename('a<b>c:d"e|f?g*h.pdf'), "a_b_c_d_e_f_g_h.pdf");
  assert.equal(safeFilename("CON"), "_CON");
  assert.equal(safeFilename("con.txt"), "_con.txt");
  assert.equal(safeFilename("lpt1.pdf"), "_lpt1.pdf");
  assert.equal(safeFilename("console.pdf"), "console.pdf");
  assert.equal(safeFilename("  .hidden.pdf. "), "hidden.pdf");
  assert.equal(safeFilename("...."), "document");
  assert.equal(safeFilename("many    spaces.pdf"), "many spaces.pdf");
});

test("length is limited in UTF-8 bytes, keeping the extension and whole characters", () => {
  const long = `${"ż".repeat(300)}.pdf`;
  const safe = safeFilename(long);
  assert.ok(Buffer.byteLength(safe) <= 200, `${Buffer.byteLength(safe)} bytes`);
  assert.ok(safe.endsWith(".pdf"));
  assert.ok(!safe.includes("\uFFFD"));
  assert.equal(safeFilename("a".repeat(50) + ".pdf", { maxBytes: 20 }), "a".repeat(16) + ".pdf");
});

test("unicode names are kept (NFC)", () => {
  assert.equal(safeFilename("Faktura-łódź-2024.pdf"), "Faktura-łódź-2024.pdf");
  assert.equal(safeFilename("Cafe\u0301.pdf"), "Café.pdf");
});

test("the extension is made to agree with the sniffed type", () => {
  assert.equal(safeFilename("scan.pdf", { mimeType: "image/png" }), "scan.png");
  assert.equal(safeFilename("photo.JPEG", { mimeType: "image/jpeg" }), "photo.JPEG");
  assert.equal(safeFilename("photo.jpg", { mimeType: "image/jpeg" }), "photo.jpg");
  assert.equal(safeFilename("fax.tiff", { mimeType: "image/tiff" }), "fax.tiff");
  assert.equal(safeFilename("invoice", { mimeType: "application/pdf" }), "invoice.pdf");
  assert.equal(safeFilename("payload.exe", { mimeType: "image/png" }), "payload.exe.png");
  assert.equal(safeFilename(undefined, { mimeType: "image/webp" }), "document.webp");
  assert.equal(safeFilename(null), "document");
  assert.equal(safeFilename("", { fallback: "upload" }), "upload");
});
