/**
 * What the environment offers the tests. A test that needs something absent skips with a
 * clear message locally; under `.ci/run` (DOCKET_TEST_REQUIRE lists what CI provides) the
 * same absence is a failure, so a skipped test can never hide a broken CI.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";

const required = new Set(
  (process.env.DOCKET_TEST_REQUIRE ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

export type Requirement = "postgres" | "data" | "chromium" | "tesseract" | "webdav";

/** Returns a skip message when the requirement is missing and not required; throws when required. */
function absent(what: Requirement, message: string): string {
  if (required.has(what)) throw new Error(`required by DOCKET_TEST_REQUIRE but missing: ${message}`);
  return `skipped: ${message}`;
}

export const POSTGRES_URL = process.env.DOCKET_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let pgProbe: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL is reachable; otherwise a skip reason (or throws under CI). */
export function postgresSkipReason(): Promise<string | undefined> {
  pgProbe ??= (async () => {
    // A loaded machine can be slow to accept a connection: be patient before calling it absent.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 10_000 });
      try {
        await client.connect();
        await client.query("select 1");
        return undefined;
      } catch (error) {
        lastError = error;
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return absent("postgres", `PostgreSQL not reachable at ${POSTGRES_URL} (${String(lastError)})`);
  })();
  return pgProbe;
}

/** ../shared/data beside the checkout (real scans with ground truth). */
export const SHARED_DATA_DIR =
  process.env.DOCKET_SHARED_DATA ?? fileURLToPath(new URL("../../../shared/data/", import.meta.url));

export function sharedDataSkipReason(): string | undefined {
  if (existsSync(SHARED_DATA_DIR)) return undefined;
  return absent("data", `shared data folder not found at ${SHARED_DATA_DIR}`);
}

export const CHROMIUM_PATH = process.env.DOCKET_CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return absent("chromium", `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
}

export const RCLONE_PATH = process.env.DOCKET_RCLONE_PATH ?? "/usr/bin/rclone";

/** WebDAV tests run a real server: `rclone serve webdav` (Debian's rclone package). */
export function webdavSkipReason(): string | undefined {
  if (existsSync(RCLONE_PATH)) return undefined;
  return absent("webdav", `rclone not found at ${RCLONE_PATH} (apt-get install -y rclone) to serve WebDAV`);
}
