/**
 * The client over the HTTP API (API.md), with Node's fetch. Errors become one clear line:
 * problem+json answers keep their code; a server that cannot be reached says so with the
 * system's error code. The event stream resumes with Last-Event-ID when it breaks.
 */
import { openAsBlob } from "node:fs";
import { RemoteCollections } from "./collections.js";
import { RemoteDelivery } from "../commands/destinations-client.js";
import { basename } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { setTimeout as sleep } from "node:timers/promises";
import type { DocumentStatus, OutputFormat } from "../../domain/types.js";
import { CliError, EXIT, refusal } from "../errors.js";
import type {
  ApiTokenInfo,
  DocketClient,
  DocumentJson,
  DocumentType,
  EventMessage,
  FieldsJson,
  JobJson,
  ListDocuments,
  Page,
  ResultJson,
  ReviewDecision,
  Role,
  SubmitOptions,
  UnifiedStatus,
  UploadResult,
  User,
  WatchHandlers,
} from "./client.js";
import { parseSse } from "./sse.js";

export interface RemoteOptions {
  url: string;
  token: string | null;
  /** Give up resuming the event stream after this long without a connection. */
  reconnectForMs?: number;
  /** No byte (not even a keep-alive comment) for this long: the connection is dead. */
  idleMs?: number;
}

