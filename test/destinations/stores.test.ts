/**
 * S3 and WebDAV destinations against real servers on this machine: the local S3 server the
 * blob tests use (s3rver, the real SDK over HTTP with signatures) and `rclone serve webdav`.
 * Delivery through the API, multipart for a large file, wrong credentials, a server that is
 * down and then back (retry delivers, nothing duplicated).
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { s3Deliverer } from "../../src/destinations/s3-deliverer.js";
import { webdavDeliverer } from "../../src/destinations/webdav-deliverer.js";
import { createUsers, pngBytes, waitForJob, type TestServer, type Users } from "../api/support.js";
import { webdavSkipReason } from "../support/environment.js";
import { startLocalS3, type LocalS3 } from "../support/s3-server.js";
import { startDeliveryServer } from "./support.js";
import { startWebdav, type WebdavServer } from "./webdav-server.js";

const OPTIONS = { allowPrivateUrls: true, folderRoots: [] };

describe("S3 and WebDAV destinations", () => {
  let server: TestServer;
  let u: Users;
  let s3: LocalS3;
  const davSkip = webdavSkipReason();
  let dav: WebdavServer | undefined;

  before(async () => {
    s3 = await startLocalS3("deliveries");
    if (!davSkip) dav = await startWebdav();
    server = await startDeliveryServer("sqlite");
    u = await createUsers(server.base);
  });
  after(async () => {
    await server.close();
    await s3.close();
    await dav?.close();
  });

  const s3Client = () =>
    new S3Client({
      endpoint: s3.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });

  async function submitTo(destinationId: string, filename: string) {
    const up = await u.alice.upload(pngBytes(), filename);
    const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
      json: { document_id: up.json.document.id, outputs: ["txt", "json"], destinations: [destinationId] },
    });
    assert.equal(submit.status, 202, submit.text);
    return { documentId: up.json.document.id as string, jobId: submit.json.id as string };
  }

  it("delivers to S3 under the prefix, and the test action checks the bucket and the keys", async () => {
    const dest = await u.alice.req("POST", "/api/v1/destinations", {
      json: {
        name: "bucket",
        kind: "s3",
        config: {
          bucket: s3.bucket,
          prefix: "docket/out",
          endpoint: s3.endpoint,
          access_key_id: "S3RVER",
          secret_access_key: "S3RVER",
        },
      },
    });
    assert.equal(dest.status, 201, dest.text);
    assert.equal(dest.json.config.secret_access_key, "********");
    assert.equal(dest.json.config.access_key_id, "S3RVER");
    const test = await u.alice.req("POST", `/api/v1/destinations/${dest.json.id}/test`);
    assert.equal(test.json.ok, true, test.json.detail);

    const { documentId, jobId } = await submitTo(dest.json.id, "scan 9.png");
    const done = await waitForJob(u.alice, jobId, ["completed", "failed"]);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    const listed = await s3Client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "docket/out/" }));
    assert.deepEqual((listed.Contents ?? []).map((o) => o.Key).sort(), [
      "docket/out/scan 9.json",
      "docket/out/scan 9.txt",
    ]);
    const txt = await s3Client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: "docket/out/scan 9.txt" }));
    assert.equal(await txt.Body!.transformToString(), `Hello from document ${documentId}`);
    const deliveries = await u.alice.req("GET", `/api/v1/ocr/jobs/${jobId}/deliveries`);
    assert.equal(deliveries.json.items[0].location, `s3://${s3.bucket}/docket/out/`);

    const wrong = await u.alice.req("POST", "/api/v1/destinations", {
      json: {
        name: "wrong keys",
        kind: "s3",
        config: { bucket: s3.bucket, endpoint: s3.endpoint, access_key_id: "NOPE", secret_access_key: "wrong" },
      },
    });
    const wrongTest = await u.alice.req("POST", `/api/v1/destinations/${wrong.json.id}/test`);
    assert.equal(wrongTest.json.ok, false);
    assert.match(wrongTest.json.detail, /^destination_auth: /);
    const failed = await submitTo(wrong.json.id, "denied.png");
    const failedJob = await waitForJob(u.alice, failed.jobId, ["completed", "failed"]);
    assert.equal(failedJob.status, "failed");
    assert.equal(failedJob.error.code, "destination_auth");
  });

  it("uploads a large file to S3 in parts", async () => {
    // A counting proxy in front of the S3 server sees each request the SDK makes.
    const seen: string[] = [];
    const target = new URL(s3.endpoint);
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const big = Buffer.alloc(12 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const deliverer = s3Deliverer(
      { bucket: s3.bucket, prefix: "big", endpoint, access_key_id: "S3RVER", secret_access_key: "S3RVER" },
      OPTIONS,
    );
    await deliverer.deliver({
      deliveryId: "dlv_test",
      signal: AbortSignal.timeout(60_000),
      job: {
        jobId: "j1",
        documentId: "d1",
        filename: "big.pdf",
        files: [
          {
            name: "big.pdf",
            format: "pdf",
            mimeType: "application/pdf",
            size: big.length,
            path: "/x",
            read: async () => big,
          },
        ],
      },
    });
    proxy.close();
    assert.equal(seen.filter((r) => /^PUT .*partNumber=/.test(r)).length, 3, seen.join("\n"));
    assert.ok(
      seen.some((r) => /^POST .*uploads/.test(r)),
      "a multipart upload was started",
    );
    const object = await s3Client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: "big/big.pdf" }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    assert.equal(bytes.length, big.length);
    assert.ok(bytes.equals(big));
  });

  it(
    "delivers to WebDAV (rclone serve webdav), making the folders, and verifies each file",
    { skip: davSkip },
    async () => {
      const dest = await u.alice.req("POST", "/api/v1/destinations", {
        json: {
          name: "nextcloud",
          kind: "webdav",
          config: { url: `${dav!.url}Docket/inbox/`, username: dav!.user, password: dav!.pass },
        },
      });
      assert.equal(dest.status, 201, dest.text);
      assert.equal(dest.json.config.password, "********");
      const test = await u.alice.req("POST", `/api/v1/destinations/${dest.json.id}/test`);
      assert.equal(test.json.ok, true, test.json.detail);
      const { documentId, jobId } = await submitTo(dest.json.id, "letter.png");
      const done = await waitForJob(u.alice, jobId, ["completed", "failed"]);
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      const dir = join(dav!.dir, "Docket", "inbox");
      assert.deepEqual((await readdir(dir)).sort(), ["letter.json", "letter.txt"]);
      assert.equal(await readFile(join(dir, "letter.txt"), "utf8"), `Hello from document ${documentId}`);
    },
  );

  it("WebDAV with a wrong password fails with destination_auth, and the test says so", { skip: davSkip }, async () => {
    const dest = await u.alice.req("POST", "/api/v1/destinations", {
      json: { name: "bad dav", kind: "webdav", config: { url: dav!.url, username: dav!.user, password: "wrong" } },
    });
    const test = await u.alice.req("POST", `/api/v1/destinations/${dest.json.id}/test`);
    assert.equal(test.json.ok, false);
    assert.match(test.json.detail, /^destination_auth: .*401/);
    const { jobId } = await submitTo(dest.json.id, "nope.png");
    const done = await waitForJob(u.alice, jobId, ["completed", "failed"]);
    assert.equal(done.error.code, "destination_auth");
  });

  it("WebDAV down, then back: the retry delivers, and each file is there once", { skip: davSkip }, async () => {
    const dest = await u.alice.req("POST", "/api/v1/destinations", {
      json: {
        name: "flaky dav",
        kind: "webdav",
        config: { url: `${dav!.url}flaky`, username: dav!.user, password: dav!.pass },
      },
    });
    await dav!.stop();
    let jobId: string;
    try {
      ({ jobId } = await submitTo(dest.json.id, "later.png"));
      const failed = await waitForJob(u.alice, jobId, ["completed", "failed"], 20_000);
      assert.equal(failed.status, "failed");
      assert.equal(failed.error.code, "destination_unreachable");
    } finally {
      await dav!.start();
    }
    const retry = await u.alice.req("POST", `/api/v1/ocr/jobs/${jobId}/retry`);
    assert.equal(retry.status, 202);
    const done = await waitForJob(u.alice, jobId, ["completed", "failed"], 20_000);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.deepEqual((await readdir(join(dav!.dir, "flaky"))).sort(), ["later.json", "later.txt"]);
    // Delivered twice more by hand: the same names are overwritten, never duplicated.
    const deliverer = webdavDeliverer({ url: `${dav!.url}flaky`, username: dav!.user, password: dav!.pass }, OPTIONS);
    const file = {
      name: "later.txt",
      format: "txt",
      mimeType: "text/plain",
      size: 3,
      path: "/x",
      read: async () => Buffer.from("new"),
    };
    const job = { jobId, documentId: "d", filename: "later.png", files: [file] };
    await deliverer.deliver({ job, deliveryId: "dlv", signal: AbortSignal.timeout(10_000) });
    assert.deepEqual((await readdir(join(dav!.dir, "flaky"))).sort(), ["later.json", "later.txt"]);
    assert.equal(await readFile(join(dav!.dir, "flaky", "later.txt"), "utf8"), "new");
  });
});
