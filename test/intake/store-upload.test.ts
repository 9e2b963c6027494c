import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import { DocketError } from "../../src/errors.js";
import { storeUpload, UPLOAD_TEMP_PREFIX, uploadKeyFor } from "../../src/intake/store-upload.js";
import { makeTextPdf } from "../pdf/fixtures.js";

function isCode(code: string) {
  return (error: unknown): boolean => error instanceof DocketError && error.code === code;
}

/** A stream of `total` bytes in 64 KiB chunks, starting with `head`, generated lazily. */
function lazyStream(head: Uint8Array, total: number): Readable & { produced: () => number } {
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(65536, total - produced);
      const chunk = Buffer.alloc(size, 0x20);
      if (produced === 0) Buffer.from(head).copy(chunk);
      produced += size;
      this.push(chunk);
    },
  });
  return Object.assign(stream, { produced: () => produced });
}

describe("storeUpload", () => {
  let root: string;
  let store: LocalBlobStore;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "docket-intake-"));
    store = new LocalBlobStore(root, { fsync: false });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function assertNoTemp(): Promise<void> {
    assert.deepEqual(await store.list(UPLOAD_TEMP_PREFIX), []);
    assert.deepEqual(await readdir(join(root, ".tmp")).catch(() => []), []);
  }

  test("stores a PDF under its content address with hash, size, sniffed type and safe name", async () => {
    const pdf = Buffer.from(await makeTextPdf([{ runs: [{ text: "hello", x: 72, y: 700 }] }]));
    const sha = createHash("sha256").update(pdf).digest("hex");
    const stored = await storeUpload(Readable.from([pdf.subarray(0, 100), pdf.subarray(100)]), {
      blobStore: store,
      maxBytes: 1024 * 1024,
      filename: "../../Invoice 2024.pdf",
    });
    assert.deepEqual(stored, {
      key: `uploads/${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`,
      sha256: sha,
      size: pdf.length,
      mimeType: "application/pdf",
      originalFilename: "../../Invoice 2024.pdf",
      safeFilename: "Invoice 2024.pdf",
      blobExisted: false,
    });
    assert.equal(uploadKeyFor(sha), stored.key);
    assert.deepEqual(await store.getBuffer(stored.key), pdf);
    await assertNoTemp();
  });

  test("the same bytes again dedupe onto the existing blob", async () => {
    const png = await sharp({ create: { width: 5, height: 5, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const first = await storeUpload(Readable.from([png]), { blobStore: store, maxBytes: 1e6, filename: "a.png" });
    const second = await storeUpload(Readable.from([png]), { blobStore: store, maxBytes: 1e6, filename: "b.png" });
    assert.equal(first.blobExisted, false);
    assert.equal(second.blobExisted, true);
    assert.equal(second.key, first.key);
    assert.equal(second.safeFilename, "b.png");
    await assertNoTemp();
  });

  test("the content decides the type: a PNG named .pdf is a PNG; a text file named .pdf is refused", async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    const lying = await storeUpload(Readable.from([png]), { blobStore: store, maxBytes: 1e6, filename: "report.pdf" });
    assert.equal(lying.mimeType, "image/png");
    assert.equal(lying.safeFilename, "report.png");

    await assert.rejects(
      storeUpload(Readable.from([Buffer.from("just some text, honest")]), {
        blobStore: store,
        maxBytes: 1e6,
        filename: "x.pdf",
      }),
      isCode("unsupported_type"),
    );
    await assertNoTemp();
  });

  test("an unsupported type is refused after the first KiB, without reading the rest", async () => {
    const source = lazyStream(Buffer.from("MZ executable"), 20 * 1024 * 1024);
    await assert.rejects(
      storeUpload(source, { blobStore: store, maxBytes: 50 * 1024 * 1024, filename: "a.pdf" }),
      isCode("unsupported_type"),
    );
    assert.ok(source.produced() < 1024 * 1024, `read ${source.produced()} bytes`);
    assert.ok(source.destroyed);
    await assertNoTemp();
  });

  test("file_too_large while streaming: stops reading near the limit, nothing left behind", async () => {
    const source = lazyStream(Buffer.from("%PDF-1.7\n"), 100 * 1024 * 1024);
    const error = await storeUpload(source, { blobStore: store, maxBytes: 1024 * 1024, filename: "big.pdf" }).then(
      () => assert.fail("should have failed"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DocketError && error.code === "file_too_large");
    assert.equal(error.status, 413);
    assert.ok(source.produced() < 3 * 1024 * 1024, `read ${source.produced()} bytes of 100 MiB`);
    await assertNoTemp();
  });

  test("exactly maxBytes is accepted", async () => {
    const source = lazyStream(Buffer.from("%PDF-1.7\n"), 200_000);
    const stored = await storeUpload(source, { blobStore: store, maxBytes: 200_000 });
    assert.equal(stored.size, 200_000);
    assert.equal(stored.originalFilename, null);
    assert.equal(stored.safeFilename, "document.pdf");
  });

  test("zero bytes: empty_file when a file was named, no_file when not", async () => {
    await assert.rejects(
      storeUpload(Readable.from([]), { blobStore: store, maxBytes: 10, filename: "empty.pdf" }),
      isCode("empty_file"),
    );
    await assert.rejects(
      storeUpload(Readable.from([]), { blobStore: store, maxBytes: 10, filename: "" }),
      isCode("no_file"),
    );
    await assert.rejects(storeUpload(Readable.from([]), { blobStore: store, maxBytes: 10 }), isCode("no_file"));
    await assertNoTemp();
  });

  test("a source that errors mid-way, and an abort, leave nothing behind", async () => {
    let sent = 0;
    const broken = new Readable({
      read() {
        if (sent++ === 0) this.push(Buffer.from("%PDF-1.7\n" + " ".repeat(5000)));
        else this.destroy(new Error("connection reset"));
      },
    });
    await assert.rejects(storeUpload(broken, { blobStore: store, maxBytes: 1e6 }), isCode("transient_error"));

    const controller = new AbortController();
    const slow = new Readable({
      read() {
        setTimeout(() => this.push(Buffer.alloc(1024, 0x25)), 5);
      },
    });
    slow.push(Buffer.from("%PDF-1.7\n"));
    const pending = storeUpload(slow, { blobStore: store, maxBytes: 1e9, signal: controller.signal });
    setTimeout(() => controller.abort(new DocketError("cancelled", "user cancelled")), 30);
    await assert.rejects(pending, isCode("cancelled"));
    await assertNoTemp();
  });
});
