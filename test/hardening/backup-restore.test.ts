/**
 * The backup procedures of docs/OPERATIONS.md, restored and used: a server started on the
 * restored database and blob store serves the documents and results of the original.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { S3BlobStore } from "../../src/blob/s3-blob-store.js";
import { skipReasonFor } from "../support/databases.js";
import { POSTGRES_URL } from "../support/environment.js";
import { startLocalS3 } from "../support/s3-server.js";
import { client, createUsers, pngBytes, startServer, waitForJob, type Client } from "../api/support.js";

interface Original {
  documentId: string;
  jobId: string;
  text: string;
}

/** A processed document whose result the restored server must serve. */
async function processOne(alice: Client): Promise<Original> {
  const up = await alice.upload(pngBytes(), "kept.png", { process: "true", outputs: "txt" });
  const job = await waitForJob(alice, up.json.job.id, ["completed"]);
  const text = (await alice.req("GET", `/api/v1/ocr/jobs/${job.id}/result/txt`)).text;
  assert.match(text, /Hello from document/);
  return { documentId: up.json.document.id, jobId: job.id, text };
}

async function checkRestored(base: string, original: Original): Promise<void> {
  const login = await client(base).req("POST", "/api/v1/auth/login", {
    json: { email: "alice@example.test", password: "alice-password" },
  });
  assert.equal(login.status, 200, login.text);
  const alice = client(base, login.json.token);
  assert.equal((await alice.req("GET", `/api/v1/documents/${original.documentId}`)).status, 200);
  assert.equal((await alice.req("GET", `/api/v1/documents/${original.documentId}/file`)).status, 200);
  const result = await alice.req("GET", `/api/v1/ocr/jobs/${original.jobId}/result/txt`);
  assert.equal(result.status, 200);
  assert.equal(result.text, original.text);
}

describe("backups restore", async () => {
  it("SQLite: online backup of the database, then a copy of the blobs", async () => {
    const server = await startServer("sqlite");
    const restored = mkdtempSync(join(tmpdir(), "docket-restore-"));
    try {
      const original = await processOne((await createUsers(server.base)).alice);
      const live = new BetterSqlite3(join(server.db.dataDir, "docket.db"), { readonly: true });
      await live.backup(join(restored, "docket.db"));
      live.close();
      cpSync(join(server.db.dataDir, "blobs"), join(restored, "blobs"), { recursive: true });
      await server.close();

      const again = await startServer("sqlite", {
        DOCKET_DATA_DIR: restored,
        DATABASE_URL: `sqlite:${join(restored, "docket.db")}`,
      });
      try {
        await checkRestored(again.base, original);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(restored, { recursive: true, force: true });
    }
  });

  const skip = await skipReasonFor("postgres");
  it("PostgreSQL with S3 blobs: pg_dump and pg_restore, then a copy of the bucket prefix", { skip }, async () => {
    const s3 = await startLocalS3("docket-backup");
    const name = `docket_restore_${randomBytes(5).toString("hex")}`;
    const restoredUrl = new URL(POSTGRES_URL);
    restoredUrl.pathname = `/${name}`;
    try {
      const server = await startServer("postgres", { DOCKET_BLOB_URL: s3.url("live") });
      const dump = join(server.db.dataDir, "docket.dump");
      let original: Original;
      try {
        original = await processOne((await createUsers(server.base)).alice);
        execFileSync("pg_dump", ["-Fc", "-d", server.db.url, "-f", dump]);
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await admin.query(`create database ${name}`);
        await admin.end();
        execFileSync("pg_restore", ["--no-owner", "-d", restoredUrl.toString(), dump]);
        // The bucket copy: every object of the live prefix under the restored one.
        const from = S3BlobStore.fromUrl(s3.url("live"));
        const to = S3BlobStore.fromUrl(s3.url("restored"));
        for (const key of await from.list("")) await to.put(key, await from.getBuffer(key));
        from.close?.();
        to.close?.();
      } finally {
        await server.close();
      }
      const again = await startServer("postgres", {
        DATABASE_URL: restoredUrl.toString(),
        DOCKET_BLOB_URL: s3.url("restored"),
      });
      try {
        await checkRestored(again.base, original);
      } finally {
        await again.close();
      }
    } finally {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      await s3.close();
    }
  });
});
