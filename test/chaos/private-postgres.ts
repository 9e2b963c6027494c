/**
 * A PostgreSQL server of the chaos test's own (initdb in a temp folder, its own port), so the
 * test can restart it without disturbing anything else on the machine. Needs the PostgreSQL
 * server binaries and root (to run them as the `postgres` user), as in CI.
 */
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

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

  /** As asPostgres, without blocking the test's event loop (its clients and child pipes run meanwhile). */
  private async asPostgresAsync(tool: string, args: string[]): Promise<string> {
    const { stdout } = await run("runuser", ["-u", "postgres", "--", join(this.bin, tool), ...args]);
    return stdout;
  }

  private ctlArgs(action: "start" | "stop"): string[] {
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
    const args = ["-D", join(this.dir, "data"), "-l", join(this.dir, "server.log"), "-w", "-t", "120"];
    if (action === "start") args.push("-o", options);
    else args.push("-m", "fast");
    return [...args, action];
  }

  private ctl(action: "start" | "stop"): void {
    this.asPostgres("pg_ctl", this.ctlArgs(action));
  }

  /** True when the server accepts connections. */
  async accepting(): Promise<boolean> {
    return this.asPostgresAsync("pg_isready", ["-h", "127.0.0.1", "-p", String(this.port), "-t", "5"]).then(
      () => true,
      () => false,
    );
  }

  /** True while a postmaster runs on the data directory (starting, up, or shutting down). */
  private async postmasterRuns(): Promise<boolean> {
    return this.asPostgresAsync("pg_ctl", ["-D", join(this.dir, "data"), "status"]).then(
      () => true,
      () => false,
    );
  }

  async createDatabase(): Promise<void> {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres` });
    await client.connect();
    await client.query("create database docket");
    await client.end();
  }

  /**
   * A real restart: every connection is dropped, the server is down for a moment. A stop and
   * a start (not `pg_ctl restart`, which reuses the options recorded at the first start).
   * Asynchronous, so the test's clients and the pipes of its processes keep being served.
   * pg_ctl's wait can give up on a loaded machine while the server is still starting, and a
   * second `pg_ctl start` then fails on the running postmaster's lock: so a failed start is
   * followed by waiting for the server that runs, and a start is issued again only when no
   * postmaster runs. Resolves when the server accepts connections; throws after `timeoutMs`.
   */
  async restart(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.asPostgresAsync("pg_ctl", this.ctlArgs("stop"));
    let lastError: unknown = null;
    while (Date.now() < deadline) {
      if (await this.accepting()) return;
      if (!(await this.postmasterRuns())) {
        await this.asPostgresAsync("pg_ctl", this.ctlArgs("start")).catch((error: unknown) => (lastError = error));
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`PostgreSQL did not come back within ${timeoutMs} ms: ${String(lastError)}`);
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
