/**
 * A PostgreSQL server of the chaos test's own (initdb in a temp folder, its own port), so the
 * test can restart it without disturbing anything else on the machine. Needs the PostgreSQL
 * server binaries and root (to run them as the `postgres` user), as in CI.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "pg_ctl")));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  /** The server, or why it cannot run here. */
  static async start(): Promise<PrivatePostgres | string> {
    const bin = binDir();
    if (!bin) return "no PostgreSQL server binaries under /usr/lib/postgresql";
    if (process.getuid?.() !== 0)
      return "needs root to run a private PostgreSQL as the postgres user (CI runs as root)";
    const dir = mkdtempSync(join(tmpdir(), "docket-chaos-pg-"));
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
    const server = new PrivatePostgres(bin, dir, await freePort());
    server.asPostgres("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]);
    server.ctl("start");
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/docket`;
  }

  private asPostgres(tool: string, args: string[]): void {
    execFileSync("runuser", ["-u", "postgres", "--", join(this.bin, tool), ...args], { stdio: "pipe" });
  }

  private ctl(action: "start" | "restart" | "stop"): void {
    const options = [
      "-p",
      String(this.port),
      "-k",
      this.dir,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=300",
    ].join(" ");
    const args = ["-D", join(this.dir, "data"), "-l", join(this.dir, "server.log"), "-w", "-t", "60"];
    if (action !== "stop") args.push("-o", options);
    if (action !== "start") args.push("-m", "fast");
    this.asPostgres("pg_ctl", [...args, action]);
  }

  async createDatabase(): Promise<void> {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres` });
    await client.connect();
    await client.query("create database docket");
    await client.end();
  }

  /**
   * A real restart: every connection is dropped, the server is down for a moment. A stop and
   * a start (not `pg_ctl restart`, which reuses the options recorded at the first start and
   * gave up under load); the start is retried until the server answers.
   */
  restart(): void {
    this.ctl("stop");
    for (let attempt = 1; ; attempt++) {
      try {
        this.ctl("start");
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }

  stop(): void {
    try {
      this.ctl("stop");
    } catch {
      // Already stopped.
    } finally {
      if (statSync(this.dir, { throwIfNoEntry: false })) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
