import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { S3BlobStore } from "../../src/blob/s3-blob-store.js";
import { moveBlob } from "../../src/blob/move-blob.js";
import { DocketError } from "../../src/errors.js";
import { startLocalS3, type LocalS3 } from "../support/s3-server.js";

const isNotFound = (error: unknown) => error instanceof DocketError && error.code === "not_found";

describe("S3 blob store against a local S3 server", () => {
  let s3: LocalS3;
  let store: S3BlobStore;
  let neighbour: S3BlobStore;

  before(async () => {
    s3 = await startLocalS3();
    store = S3BlobStore.fromUrl(s3.url("install-a"));
    neighbour = S3BlobStore.fromUrl(s3.url("install-b"));
  });
  after(async () => {
    store.close();
    neighbour.close();
    await s3.close();
  });

  it("puts buffers, strings and streams of unknown length (multipart), and reads them back", async () => {
    assert.deepEqual(await store.put("a/one.txt", "hello"), { size: 5 });
    assert.deepEqual(await store.put("a/two.bin", Buffer.from([1, 2, 3])), { size: 3 });
    // 12 MiB in 64 KiB chunks: more than one 5 MiB part, never one buffer.
    const chunk = Buffer.alloc(64 * 1024, 7);
    const big = Readable.from(
      (function* () {
        for (let i = 0; i < 192; i++) yield chunk;
      })(),
    );
    assert.deepEqual(await store.put("b/big.bin", big), { size: 12 * 1024 * 1024 });
    assert.equal((await store.getBuffer("a/one.txt")).toString(), "hello");
    assert.deepEqual([...(await store.getBuffer("a/two.bin"))], [1, 2, 3]);
    let streamed = 0;
    for await (const part of await store.get("b/big.bin")) streamed += (part as Buffer).length;
    assert.equal(streamed, 12 * 1024 * 1024);
    assert.equal(await store.size("b/big.bin"), 12 * 1024 * 1024);
  });

  it("answers exists, list (sorted, within its prefix only), delete and deletePrefix like the local store", async () => {
    await neighbour.put("a/one.txt", "other installation");
    assert.equal(await store.exists("a/one.txt"), true);
    assert.equal(await store.exists("a/none.txt"), false);
    assert.deepEqual(await store.list("a/"), ["a/one.txt", "a/two.bin"]);
    assert.deepEqual(await store.list(""), ["a/one.txt", "a/two.bin", "b/big.bin"]);
    await store.delete("a/two.bin");
    await store.delete("a/two.bin"); // idempotent
    assert.deepEqual(await store.list("a/"), ["a/one.txt"]);
    await store.deletePrefix("b/");
    assert.deepEqual(await store.list(""), ["a/one.txt"]);
    assert.equal((await neighbour.getBuffer("a/one.txt")).toString(), "other installation");
  });

  it("maps missing blobs to not_found and refuses unsafe keys before any request", async () => {
    await assert.rejects(store.get("missing/x"), isNotFound);
    await assert.rejects(store.getBuffer("missing/x"), isNotFound);
    await assert.rejects(store.size("missing/x"), isNotFound);
    await assert.rejects(
      store.put("../escape", "x"),
      (e: unknown) => e instanceof DocketError && e.code === "validation_error",
    );
    await assert.rejects(
      store.list("a/../../"),
      (e: unknown) => e instanceof DocketError && e.code === "validation_error",
    );
  });

  it("moves server-side and checks the bucket for /readyz", async () => {
    await store.put("uploads/tmp/t1", "moved bytes");
    await moveBlob(store, "uploads/tmp/t1", "uploads/ab/cd/abcd");
    assert.equal((await store.getBuffer("uploads/ab/cd/abcd")).toString(), "moved bytes");
    assert.equal(await store.exists("uploads/tmp/t1"), false);
    await assert.rejects(moveBlob(store, "uploads/tmp/none", "uploads/x"), isNotFound);
    await store.check();
    const missingBucket = S3BlobStore.fromUrl(s3.url().replace(`s3://${s3.bucket}`, "s3://no-such-bucket"));
    await assert.rejects(missingBucket.check());
    missingBucket.close();
  });
});
