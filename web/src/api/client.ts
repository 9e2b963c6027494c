import type {
  Batch,
  BatchCreated,
  DocumentJson,
  DocumentModel,
  DocumentStatus,
  FieldChange,
  FieldsJson,
  Job,
  JobEvent,
  LoginResponse,
  Me,
  OcrResult,
  OutputFormat,
  Page,
  Problem,
  SubmitOptions,
  TokenCreated,
  TokenInfo,
  UnifiedStatus,
  UploadResponse,
  User,
} from "./types";

const BASE = "/api/v1";
const CSRF_HEADER = "x-csrf-token";

/** A failed API call: the problem+json `code` and `detail` the server sent. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: { field: string; message: string }[];
  readonly details: Record<string, unknown>;

  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code ?? (status === 0 ? "network_error" : "http_error");
    this.fields = problem.errors ?? [];
    this.details = problem.details ?? {};
  }
}

export interface DocumentQuery {
  page: number;
  page_size: number;
  status?: DocumentStatus | undefined;
  q?: string | undefined;
  sort?: string | undefined;
}

/** What the long-poll of a status answered: a new status, or "not modified" after the wait. */
export type StatusPoll = { changed: true; status: UnifiedStatus } | { changed: false };

export interface UploadResult {
  /** 201 new document, 200 duplicate. */
  httpStatus: number;
  body: UploadResponse;
}

/** The active job a 409 job_active names (one active job per document), if this error is one. */
export function activeJobOf(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== "job_active") return null;
  return typeof error.details.job_id === "string" ? error.details.job_id : null;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function problemOf(res: Response): Promise<Partial<Problem>> {
  try {
    return (await res.json()) as Partial<Problem>;
  } catch {
    return { status: res.status, title: res.statusText };
  }
}

/**
 * The typed client of the Docket API for the browser. Authentication is the httpOnly
 * session cookie set by login; unsafe requests carry the CSRF token from login or /me.
 */
export class ApiClient {
  private csrfToken: string | null = null;
  private unauthorizedListener: (() => void) | null = null;

  /** Called when the server answers 401 to a call that needs a session (it expired). */
  onUnauthorized(listener: () => void): void {
    this.unauthorizedListener = listener;
  }

  setCsrfToken(token: string | null | undefined): void {
    this.csrfToken = token ?? null;
  }

  private headers(method: string, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", ...extra };
    if (method !== "GET" && method !== "HEAD" && this.csrfToken) headers[CSRF_HEADER] = this.csrfToken;
    return headers;
  }

