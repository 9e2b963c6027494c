/**
 * A baseline for bench:api on PostgreSQL: the least a status endpoint can do. node:http
 * (no framework, no authentication) answering GET /<document id> with one prepared
 * primary-key read from the same database through node-postgres, as JSON. Run beside
 * Docket's server at the same rate, it shows what this machine's loopback TCP, process
 * scheduling and PostgreSQL round trip cost on their own, before any of Docket's work.
 *   tsx bench/pg-baseline-server.ts <postgres url>
 * Prints "listening <base url>"; SIGTERM closes it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";

const url = process.argv[2];
if (!url) {
  console.error("usage: pg-baseline-server <postgres url>");
  process.exit(2);
}
// The same pool size as Docket's default.
const pool = new pg.Pool({ connectionString: url, max: 10 });
const server = createServer((req, res) => {
  const id = (req.url ?? "/").slice(1);
  pool
    .query({
      name: "baseline_document",
      text: "select id, filename, latest_job_id, updated_at from documents where id = $1",
      values: [id],
    })
    .then(
      (result) => {
        const body = JSON.stringify(result.rows[0] ?? null);
        res
          .writeHead(result.rows.length > 0 ? 200 : 404, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          })
          .end(body);
      },
      (error: Error) => res.writeHead(500).end(error.message),
    );
});
server.keepAliveTimeout = 72_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
