import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { S3BlobStore } from "../../src/blob/s3-blob-store.js";
import { startLocalS3, type LocalS3 } from "../support/s3-server.js";
import { createUsers, pngBytes, startServer, waitForJob, type TestServer, type Users } from "./support.js";

describe("the API with blobs in an S3-compatible bucket (DOCKET_BLOB_URL=s3://…)", () => {
  let s3: LocalS3;
  let server: TestServer;
  let u: Users;
  let bucket: S3BlobStore;

  before(async () => {
    s3 = await startLocalS3();
    server = await startServer("sqlite", { DOCKET_BLOB_URL: s3.url("docket") });
    u = await createUsers(server.base);
    bucket = S3BlobStore.fromUrl(s3.url("docket"));
  });
  after(async () => {
    bucket.close();
    await server.close();
    await s3.close();
  });

  it("stores uploads and results in the bucket and serves them back", async () => {
    const bytes = pngBytes(4096);
    const upload = await u.alice.upload(bytes, "scan.png", { process: "true", outputs: ["txt", "json"] });
    assert.equal(upload.status, 201, upload.text);
    const job = await waitForJob(u.alice, upload.json.job.id, ["completed"]);
    const original = await fetch(`${server.base}/api/v1/documents/${upload.json.document.id}/file`, {
      headers: { authorization: `Bearer ${u.alice.token}` },
    });
    assert.equal(original.status, 200);
    assert.deepEqual(new Uint8Array(await original.arrayBuffer()), bytes);
    const text = await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/result/txt`);
    assert.equal(text.status, 200);
    assert.match(text.text, /Hello from document/);
    const keys = await bucket.list("");
    assert.ok(
      keys.some((k) => k.startsWith("uploads/") && !k.startsWith("uploads/tmp/")),
      keys.join(", "),
    );
    assert.ok(
      keys.some((k) => k.startsWith(`jobs/${job.id}/`)),
      keys.join(", "),
    );
    assert.ok(!keys.some((k) => k.startsWith("uploads/tmp/")), "no temp upload left behind");
  });

  it("reports the bucket in /readyz", async () => {
    const ready = await fetch(`${server.base}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    assert.equal(body.checks.blob_store?.ok, true, JSON.stringify(body));
  });
});