  async request<T>(
    method: string,
    path: string,
    init: {
      json?: unknown;
      signal?: AbortSignal | undefined;
      headers?: Record<string, string>;
      quiet401?: boolean;
    } = {},
  ): Promise<T> {
    const headers = this.headers(method, init.headers);
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    let res: Response;
    try {
      res = await fetch(`${BASE}${path}`, {
        method,
        headers,
        body,
        credentials: "same-origin",
        signal: init.signal ?? null,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, { detail: "The server could not be reached." });
    }
    if (res.status === 401 && !init.quiet401) this.unauthorizedListener?.();
    if (!res.ok) throw new ApiError(res.status, await problemOf(res));
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  // ------------------------------------------------------------ accounts

  setupState(): Promise<{ setup_required: boolean }> {
    return this.request("GET", "/setup", { quiet401: true });
  }

  setup(email: string, password: string): Promise<User> {
    return this.request("POST", "/setup", { json: { email, password }, quiet401: true });
  }

  async login(email: string, password: string): Promise<LoginResponse> {
    const response = await this.request<LoginResponse>("POST", "/auth/login", {
      json: { email, password },
      quiet401: true,
    });
    this.setCsrfToken(response.csrf_token);
    return response;
  }

  async logout(): Promise<void> {
    await this.request("POST", "/auth/logout", { quiet401: true });
    this.setCsrfToken(null);
  }

  /** The signed-in user, or null when there is no valid session. */
  async me(): Promise<Me | null> {
    try {
      const me = await this.request<Me>("GET", "/me", { quiet401: true });
      this.setCsrfToken(me.csrf_token);
      return me;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  tokens(): Promise<{ items: TokenInfo[]; total: number }> {
    return this.request("GET", "/tokens");
  }

  createToken(name: string): Promise<TokenCreated> {
    return this.request("POST", "/tokens", { json: { name } });
  }

  revokeToken(id: string): Promise<void> {
    return this.request("DELETE", `/tokens/${encodeURIComponent(id)}`);
  }

  users(page = 1): Promise<Page<User>> {
    return this.request("GET", `/users${query({ page, page_size: 100 })}`);
  }

  createUser(email: string, password: string, role: "user" | "admin"): Promise<User> {
    return this.request("POST", "/users", { json: { email, password, role } });
  }

  updateUser(id: string, patch: { disabled?: boolean; role?: "user" | "admin" }): Promise<User> {
    return this.request("PATCH", `/users/${encodeURIComponent(id)}`, { json: patch });
  }

  // ------------------------------------------------------------ documents

  documents(q: DocumentQuery): Promise<Page<DocumentJson>> {
    return this.request("GET", `/documents${query({ ...q })}`);
  }

  document(id: string): Promise<DocumentJson> {
    return this.request("GET", `/documents/${encodeURIComponent(id)}`);
  }

  status(id: string, signal?: AbortSignal): Promise<UnifiedStatus> {
    return this.request("GET", `/documents/${encodeURIComponent(id)}/status`, { signal });
  }

  /** Long-poll: answers as soon as the status version differs from `version`, or after `waitSeconds`. */
  async pollStatus(id: string, version: number, waitSeconds: number, signal: AbortSignal): Promise<StatusPoll> {
    const res = await fetch(`${BASE}/documents/${encodeURIComponent(id)}/status${query({ wait: waitSeconds })}`, {
      headers: { accept: "application/json", "if-none-match": `"${version}"` },
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
    if (res.status === 304) return { changed: false };
    if (res.status === 401) this.unauthorizedListener?.();
    if (!res.ok) throw new ApiError(res.status, await problemOf(res));
    return { changed: true, status: (await res.json()) as UnifiedStatus };
  }

  history(id: string): Promise<{ items: JobEvent[] }> {
    return this.request("GET", `/documents/${encodeURIComponent(id)}/history`);
  }

  deleteDocument(id: string): Promise<void> {
    return this.request("DELETE", `/documents/${encodeURIComponent(id)}`);
  }

  fileUrl(id: string): string {
    return `${BASE}/documents/${encodeURIComponent(id)}/file`;
  }

  async fileBytes(id: string, signal?: AbortSignal): Promise<ArrayBuffer> {
    const res = await fetch(this.fileUrl(id), { credentials: "same-origin", signal: signal ?? null });
    if (!res.ok) throw new ApiError(res.status, await problemOf(res));
    return res.arrayBuffer();
  }

  /**
   * Upload one file with progress (fetch cannot report upload progress; XHR can). Resolves
   * with the server's answer for 200 (duplicate) and 201 (new); rejects with ApiError otherwise.
   */
  upload(
    file: File,
    fields: Record<string, string | string[]>,
    onProgress: (fraction: number) => void,
    signal?: AbortSignal,
  ): Promise<UploadResult> {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(name, v);
      form.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${BASE}/documents/upload`);
      for (const [name, value] of Object.entries(this.headers("POST", { "idempotency-key": crypto.randomUUID() })))
        xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.total > 0 ? e.loaded / e.total : 1);
      };
      xhr.onload = () => {
        let body: unknown = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = null;
        }
        if (xhr.status === 200 || xhr.status === 201) resolve({ httpStatus: xhr.status, body: body as UploadResponse });
        else {
          if (xhr.status === 401) this.unauthorizedListener?.();
          reject(new ApiError(xhr.status, (body as Partial<Problem> | null) ?? { detail: xhr.statusText }));
        }
      };
      xhr.onerror = () =>
        reject(new ApiError(0, { detail: "The upload was interrupted: the server could not be reached." }));
      xhr.onabort = () => reject(new DOMException("upload aborted", "AbortError"));
      signal?.addEventListener("abort", () => xhr.abort(), { once: true });
      xhr.send(form);
    });
  }

  // ------------------------------------------------------------ jobs

  submit(documentId: string, options: SubmitOptions): Promise<Job> {
    return this.request("POST", "/ocr/submit", {
      json: { document_id: documentId, ...options },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
  }

  batch(documentIds: string[], options: SubmitOptions): Promise<BatchCreated> {
    return this.request("POST", "/ocr/batch", {
      json: { document_ids: documentIds, ...options },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
  }

  job(id: string): Promise<Job> {
    return this.request("GET", `/ocr/jobs/${encodeURIComponent(id)}`);
  }

  cancel(jobId: string): Promise<Job> {
    return this.request("PUT", `/ocr/jobs/${encodeURIComponent(jobId)}/cancel`);
  }

  retry(jobId: string): Promise<Job> {
    return this.request("POST", `/ocr/jobs/${encodeURIComponent(jobId)}/retry`);
  }

  result(jobId: string): Promise<OcrResult> {
    return this.request("GET", `/ocr/jobs/${encodeURIComponent(jobId)}/result`);
  }

  model(jobId: string): Promise<DocumentModel> {
    return this.request("GET", `/ocr/jobs/${encodeURIComponent(jobId)}/result/json`);
  }

  resultUrl(jobId: string, format: OutputFormat): string {
    return `${BASE}/ocr/jobs/${encodeURIComponent(jobId)}/result/${format}`;
  }

  getBatch(id: string): Promise<Batch> {
    return this.request("GET", `/batches/${encodeURIComponent(id)}`);
  }

  // ------------------------------------------------------------ fields and review

  fields(documentId: string, signal?: AbortSignal): Promise<FieldsJson> {
    return this.request("GET", `/documents/${encodeURIComponent(documentId)}/fields`, { signal });
  }

  /** Corrects fields; `version` is the one the person saw (412 version_mismatch when it moved on). */
  patchFields(documentId: string, version: number, fields: Partial<Record<string, FieldChange>>): Promise<FieldsJson> {
    return this.request("PATCH", `/documents/${encodeURIComponent(documentId)}/fields`, {
      json: { fields },
      headers: { "if-match": `"${version}"` },
    });
  }

  review(
    documentId: string,
    decision: "approve" | "reject",
    note: string | null,
    version: number | null,
  ): Promise<FieldsJson> {
    return this.request("POST", `/documents/${encodeURIComponent(documentId)}/review`, {
      json: { decision, ...(note ? { note } : {}) },
      headers: version === null ? {} : { "if-match": `"${version}"` },
    });
  }

  /** Documents waiting in manual_review, the longest-waiting first. */
  reviewQueue(page: number, pageSize: number): Promise<Page<DocumentJson>> {
    return this.request("GET", `/review${query({ page, page_size: pageSize })}`);
  }

  eventsUrl(lastEventId: string | null): string {
    return `${BASE}/events${query({ last_event_id: lastEventId ?? undefined })}`;
  }
}
