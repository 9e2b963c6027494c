import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { createBlobStore } from "../../src/blob/create-blob-store.js";
import { S3BlobStore, parseS3Url } from "../../src/blob/s3-blob-store.js";
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

test("s3:// builds an S3 store; bad S3 URLs are refused clearly without echoing secrets", () => {
  const store = createBlobStore({
    url: "s3://docket-blobs/prod?endpoint=http://127.0.0.1:9000&region=eu-west-1",
    dataDir: "/x",
  });
  assert.ok(store instanceof S3BlobStore);
  store.close?.();
  assert.deepEqual(parseS3Url("s3://docket-blobs/prod/?endpoint=http://127.0.0.1:9000"), {
    bucket: "docket-blobs",
    prefix: "prod/",
    endpoint: "http://127.0.0.1:9000",
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    forcePathStyle: true,
  });
  assert.equal(parseS3Url("s3://docket-blobs?path_style=false&endpoint=https://s3.example.test").forcePathStyle, false);
  const refused = (url: string, pattern: RegExp) =>
    assert.throws(
      () => createBlobStore({ url, dataDir: "/x" }),
      (error: unknown) =>
        error instanceof DocketError &&
        error.code === "validation_error" &&
        pattern.test(error.message) &&
        !error.message.includes("hunter2"),
    );
  refused("s3://bucket?endpoint=http://minio:9000&secret=hunter2", /unknown parameter "secret"/);
  refused("s3://key:hunter2@bucket", /must not carry credentials/);
  refused("s3://B_ad?endpoint=http://minio:9000", /not a valid bucket name/);
  refused("s3://bucket?endpoint=minio:9000", /endpoint parameter must be an http/);
  refused("s3://bucket/a%2F..%2Fb", /invalid blob key/);
});

test("unknown schemes and malformed file URLs are refused", () => {
  assert.throws(() => createBlobStore({ url: "ftp://host/x", dataDir: "/x" }), /unsupported scheme/);
  assert.throws(() => createBlobStore({ url: "file://remote-host/share", dataDir: "/x" }), /not a valid file:\/\/ URL/);
});
