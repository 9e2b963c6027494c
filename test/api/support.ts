/**
 * The real server for API tests: createDocket on a fresh SQLite file or PostgreSQL database,
 * listening on a loopback port, driven over HTTP with fetch. Jobs run through a scriptable
 * "ocr" pipeline whose export step writes real artifact blobs.
 */
import { randomBytes } from "node:crypto";
import { after, before } from "node:test";
import type { BlobStore } from "../../src/blob/blob-store.js";
import { loadConfig } from "../../src/config.js";
import type { DialectName } from "../../src/db/database.js";
import type { PipelineDefinition, StepContext } from "../../src/engine/pipeline.js";
import { createDocket, type Docket, type DocketOverrides } from "../../src/app/docket.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { createTestPipeline } from "../support/test-pipeline.js";
import { waitFor } from "../support/wait-for.js";

export const STEPS = ["validate", "ocr", "export"];

const MIME: Record<string, string> = {
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  json: "application/json",
  hocr: "text/html; charset=utf-8",
  pdf: "application/pdf",
};

/**
 * The "ocr" pipeline for API tests. `scripts.get(documentId)` scripts its steps like
 * createTestPipeline (e.g. `{ ocr: "sleep:5000" }`); an unscripted export writes one artifact per output.
 */
export function apiTestPipeline(
  blobStore: BlobStore,
  scripts: Map<string, Record<string, string>>,
): PipelineDefinition {
  const inner = createTestPipeline({ steps: STEPS, name: "ocr" });
  return {
    name: "ocr",
    plan: () => STEPS,
    handler: (step) => async (ctx: StepContext) => {
      const script = scripts.get(ctx.documentId ?? "") ?? {};
      if (step === "export" && !script.export) {
        const text = `Hello from document ${ctx.documentId}`;
        const bodies: Record<string, string | Buffer> = {
          txt: text,
          md: `# Page 1\n\n${text}\n`,
          json: JSON.stringify({
            version: 1,
            documentId: ctx.documentId,
            languages: ctx.options.languages,
            engine: "test",
            pages: [
              {
                number: 1,
                width: 10,
                height: 10,
                dpi: 300,
                source: "ocr",
                rotation: 0,
                skew: 0,
                confidence: 91.5,
                blocks: [],
              },
            ],
          }),
          hocr: `<html><body><div class="ocr_page">${text}</div></body></html>`,
          pdf: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`),
        };
        const artifacts = [];
        for (const kind of ctx.options.outputs) {
          const key = `${ctx.workspace}out.${kind}`;
          const { size } = await blobStore.put(key, bodies[kind]!);
          artifacts.push({ kind, blobKey: key, mimeType: MIME[kind]!, sizeBytes: size });
        }
        return { artifacts, numPages: 1, detail: { outputs: ctx.options.outputs } };
      }
      return inner.handler(step)!({ ...ctx, options: { ...ctx.options, script } });
    },
  };
}

export interface TestServer {
  docket: Docket;
  base: string;
  scripts: Map<string, Record<string, string>>;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function startServer(
  dialect: DialectName,
  env: Record<string, string> = {},
  overrides: DocketOverrides = {},
): Promise<TestServer> {
  const db = await createTestDatabase(dialect);
  const scripts = new Map<string, Record<string, string>>();
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DOCKET_DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    DOCKET_WORKERS: "2",
    DOCKET_MAX_UPLOAD_MB: "0.25",
    LOG_LEVEL: "silent",
    DOCKET_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "100000",
    DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: "100000",
    ...env,
  });
  const docket = await createDocket(config, {
    log: silentLogger(),
    pipelines: ({ blobStore }) => [apiTestPipeline(blobStore, scripts)],
    worker: { leaseMs: 2_000, pollMs: 100, cancelPollMs: 100, progressIntervalMs: 20 },
    engine: { backoff: { baseMs: 20, maxMs: 100 }, rescueIntervalMs: 500 },
    passwordHashing: { memoryCost: 1024, timeCost: 1 },
    fsync: false,
    ...overrides,
  });
  const base = await docket.listen();
  return {
    docket,
    base,
    scripts,
    db,
    close: async () => {
      await docket.close();
      await db.drop();
    },
  };
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface Client {
  token: string | null;
  req(
    method: string,
    path: string,
    init?: { json?: unknown; body?: FormData | string; headers?: Record<string, string> },
  ): Promise<Res>;
  upload(
    bytes: Uint8Array,
    filename?: string,
    fields?: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<Res>;
}

export function client(base: string, token: string | null = null): Client {
  const req: Client["req"] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers };
    let body = init.body;
    if (init.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(init.json);
    }
    const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return {
    token,
    req,
    upload: (bytes, filename = "scan.png", fields = {}, headers = {}) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(name, v);
      form.append("file", new Blob([bytes]), filename);
      return req("POST", "/api/v1/documents/upload", { body: form, headers });
    },
  };
}

/** A small "PNG" (real signature, random body: unique per call unless `seed` is reused). */
export function pngBytes(size = 256, seed?: Buffer): Uint8Array {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const body = seed ?? randomBytes(Math.max(0, size - signature.length));
  return new Uint8Array(Buffer.concat([signature, body]));
}

export function pdfBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(`%PDF-1.4\n%${randomBytes(16).toString("hex")}\n%%EOF\n`));
}

export interface Users {
  admin: Client;
  alice: Client;
  bob: Client;
  anon: Client;
}

/** Setup (admin) and two users, each logged in with a bearer token. */
export async function createUsers(base: string): Promise<Users> {
  const anon = client(base);
  const setup = await anon.req("POST", "/api/v1/setup", {
    json: { email: "admin@example.test", password: "admin-password" },
  });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${setup.text}`);
  const login = async (email: string, password: string) => {
    const res = await anon.req("POST", "/api/v1/auth/login", { json: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    return client(base, res.json.token as string);
  };
  const admin = await login("admin@example.test", "admin-password");
  for (const name of ["alice", "bob"]) {
    const res = await admin.req("POST", "/api/v1/users", {
      json: { email: `${name}@example.test`, password: `${name}-password`, role: "user" },
    });
    if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${res.text}`);
  }
  return {
    admin,
    alice: await login("alice@example.test", "alice-password"),
    bob: await login("bob@example.test", "bob-password"),
    anon,
  };
}

export { waitFor } from "../support/wait-for.js";

export async function waitForJob(c: Client, jobId: string, statuses: string[], timeoutMs = 10_000) {
  return waitFor(
    `job ${jobId} to be ${statuses.join("/")}`,
    async () => {
      const res = await c.req("GET", `/api/v1/ocr/jobs/${jobId}`);
      return statuses.includes(res.json?.status) ? res.json : undefined;
    },
    timeoutMs,
  );
}

export interface SseMessage {
  id: string | null;
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  /** When this client parsed the message (epoch ms, sub-millisecond): for latency measurements. */
  receivedAt: number;
}

/** A minimal EventSource over fetch: collects messages, can be closed mid-stream. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  status = 0;
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  readonly done: Promise<void>;
  private opened!: () => void;
  readonly ready = new Promise<void>((r) => (this.opened = r));

  constructor(base: string, path: string, token: string, lastEventId?: string) {
    this.done = (async () => {
      try {
        const res = await fetch(`${base}${path}`, {
          headers: {
            authorization: `Bearer ${token}`,
            accept: "text/event-stream",
            ...(lastEventId ? { "last-event-id": lastEventId } : {}),
          },
          signal: this.controller.signal,
        });
        this.status = res.status;
        this.opened();
        if (!res.body) return;
        const decoder = new TextDecoder();
        let buffer = "";
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let index: number;
          while ((index = buffer.indexOf("\n\n")) !== -1) {
            const block = buffer.slice(0, index);
            buffer = buffer.slice(index + 2);
            this.parse(block);
          }
        }
      } catch (error) {
        if ((error as Error).name !== "AbortError") throw error;
      } finally {
        this.opened();
        this.wakeAll();
      }
    })();
  }

  private parse(block: string): void {
    let id: string | null = null;
    let event = "message";
    const data: string[] = [];
    let comment = false;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) comment = true;
      else if (line.startsWith("id:")) id = line.slice(3).trim();
      else if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) {
      if (comment) this.comments++;
      this.wakeAll();
      return;
    }
    this.messages.push({
      id,
      event,
      data: JSON.parse(data.join("\n")),
      receivedAt: performance.timeOrigin + performance.now(),
    });
    this.wakeAll();
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async until(what: string, predicate: (messages: SseMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `SSE: timed out waiting for ${what}; got ${this.messages.map((m) => `${m.event}:${m.data?.event?.status ?? ""}`).join(", ")}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done.catch(() => undefined);
  }
}

/**
 * The API suites' shared setup: a server of the dialect (started in `before`, closed in
 * `after`) and its users. Call it inside a `describe`; `server` and `u` are ready in the tests.
 */
export async function serverWithUsers(
  dialect: DialectName,
  env: Record<string, string> = {},
): Promise<{ skip: string | undefined; readonly server: TestServer; readonly u: Users }> {
  const skip = await skipReasonFor(dialect);
  let server: TestServer | undefined;
  let users: Users | undefined;
  before(async () => {
    if (skip) return;
    server = await startServer(dialect, env);
    users = await createUsers(server.base);
  });
  after(async () => {
    if (!skip) await server?.close();
  });
  return {
    skip,
    get server() {
      return server!;
    },
    get u() {
      return users!;
    },
  };
}
