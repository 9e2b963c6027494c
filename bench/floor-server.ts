/**
 * The floor for bench:api's status latency: the least a status endpoint can do. node:http
 * (no framework, no authentication) answering GET /<document id> with one prepared
 * primary-key read from the same database, as JSON: through node-postgres on PostgreSQL,
 * through better-sqlite3 on SQLite. Run beside Docket's server at the same rate, it shows
 * what this machine's loopback TCP, process scheduling and one database read cost on their
 * own, before any of Docket's work; Docket's status latency is reported as a ratio to it.
 *   tsx bench/floor-server.ts <postgres url | sqlite:<path>>
 * Prints "listening <base url>"; SIGTERM closes it.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";

const url = process.argv[2];
if (!url) {
  console.error("usage: floor-server <postgres url | sqlite:<path>>");
  process.exit(2);
}
const SELECT = "select id, filename, latest_job_id, updated_at from documents where id = ";

function send(res: ServerResponse, row: unknown): void {
  const body = JSON.stringify(row ?? null);
  res
    .writeHead(row ? 200 : 404, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    .end(body);
}

let read: (id: string) => Promise<unknown>;
let close: () => Promise<void>;
if (url.startsWith("sqlite:")) {
  const connection = new BetterSqlite3(url.slice("sqlite:".length), { readonly: true });
  connection.pragma("journal_mode = WAL");
  const statement = connection.prepare(`${SELECT}?`);
  read = async (id) => statement.get(id);
  close = async () => {
    connection.close();
  };
} else {
  // The same pool size as Docket's default.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  read = async (id) => (await pool.query({ name: "floor_document", text: `${SELECT}$1`, values: [id] })).rows[0];
  close = () => pool.end();
}
const server = createServer((req, res) => {
  read((req.url ?? "/").slice(1)).then(
    (row) => send(res, row),
    (error: Error) => res.writeHead(500).end(error.message),
  );
});
server.keepAliveTimeout = 72_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  void close().then(() => process.exit(0));
});
