import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import { moveBlob } from "../../src/blob/move-blob.js";
import type { BlobStore } from "../../src/blob/blob-store.js";
import { DocketError } from "../../src/errors.js";

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function isCode(code: string) {
  return (error: unknown): boolean => error instanceof DocketError && error.code === code;
}

describe("LocalBlobStore", () => {
  let root: string;
  let store: LocalBlobStore;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "docket-blob-"));
    store = new LocalBlobStore(root, { fsync: false });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test("put/get/getBuffer/size/exists round-trip for every input kind", async () => {
    assert.deepEqual(await store.put("a/buffer", Buffer.from("buffer")), { size: 6 });
    assert.deepEqual(await store.put("a/bytes", new Uint8Array([1, 2, 3])), { size: 3 });
    assert.deepEqual(await store.put("a/string", "zażółć"), { size: Buffer.byteLength("zażółć") });
    assert.deepEqual(await store.put("a/stream", Readable.from([Buffer.from("st"), Buffer.from("ream")])), { size: 6 });
    assert.equal((await store.getBuffer("a/string")).toString(), "zażółć");
    assert.equal((await readAll(await store.get("a/stream"))).toString(), "stream");
    assert.equal(await store.size("a/bytes"), 3);
    assert.equal(await store.exists("a/bytes"), true);
    assert.equal(await store.exists("a/missing"), false);
    assert.equal(await store.exists("a"), false, "a folder is not a blob");
  });

  test("put overwrites atomically and leaves no temp files", async () => {
    await store.put("over/x", "first");
    await store.put("over/x", "second");
    assert.equal((await store.getBuffer("over/x")).toString(), "second");
    assert.deepEqual(await readdir(join(root, ".tmp")), []);
  });

  test("put makes the temp folder and the key's folders again when something removed them", async () => {
    const s = new LocalBlobStore(join(root, "removed"), { fsync: false });
    await s.put("jobs/1/a", "first");
    await rm(join(root, "removed", ".tmp"), { recursive: true });
    await rm(join(root, "removed", "jobs"), { recursive: true });
    assert.deepEqual(await s.put("jobs/1/a", Buffer.from("again")), { size: 5 });
    assert.deepEqual(await s.put("jobs/2/b", Readable.from([Buffer.from("stream")])), { size: 6 });
    assert.equal((await s.getBuffer("jobs/1/a")).toString(), "again");
    assert.equal((await s.getBuffer("jobs/2/b")).toString(), "stream");
    assert.deepEqual(await readdir(join(root, "removed", ".tmp")), []);
  });

  test("a key whose folder is a blob fails cleanly, leaving no temp file", async () => {
    await store.put("file-not-folder", "x");
    await assert.rejects(
      store.put("file-not-folder/child", "y"),
      (error: NodeJS.ErrnoException) => error.code === "ENOTDIR",
    );
    assert.deepEqual(await readdir(join(root, ".tmp")), []);
    assert.equal((await store.getBuffer("file-not-folder")).toString(), "x");
  });

  test("a failing source stream leaves neither the blob nor a temp file", async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error("client went away"));
      },
    });
    await assert.rejects(store.put("broken/x", failing), /client went away/);
    assert.equal(await store.exists("broken/x"), false);
    assert.deepEqual(await readdir(join(root, ".tmp")), []);
  });

  test("missing blobs are not_found; delete is idempotent", async () => {
    await assert.rejects(store.get("nope/x"), isCode("not_found"));
    await assert.rejects(store.getBuffer("nope/x"), isCode("not_found"));
    await assert.rejects(store.size("nope/x"), isCode("not_found"));
    await store.delete("nope/x");
  });

  test("refuses unsafe keys", async () => {
    const bad = [
      "",
      "../escape",
      "a/../../escape",
      "a/./b",
      "/etc/passwd",
      "a\\b",
      "a\u0000b",
      "a//b",
      "a/",
      "C:/windows",
      ".tmp/x",
      "a\nb",
    ];
    for (const key of bad) {
      await assert.rejects(store.put(key, "x"), isCode("validation_error"), `put ${JSON.stringify(key)}`);
      await assert.rejects(store.getBuffer(key), isCode("validation_error"), `get ${JSON.stringify(key)}`);
      assert.throws(() => store.localPath(key), isCode("validation_error"));
    }
    // Nothing escaped the root.
    await assert.rejects(stat(join(root, "..", "escape")));
  });

  test("list returns sorted keys under a prefix, never temp files", async () => {
    const s = new LocalBlobStore(join(root, "listing"), { fsync: false });
    await s.put("jobs/1/ocr/page-2.json", "2");
    await s.put("jobs/1/ocr/page-10.json", "10");
    await s.put("jobs/12/render/p1.png", "p");
    await s.put("uploads/ab/cd/abcd", "u");
    assert.deepEqual(await s.list("jobs/1/"), ["jobs/1/ocr/page-10.json", "jobs/1/ocr/page-2.json"]);
    assert.deepEqual(await s.list("jobs/1"), [
      "jobs/1/ocr/page-10.json",
      "jobs/1/ocr/page-2.json",
      "jobs/12/render/p1.png",
    ]);
    assert.deepEqual(await s.list("nothing/"), []);
    assert.equal((await s.list("")).length, 4);
    await assert.rejects(s.list("../"), isCode("validation_error"));
  });

  test("deletePrefix removes a folder-like prefix only, and prunes empty folders", async () => {
    const s = new LocalBlobStore(join(root, "deleting"), { fsync: false });
    await s.put("jobs/1/a", "x");
    await s.put("jobs/1/b/c", "x");
    await s.put("jobs/12/a", "x");
    await s.deletePrefix("jobs/1/");
    assert.deepEqual(await s.list(""), ["jobs/12/a"]);
    await assert.rejects(s.deletePrefix("jobs/12"), isCode("validation_error"), "must end in '/'");
    await assert.rejects(s.deletePrefix(""), isCode("validation_error"), "never everything");
    await s.deletePrefix("not/there/");
    await s.delete("jobs/12/a");
    assert.deepEqual(await readdir(join(root, "deleting")), [".tmp"], "empty parents pruned");
  });

  test("move renames in place; moveBlob copies for stores without move", async () => {
    await store.put("mv/from", "payload");
    await store.move("mv/from", "mv/deep/to");
    assert.equal(await store.exists("mv/from"), false);
    assert.equal((await store.getBuffer("mv/deep/to")).toString(), "payload");
    await assert.rejects(store.move("mv/missing", "mv/x"), isCode("not_found"));

    // A store without `move` (as S3 would be) goes through get + put + delete.
    const plain: BlobStore = {
      put: (k, d) => store.put(k, d),
      get: (k) => store.get(k),
      getBuffer: (k) => store.getBuffer(k),
      exists: (k) => store.exists(k),
      size: (k) => store.size(k),
      delete: (k) => store.delete(k),
      deletePrefix: (p) => store.deletePrefix(p),
      list: (p) => store.list(p),
      localPath: () => null,
      check: () => store.check(),
    };
    await moveBlob(plain, "mv/deep/to", "mv/copied");
    assert.equal(await store.exists("mv/deep/to"), false);
    assert.equal((await store.getBuffer("mv/copied")).toString(), "payload");
  });

  test("localPath stays inside the root; check() probes the folder", async () => {
    assert.equal(store.localPath("x/y"), join(root, "x", "y"));
    await store.check();
    const missingRoot = new LocalBlobStore(join(root, "created", "on", "check"), { fsync: false });
    await missingRoot.check();
    const fileAsRoot = join(root, "a-file");
    await writeFile(fileAsRoot, "x");
    await assert.rejects(new LocalBlobStore(fileAsRoot).check());
  });

  test("removeStaleTemp removes only old temp files", async () => {
    const s = new LocalBlobStore(join(root, "stale"), { fsync: true });
    await s.check();
    const old = join(root, "stale", ".tmp", "old");
    const young = join(root, "stale", ".tmp", "young");
    await writeFile(old, "x");
    await writeFile(young, "x");
    const past = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(old, past, past);
    assert.equal(await s.removeStaleTemp(), 1);
    assert.deepEqual(await readdir(join(root, "stale", ".tmp")), ["young"]);
    // fsync: true works for bytes and for streams.
    await s.put("durable/x", "x");
    assert.equal(await s.size("durable/x"), 1);
    assert.deepEqual(await s.put("durable/stream", Readable.from([Buffer.from("str"), Buffer.from("eam")])), {
      size: 6,
    });
    assert.equal((await s.getBuffer("durable/stream")).toString(), "stream");
    assert.deepEqual(await readdir(join(root, "stale", ".tmp")), ["young"]);
  });
});
