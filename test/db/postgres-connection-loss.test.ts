/**
 * A PostgreSQL restart (or pg_terminate_backend) ends every connection, including one that
 * is checked out between two queries. That must fail the next query, not the process: the
 * chaos test's API process died on an unhandled 'error' event of such a connection when
 * its PostgreSQL restarted.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { createTestDatabase, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { POSTGRES_URL } from "../support/environment.js";

const skip = await skipReasonFor("postgres");

describe("PostgreSQL connection lost while checked out", { skip }, () => {
  let test: TestDatabase;
  before(async () => {
    test = await createTestDatabase("postgres");
  });
  after(() => test.drop());

  it("fails the held connection's next query, keeps the process up, and the pool serves on", async () => {
    const { db, pgPool } = test.database;
    // Checked out and idle between two queries, as inside a transaction: no query of its own runs.
    const client = await pgPool!.connect();
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    // (events.once would listen for "error" itself.)
    const ended = new Promise((resolve) => client.once("end", resolve));
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
    await admin.end();
    // Without a listener of ours, the 'error' emitted before 'end' is thrown out of the event loop.
    await ended;
    await assert.rejects(client.query("select 1"));
    client.release();
    const served = await sql<{ one: number }>`select 1 as one`.execute(db);
    assert.equal(served.rows[0]!.one, 1);
  });
});
