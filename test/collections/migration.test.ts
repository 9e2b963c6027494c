/**
 * 0003_collections upgrades a database that already holds jobs: every row, index and
 * foreign key survives (SQLite rebuilds `jobs` and `job_events`), the event id sequence
 * does not restart, and a job or event without a document is accepted afterwards.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { openDatabase, type Database, type DialectName } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrator.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import { POSTGRES_URL } from "../support/environment.js";
import { seedDocuments } from "../support/seed.js";

interface Fresh {
  database: Database;
  drop(): Promise<void>;
}

/** A database at 0002_fields (createTestDatabase always migrates to the newest). */
async function databaseAt0002(dialect: DialectName): Promise<Fresh> {
  const dataDir = mkdtempSync(join(tmpdir(), "docket-migration-"));
  if (dialect === "sqlite") {
    const database = await openDatabase({ url: `sqlite:${join(dataDir, "docket.db")}`, dataDir });
    await migrate(database, { upTo: "0002_fields" });
    return {
      database,
      drop: async () => {
        await database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `docket_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir, poolSize: 2 });
  await migrate(database, { upTo: "0002_fields" });
  return {
    database,
    drop: async () => {
      await database.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const now = Date.now();

function jobRow(id: string, documentId: string | null, ownerId: string) {
  return {
    id,
    document_id: documentId,
    owner_id: ownerId,
    batch_id: null,
    pipeline: "ocr",
    options: "{}",
    status: "completed",
    priority: 5,
    attempt: 1,
    max_attempts: 3,
    run_at: now,
    lease_owner: null,
    lease_expires_at: null,
    cancel_requested_at: null,
    progress_phase: null,
    progress_step: 1,
    progress_total: 1,
    progress_percent: 100,
    progress_message: null,
    error_code: null,
    error_message: null,
    review_reason: null,
    created_at: now,
    started_at: now,
    completed_at: now,
    updated_at: now,
    version: 7,
  };
}

function eventRow(jobId: string, documentId: string | null, ownerId: string) {
  return {
    job_id: jobId,
    document_id: documentId,
    owner_id: ownerId,
    batch_id: null,
    step: null,
    status: "completed",
    message: null,
    detail: null,
    attempt: 1,
    created_at: now,
  };
}

async function indexNames(database: Database, table: string): Promise<string[]> {
  const query =
    database.dialect === "sqlite"
      ? sql<{
          name: string;
        }>`select name from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`
      : sql<{
          name: string;
        }>`select indexname as name from pg_indexes where tablename = ${table} and indexname not like '%_pkey'`;
  return (await query.execute(database.db)).rows.map((r) => r.name).sort();
}

for (const dialect of DIALECTS) {
  describe(`migration 0003_collections on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let fresh: Fresh;
    let ownerId: string;
    let documentId: string;
    let maxEventId: number;

    before(async () => {
      if (skip) return;
      fresh = await databaseAt0002(dialect);
      const db = fresh.database.db;
      const seeded = await seedDocuments(fresh.database, 1);
      ownerId = seeded.ownerId;
      documentId = seeded.documentIds[0]!;
      // Raw inserts: the typed schema already describes the migrated tables.
      const raw = db as unknown as import("kysely").Kysely<Record<string, Record<string, unknown>>>;
      await raw
        .insertInto("jobs")
        .values(jobRow("job-old", documentId, ownerId))
        .execute();
      await raw
        .insertInto("job_steps")
        .values({ job_id: "job-old", name: "ocr", position: 0, status: "success", attempts: 1, job_attempt: 1 })
        .execute();
      await raw
        .insertInto("artifacts")
        .values({
          id: "artifact-old",
          job_id: "job-old",
          document_id: documentId,
          owner_id: ownerId,
          kind: "txt",
          blob_key: "jobs/job-old/export/text.txt",
          mime_type: "text/plain",
          size_bytes: 3,
          created_at: now,
        })
        .execute();
      for (let i = 0; i < 3; i++)
        await raw
          .insertInto("job_events")
          .values(eventRow("job-old", documentId, ownerId))
          .execute();
      // The newest event is gone (as if pruned): its id must still never be handed out again.
      const ids = (await sql<{ id: number }>`select id from job_events order by id`.execute(db)).rows.map((r) =>
        Number(r.id),
      );
      maxEventId = Math.max(...ids);
      await sql`delete from job_events where id = ${maxEventId}`.execute(db);
      await migrate(fresh.database);
    });
    after(async () => {
      if (!skip) await fresh.drop();
    });

    it("keeps every row of the rebuilt tables and their dependants", { skip }, async () => {
      const db = fresh.database.db;
      const job = await db.selectFrom("jobs").selectAll().where("id", "=", "job-old").executeTakeFirstOrThrow();
      assert.equal(job.document_id, documentId);
      assert.equal(Number(job.version), 7);
      assert.equal((job as unknown as { collection_id: unknown }).collection_id, null);
      const steps = await db.selectFrom("job_steps").selectAll().where("job_id", "=", "job-old").execute();
      assert.equal(steps.length, 1);
      const artifacts = await db.selectFrom("artifacts").selectAll().where("job_id", "=", "job-old").execute();
      assert.equal(artifacts.length, 1);
      const events = await db.selectFrom("job_events").selectAll().where("job_id", "=", "job-old").execute();
      assert.equal(events.length, 2);
    });

    it("recreates every index of jobs and job_events and adds the collection ones", { skip }, async () => {
      assert.deepEqual(await indexNames(fresh.database, "jobs"), [
        "jobs_batch_idx",
        "jobs_claim_idx",
        "jobs_collection_idx",
        "jobs_document_idx",
        "jobs_lease_idx",
        "jobs_one_active_per_document_idx", // 0005, after it
        "jobs_owner_idx",
      ]);
      const eventIndexes = (await indexNames(fresh.database, "job_events")).filter((n) => n !== "job_events_tx_idx");
      assert.deepEqual(eventIndexes, [
        "job_events_batch_idx",
        "job_events_collection_idx",
        "job_events_document_idx",
        "job_events_job_idx",
        "job_events_owner_idx",
      ]);
    });

    it("never hands out an event id again", { skip }, async () => {
      const raw = fresh.database.db as unknown as import("kysely").Kysely<Record<string, Record<string, unknown>>>;
      const inserted = await raw
        .insertInto("job_events")
        .values(eventRow("job-old", documentId, ownerId))
        .returning("id")
        .executeTakeFirstOrThrow();
      assert.ok(Number(inserted.id) > maxEventId, `${String(inserted.id)} > ${maxEventId}`);
    });

    it("accepts a collection job and its events without a document", { skip }, async () => {
      const db = fresh.database.db;
      await db
        .insertInto("collections")
        .values({
          id: "col-1",
          owner_id: ownerId,
          name: "March",
          created_at: now,
          updated_at: now,
          deleted_at: null,
          version: 1,
        })
        .execute();
      await db
        .insertInto("collection_documents")
        .values({ collection_id: "col-1", document_id: documentId, owner_id: ownerId, position: 0, added_at: now })
        .execute();
      const raw = db as unknown as import("kysely").Kysely<Record<string, Record<string, unknown>>>;
      await raw
        .insertInto("jobs")
        .values({ ...jobRow("job-col", null, ownerId), collection_id: "col-1" })
        .execute();
      await raw
        .insertInto("job_events")
        .values({ ...eventRow("job-col", null, ownerId), collection_id: "col-1" })
        .execute();
      const events = await sql<{
        n: number;
      }>`select count(*) as n from job_events where collection_id = 'col-1'`.execute(db);
      assert.equal(Number(events.rows[0]!.n), 1);
      // A collection job's outputs are artifacts without a document.
      await raw
        .insertInto("artifacts")
        .values({
          id: "artifact-col",
          job_id: "job-col",
          document_id: null,
          owner_id: ownerId,
          kind: "collection_pdf",
          blob_key: "jobs/job-col/compile_pdf/collection.pdf",
          mime_type: "application/pdf",
          size_bytes: 3,
          created_at: now,
        })
        .execute();
    });

    it("still enforces the foreign keys of jobs and of the tables that reference it", { skip }, async () => {
      const raw = fresh.database.db as unknown as import("kysely").Kysely<Record<string, Record<string, unknown>>>;
      await assert.rejects(
        raw
          .insertInto("jobs")
          .values(jobRow("job-bad-doc", "no-such-document", ownerId))
          .execute(),
      );
      await assert.rejects(
        raw
          .insertInto("jobs")
          .values({ ...jobRow("job-bad-col", null, ownerId), collection_id: "no-such-collection" })
          .execute(),
      );
      await assert.rejects(
        raw
          .insertInto("job_steps")
          .values({ job_id: "no-such-job", name: "ocr", position: 0, status: "pending", attempts: 0, job_attempt: 0 })
          .execute(),
      );
      await assert.rejects(
        raw
          .insertInto("artifacts")
          .values({
            id: "a-bad",
            job_id: "no-such-job",
            owner_id: ownerId,
            kind: "txt",
            blob_key: "k",
            mime_type: "t",
            size_bytes: 1,
            created_at: now,
          })
          .execute(),
      );
      // Deleting a job still cascades to its steps and artifacts.
      await sql`delete from jobs where id = 'job-old'`.execute(fresh.database.db);
      const steps = await sql<{ n: number }>`select count(*) as n from job_steps where job_id = 'job-old'`.execute(
        fresh.database.db,
      );
      assert.equal(Number(steps.rows[0]!.n), 0);
      const artifacts = await sql<{ n: number }>`select count(*) as n from artifacts where job_id = 'job-old'`.execute(
        fresh.database.db,
      );
      assert.equal(Number(artifacts.rows[0]!.n), 0);
    });

    it("is recorded once and is not applied again", { skip }, async () => {
      const report = await migrate(fresh.database);
      assert.deepEqual(report.applied, []);
      const rows = await sql<{ id: string }>`select id from docket_migrations where id = '0003_collections'`.execute(
        fresh.database.db,
      );
      assert.equal(rows.rows.length, 1);
    });
  });
}
