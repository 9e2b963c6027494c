/**
 * Real databases for tests: a fresh SQLite file in a temp dir, or a fresh PostgreSQL
 * database created for the test file and dropped after it. The conformance suites loop
 * over `DIALECTS` so SQLite and PostgreSQL run the very same tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database, type DialectName } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrator.js";
import { POSTGRES_URL, postgresSkipReason } from "./environment.js";

export const DIALECTS: readonly DialectName[] = ["sqlite", "postgres"];

export interface TestDatabase {
  database: Database;
  /** The URL other processes use to open the same database. */
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

export async function skipReasonFor(dialect: DialectName): Promise<string | undefined> {
  return dialect === "postgres" ? postgresSkipReason() : undefined;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), "docket-test-"));
  if (dialect === "sqlite") {
    const url = `sqlite:${join(dataDir, "docket.db")}`;
    const database = await openDatabase({ url, dataDir });
    await migrate(database);
    return {
      database,
      url,
      dataDir,
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
  const url = withDatabase(POSTGRES_URL, name);
  const database = await openDatabase({ url, dataDir, poolSize: 10 });
  await migrate(database);
  return {
    database,
    url,
    dataDir,
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
