import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { uploadKeyFor } from "../../src/intake/store-upload.js";
import { skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, startServer, waitForJob, type TestServer, type Users } from "../api/support.js";

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

const BOUNDARY = "----docket-test-boundary";

function multipart(file: Uint8Array, name = "scan.png"): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    Buffer.from(file),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function post(server: TestServer, token: string, contentType: string, body: Buffer) {
  const res = await fetch(`${server.base}/api/v1/documents/upload`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body,
  });
  return { status: res.status, json: (await res.json()) as { code: string; detail?: string } };
}

describe("malformed multipart is the client's error: 400 malformed_multipart", async () => {
  const skip = await skipReasonFor("sqlite");
  let server: TestServer;
  let u: Users;
  before(async () => {
    if (skip) return;
    server = await startServer("sqlite");
    u = await createUsers(server.base);
  });
  after(async () => {
    if (!skip) await server.close();
  });

  it("no boundary in the Content-Type", { skip }, async () => {
    const res = await post(server, u.alice.token!, "multipart/form-data", multipart(pngBytes()));
    assert.equal(res.status, 400, JSON.stringify(res.json));
    assert.equal(res.json.code, "malformed_multipart");
  });

  it("a body cut off inside the file", { skip }, async () => {
    const whole = multipart(pngBytes(4096));
    const res = await post(
      server,
      u.alice.token!,
      `multipart/form-data; boundary=${BOUNDARY}`,
      whole.subarray(0, 2000),
    );
    assert.equal(res.status, 400, JSON.stringify(res.json));
    assert.equal(res.json.code, "malformed_multipart");
  });

  it("a body cut off inside the part headers", { skip }, async () => {
    const whole = multipart(pngBytes(4096));
    const res = await post(server, u.alice.token!, `multipart/form-data; boundary=${BOUNDARY}`, whole.subarray(0, 60));
    assert.equal(res.status, 400, JSON.stringify(res.json));
    assert.equal(res.json.code, "malformed_multipart");
  });

  it("a well-formed upload still works after them, and no partial upload is left behind", { skip }, async () => {
    const res = await post(server, u.alice.token!, `multipart/form-data; boundary=${BOUNDARY}`, multipart(pngBytes()));
    assert.equal(res.status, 201, JSON.stringify(res.json));
    assert.deepEqual(await server.docket.blobStore.list("uploads/tmp/"), []);
  });
});

describe("an Idempotency-Key reused with another file", async () => {
  const skip = await skipReasonFor("sqlite");
  it("answers 422 and leaves no blob of the second file", { skip }, async () => {
    const server = await startServer("sqlite");
    try {
      const u = await createUsers(server.base);
      const headers = { "idempotency-key": "same-key" };
      const first = pngBytes();
      const second = pngBytes();
      assert.equal((await u.alice.upload(first, "a.png", {}, headers)).status, 201);
      const reused = await u.alice.upload(second, "b.png", {}, headers);
      assert.equal(reused.status, 422);
      assert.equal(reused.json.code, "idempotency_key_reused");
      const blobs = server.docket.blobStore;
      assert.equal(await blobs.exists(uploadKeyFor(sha256(first))), true);
      assert.equal(await blobs.exists(uploadKeyFor(sha256(second))), false, "the refused file's blob was left behind");
      assert.deepEqual(await blobs.list("uploads/tmp/"), []);
    } finally {
      await server.close();
    }
  });
});

describe("a duplicate upload with process=true does what it asks", async () => {
  const skip = await skipReasonFor("sqlite");
  it("processes, answers with the matching job, and refuses to drop differing options", { skip }, async () => {
    const server = await startServer("sqlite");
    try {
      const u = await createUsers(server.base);
      const file = pngBytes();
      const first = await u.alice.upload(file, "d.png");
      assert.equal(first.status, 201);
      assert.equal(first.json.job, null);
      const id = first.json.document.id;

      const processed = await u.alice.upload(file, "d.png", { process: "true" });
      assert.equal(processed.status, 200);
      assert.equal(processed.json.duplicate, true);
      assert.ok(processed.json.job, "the duplicate upload asked to be processed: it has a job");
      await waitForJob(u.alice, processed.json.job.id, ["completed"]);

      // Same options again: the completed job already answers it.
      const again = await u.alice.upload(file, "d.png", { process: "true" });
      assert.equal(again.json.job.id, processed.json.job.id);

      // Other options: a new job with them, not the old one.
      const other = await u.alice.upload(file, "d.png", { process: "true", outputs: "txt" });
      assert.notEqual(other.json.job.id, processed.json.job.id);
      assert.deepEqual(other.json.job.outputs, ["txt"]);
      await waitForJob(u.alice, other.json.job.id, ["completed"]);

      // While a job runs: the same options answer with it, other options are refused (409).
      server.scripts.set(id, { ocr: "sleep:3000" });
      const running = await u.alice.upload(file, "d.png", { process: "true", outputs: "md" });
      const active = running.json.job.id;
      assert.notEqual(active, other.json.job.id);
      const same = await u.alice.upload(file, "d.png", { process: "true", outputs: "md" });
      assert.equal(same.json.job.id, active);
      const differs = await u.alice.upload(file, "d.png", { process: "true", outputs: "json" });
      assert.equal(differs.status, 409, differs.text);
      assert.equal(differs.json.code, "job_active");
      assert.match(differs.json.detail, /outputs/);
      await u.alice.req("POST", `/api/v1/ocr/jobs/${active}/cancel`);
    } finally {
      await server.close();
    }
  });
});
