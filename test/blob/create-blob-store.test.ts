import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { createBlobStore } from "../../src/blob/create-blob-store.js";
import { LocalBlobStore } from "../../src/blob/local-blob-store.js";
import { DocketError } from "../../src/errors.js";

test("no URL → local files under <dataDir>/blobs", () => {
  for (const url of [undefined, "", "  "]) {
    const store = createBlobStore({ url, dataDir: "/srv/docket" });
    assert.ok(store instanceof LocalBlobStore);
    assert.equal(store.root, "/srv/docket/blobs");
  }
});

test("file:// URLs and plain paths → local files there", () => {
  const dir = resolve("/var/lib/docket blobs");
  const viaUrl = createBlobStore({ url: pathToFileURL(dir).href, dataDir: "/unused" });
  assert.ok(viaUrl instanceof LocalBlobStore);
  assert.equal(viaUrl.root, dir);
  const viaPath = createBlobStore({ url: "./relative-blobs", dataDir: "/unused" });
  assert.ok(viaPath instanceof LocalBlobStore);
  assert.equal(viaPath.root, join(process.cwd(), "relative-blobs"));
});

test("s3:// is refused clearly (not supported yet), without echoing the URL", () => {
  assert.throws(
    () => createBlobStore({ url: "s3://bucket?endpoint=http://minio:9000&secret=hunter2", dataDir: "/x" }),
    (error: unknown) =>
      error instanceof DocketError &&
      error.code === "validation_error" &&
      /not supported yet/.test(error.message) &&
      !error.message.includes("hunter2"),
  );
});

test("unknown schemes and malformed file URLs are refused", () => {
  assert.throws(() => createBlobStore({ url: "ftp://host/x", dataDir: "/x" }), /unsupported scheme/);
  assert.throws(() => createBlobStore({ url: "file://remote-host/share", dataDir: "/x" }), /not a valid file:\/\/ URL/);
});