/** The system error code behind a failed fetch (ECONNREFUSED, ENOTFOUND, …), else the innermost message. */
function networkCode(error: unknown): string | null {
  const seen = new Set<unknown>();
  let e: unknown = error;
  let message: string | null = null;
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    if (e instanceof Error && e.message) message = e.message;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      e = errors[0];
      continue;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

export class RemoteClient implements DocketClient {
  readonly mode = "remote";
  readonly description: string;
  private readonly base: string;
  readonly collections = new RemoteCollections(
    (method, path, init) => this.json(method, path, init),
    (method, path, init) => this.send(method, path, init),
  );
  readonly delivery = new RemoteDelivery((method, path, init) => this.json(method, path, init));

  constructor(private readonly options: RemoteOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new CliError(
        `--url / DOCKET_URL must be an http(s) URL like http://127.0.0.1:3000 (got ${JSON.stringify(options.url)})`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new CliError(`--url / DOCKET_URL must start with http:// or https:// (got ${JSON.stringify(options.url)})`);
    this.base = url.toString().replace(/\/+$/, "");
    this.description = this.base;
  }

  private unreachable(error: unknown): CliError {
    const code = networkCode(error) ?? (error instanceof Error ? error.message : String(error));
    return new CliError(
      `cannot reach ${this.base} (${code}): is the server running? check --url / DOCKET_URL`,
      EXIT.usage,
      "unreachable",
    );
  }

  /** One request; a problem+json answer or an unreachable server throws CliError. */
  private async send(
    method: string,
    path: string,
    init: {
      json?: unknown;
      body?: FormData;
      headers?: Record<string, string>;
      signal?: AbortSignal;
      token?: string | null;
    } = {},
  ): Promise<Response> {
    const token = init.token === undefined ? this.options.token : init.token;
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    };
    let body: string | FormData | undefined = init.body;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw this.unreachable(error);
    }
    if (res.ok || res.status === 304) return res;
    const text = await res.text().catch(() => "");
    let code = res.status === 401 ? "unauthorized" : "http_error";
    let detail = text.slice(0, 300) || res.statusText;
    try {
      const problem = JSON.parse(text) as { code?: unknown; detail?: unknown; title?: unknown };
      if (typeof problem.code === "string") code = problem.code;
      if (typeof problem.detail === "string") detail = problem.detail;
      else if (typeof problem.title === "string") detail = problem.title;
    } catch {
      // Not problem+json (a proxy's error page): keep the start of the body.
    }
    throw refusal(res.status, code, detail);
  }

  private async json<T>(method: string, path: string, init: Parameters<RemoteClient["send"]>[2] = {}): Promise<T> {
    const res = await this.send(method, path, init);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`${this.base}${path} did not answer JSON (is --url a Docket server?)`);
    }
  }

  me(): Promise<User> {
    return this.json("GET", "/api/v1/me");
  }

  async upload(path: string, process: boolean, options: SubmitOptions): Promise<UploadResult> {
    const form = new FormData();
    form.append("process", process ? "true" : "false");
    if (options.ocr_mode) form.append("ocr_mode", options.ocr_mode);
    if (options.resolution_mode) form.append("resolution_mode", options.resolution_mode);
    if (options.priority !== undefined) form.append("priority", String(options.priority));
    if (options.languages) form.append("languages", options.languages.join(","));
    if (options.outputs) form.append("outputs", options.outputs.join(","));
    if (options.ocr) form.append("ocr", options.ocr);
    if (options.extract) form.append("extract", options.extract);
    if (options.destinations) form.append("destinations", JSON.stringify(options.destinations));
    // openAsBlob streams from disk as the request is sent: the file is never read whole.
    form.append("file", await openAsBlob(path), basename(path));
    return this.json("POST", "/api/v1/documents/upload", { body: form });
  }

  submit(documentId: string, options: SubmitOptions): Promise<JobJson> {
    return this.json("POST", "/api/v1/ocr/submit", { json: { document_id: documentId, ...options } });
  }

  listDocuments(query: ListDocuments): Promise<Page<DocumentJson>> {
    const params = new URLSearchParams({ page: String(query.page), page_size: String(query.pageSize) });
    if (query.status) params.set("status", query.status);
    if (query.q) params.set("q", query.q);
    return this.json("GET", `/api/v1/documents?${params}`);
  }

  document(id: string): Promise<DocumentJson> {
    return this.json("GET", `/api/v1/documents/${encodeURIComponent(id)}`);
  }

  documentStatus(id: string): Promise<UnifiedStatus> {
    return this.json("GET", `/api/v1/documents/${encodeURIComponent(id)}/status`);
  }

  deleteDocument(id: string): Promise<void> {
    return this.json("DELETE", `/api/v1/documents/${encodeURIComponent(id)}`);
  }

  job(id: string): Promise<JobJson> {
    return this.json("GET", `/api/v1/ocr/jobs/${encodeURIComponent(id)}`);
  }

  cancel(jobId: string): Promise<JobJson> {
    return this.json("PUT", `/api/v1/ocr/jobs/${encodeURIComponent(jobId)}/cancel`);
  }

  retry(jobId: string): Promise<JobJson> {
    return this.json("POST", `/api/v1/ocr/jobs/${encodeURIComponent(jobId)}/retry`);
  }

  deleteJob(jobId: string): Promise<void> {
    return this.json("DELETE", `/api/v1/ocr/jobs/${encodeURIComponent(jobId)}`);
  }

  result(jobId: string): Promise<ResultJson> {
    return this.json("GET", `/api/v1/ocr/jobs/${encodeURIComponent(jobId)}/result`);
  }

  async resultFile(jobId: string, format: OutputFormat): Promise<Readable> {
    const res = await this.send("GET", `/api/v1/ocr/jobs/${encodeURIComponent(jobId)}/result/${format}`, {
      headers: { accept: "*/*" },
    });
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  }

  documentFields(documentId: string): Promise<FieldsJson> {
    return this.json("GET", `/api/v1/documents/${encodeURIComponent(documentId)}/fields`);
  }

  correctFields(
    documentId: string,
    version: number,
    changes: Record<string, string | null>,
    documentType?: DocumentType,
  ): Promise<FieldsJson> {
    return this.json("PATCH", `/api/v1/documents/${encodeURIComponent(documentId)}/fields`, {
      json: { fields: changes, ...(documentType ? { document_type: documentType } : {}) },
      headers: { "if-match": `"${version}"` },
    });
  }

  decideReview(documentId: string, decision: ReviewDecision, note: string | null): Promise<FieldsJson> {
    return this.json("POST", `/api/v1/documents/${encodeURIComponent(documentId)}/review`, {
      json: { decision, ...(note ? { note } : {}) },
    });
  }

  reviewQueue(page: number, pageSize: number): Promise<Page<DocumentJson>> {
    return this.json(
      "GET",
      `/api/v1/review?${new URLSearchParams({ page: String(page), page_size: String(pageSize) })}`,
    );
  }

  async fieldsCsv(filter: { status?: DocumentStatus | undefined }): Promise<Readable> {
    const query = filter.status ? `?${new URLSearchParams({ status: filter.status })}` : "";
    const res = await this.send("GET", `/api/v1/fields.csv${query}`, { headers: { accept: "text/csv" } });
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  }

  async watch(
    filter: { documentId?: string | undefined },
    handlers: WatchHandlers,
    signal: AbortSignal,
  ): Promise<void> {
    const reconnectForMs = this.options.reconnectForMs ?? 60_000;
    const idleMs = this.options.idleMs ?? 45_000;
    const path = `/api/v1/events${filter.documentId ? `?document_id=${encodeURIComponent(filter.documentId)}` : ""}`;
    let lastEventId: string | null = null;
    let retryMs = 1_000;
    let brokenSince: number | null = null;
    let attempt = 0;
    let everConnected = false;
    while (!signal.aborted) {
      attempt++;
      // Each connection has its own controller: the idle watchdog aborts a silent one.
      const connection = new AbortController();
      const onAbort = () => connection.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      let idle: NodeJS.Timeout | undefined;
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => connection.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
      };
      let reason = "the server closed the stream";
      try {
        touch();
        const res = await this.send("GET", path, {
          headers: { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
          signal: connection.signal,
        });
        if (!res.body) throw new CliError(`${this.base} sent an empty event stream`);
        for await (const message of parseSse(res.body as unknown as AsyncIterable<Uint8Array>, touch)) {
          if (message.retry !== null) retryMs = Math.max(250, Math.min(message.retry, 10_000));
          if (message.id) lastEventId = message.id;
          if (message.event === "snapshot") {
            brokenSince = null;
            everConnected = true;
            handlers.onOpen();
          } else if (message.event === "job" && message.data) {
            handlers.onMessage(JSON.parse(message.data) as EventMessage);
          } else if (message.event === "error") {
            reason = `the server ended the stream (${message.data})`;
            break;
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        // Refusals (wrong token, not found) cannot be fixed by resuming; nor can a server
        // that was never reachable.
        if (error instanceof CliError && (error.code !== "unreachable" || !everConnected)) throw error;
        reason =
          error instanceof CliError
            ? error.message
            : connection.signal.aborted
              ? String((connection.signal.reason as Error)?.message ?? "idle")
              : (networkCode(error) ?? (error as Error).message);
      } finally {
        clearTimeout(idle);
        signal.removeEventListener("abort", onAbort);
        connection.abort();
      }
      if (signal.aborted) return;
      brokenSince ??= Date.now();
      if (Date.now() - brokenSince > reconnectForMs) {
        throw new CliError(
          `lost the event stream from ${this.base} and could not resume it for ${Math.round(reconnectForMs / 1000)} s (${reason})`,
        );
      }
      handlers.onReconnect?.(lastEventId, reason);
      const wait = attempt === 1 ? 0 : retryMs;
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }

  async ensureProcessing(): Promise<void> {
    // The server's workers run the jobs.
  }

  async login(email: string, password: string): Promise<{ token: string; user: User }> {
    return this.json("POST", "/api/v1/auth/login", { json: { email, password }, token: null });
  }

  /** Ends the session of a login token. */
  async logout(): Promise<void> {
    await this.send("POST", "/api/v1/auth/logout");
  }

  createUser(email: string, password: string, role: Role | undefined): Promise<User> {
    return this.json("POST", "/api/v1/users", { json: { email, password, role: role ?? "user" } });
  }

  async listUsers(): Promise<User[]> {
    const users: User[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.json<Page<User>>("GET", `/api/v1/users?page=${page}&page_size=100`);
      users.push(...batch.items);
      if (batch.items.length < 100 || users.length >= batch.total) return users;
    }
  }

  updateUser(id: string, patch: { disabled?: boolean; role?: Role }): Promise<User> {
    return this.json("PATCH", `/api/v1/users/${encodeURIComponent(id)}`, { json: patch });
  }

  createToken(name: string): Promise<ApiTokenInfo & { token: string }> {
    return this.json("POST", "/api/v1/tokens", { json: { name } });
  }

  async listTokens(): Promise<ApiTokenInfo[]> {
    return (await this.json<{ items: ApiTokenInfo[] }>("GET", "/api/v1/tokens")).items;
  }

  revokeToken(id: string): Promise<void> {
    return this.json("DELETE", `/api/v1/tokens/${encodeURIComponent(id)}`);
  }

  async close(): Promise<void> {
    // fetch keeps no state that needs closing.
  }
}
