/**
 * The `docket` command as a person runs it: a real subprocess (the TypeScript sources
 * through tsx, so no build is needed), against a real server started in this process on a
 * loopback port, or in local mode on a temp data dir.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DialectName } from "../../src/db/database.js";
import type { PipelineDefinition } from "../../src/engine/pipeline.js";
import { createDocket, type Docket, type DocketOverrides, type PipelineDeps } from "../../src/app/docket.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { apiTestPipeline, client, startServer, type TestServer } from "../api/support.js";
import { waitFor } from "../support/wait-for.js";

export const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The node arguments that run `docket`: the sources compiled once by `npm test`
 * (scripts/run-tests.mjs sets DOCKET_TEST_BUILD), or, when a file is run on its own, the
 * TypeScript sources through tsx. The compiled CLI starts in a third of tsx's time, and the
 * CLI suites start it a few hundred times.
 */
export function cliCommand(): string[] {
  const build = process.env.DOCKET_TEST_BUILD;
  return build ? [join(build, "cli", "main.js")] : ["--import", "tsx", CLI];
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Called with the child as soon as it is spawned (to signal it, or read output while it runs). */
  onSpawn?: (child: ChildProcess, output: { stdout: () => string; stderr: () => string }) => void;
}

/**
 * The environment a test CLI starts from: this process's, without any Docket setting the
 * developer may have exported (a stray DOCKET_URL would turn local tests remote).
 */
export function baseEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(DOCKET_(?!TEST_|SHARED_DATA|CHROMIUM)|DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$)/.test(name)) continue;
    env[name] = value;
  }
  return env;
}

/** Runs `docket <args>` to completion (asynchronously: an in-process server keeps answering). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const started = Date.now();
  const env = { ...baseEnv(), ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  options.onSpawn?.(child, { stdout: () => stdout, stderr: () => stderr });
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`docket ${args.join(" ")} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Waits until `probe` returns something truthy. */
export function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  return waitFor(what, probe, timeoutMs, 50);
}

/**
 * What the CLI test pipeline does with a file, by its name: `fail*` fails at ocr
 * (corrupt_file), `slow*` reports 10 items of progress over 3 s, `hang*` runs its first
 * attempt until cancelled (a retry then goes through); anything else reports 3 items quickly.
 */
function scriptFor(filename: string, attempt: number): Record<string, string> {
  if (filename.startsWith("fail")) return { ocr: "fail" };
  if (filename.startsWith("slow")) return { ocr: "progress:10:300" };
  if (filename.startsWith("hang") && attempt === 1) return { ocr: "sleep:600000" };
  return { ocr: "progress:3:100" };
}

/** File names whose `gate*` job may finish its ocr step (see cliPipelines). */
const openGates = new Set<string>();

/** Lets the ocr step of the `gate*` file with this name finish. */
export function openGate(filename: string): void {
  openGates.add(filename);
}

/**
 * The "ocr" pipeline of CLI tests: the API tests' pipeline, scripted by file name
 * (scriptFor); a `gate*` file's ocr step reports progress every 150 ms until the test opens
 * its gate, so a test can act while it is surely running.
 */
export function cliPipelines({ blobStore, database }: PipelineDeps): PipelineDefinition[] {
  const scripts = new Map<string, Record<string, string>>();
  const inner = apiTestPipeline(blobStore, scripts);
  return [
    {
      ...inner,
      handler: (step) => async (ctx) => {
        const filename =
          (
            await database.db
              .selectFrom("documents")
              .select("filename")
              .where("id", "=", ctx.documentId)
              .executeTakeFirst()
          )?.filename ?? "";
        if (filename.startsWith("gate") && step === "ocr") {
          for (let i = 1; !openGates.has(filename); i++) {
            ctx.progress(i, 1000, `item ${i} of many`);
            await sleep(150, undefined, { signal: ctx.signal });
          }
          return { detail: { gated: true } };
        }
        scripts.set(ctx.documentId ?? "", scriptFor(filename, ctx.attempt));
        return inner.handler(step)!(ctx);
      },
    },
  ];
}

/** The real server (SQLite or PostgreSQL) whose "ocr" pipeline is scripted by file name. */
export async function startCliServer(
  dialect: DialectName = "sqlite",
  env: Record<string, string> = {},
  overrides: DocketOverrides = {},
): Promise<TestServer> {
  return startServer(dialect, { DOCKET_MAX_UPLOAD_MB: "5", ...env }, { pipelines: cliPipelines, ...overrides });
}

/** A real server on an existing data dir (SQLite), e.g. beside a local-mode CLI. */
export async function startServerOn(
  dataDir: string,
): Promise<{ docket: Docket; base: string; close(): Promise<void> }> {
  const config = loadConfig(
    { PORT: "0", HOST: "127.0.0.1", DOCKET_DATA_DIR: dataDir, DOCKET_WORKERS: "2", LOG_LEVEL: "silent" },
    { file: null },
  );
  const docket = await createDocket(config, {
    log: silentLogger(),
    pipelines: cliPipelines,
    worker: { leaseMs: 2_000, pollMs: 100, cancelPollMs: 100, progressIntervalMs: 20 },
    passwordHashing: { memoryCost: 1024, timeCost: 1 },
    fsync: false,
  });
  const base = await docket.listen();
  return { docket, base, close: () => docket.close() };
}

/** Runs setup on a fresh server and returns the admin's login token. */
export async function adminToken(base: string): Promise<string> {
  const anon = client(base);
  const setup = await anon.req("POST", "/api/v1/setup", {
    json: { email: "admin@example.test", password: "admin-password" },
  });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${setup.text}`);
  const login = await anon.req("POST", "/api/v1/auth/login", {
    json: { email: "admin@example.test", password: "admin-password" },
  });
  return login.json.token as string;
}
