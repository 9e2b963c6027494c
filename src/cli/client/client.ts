/**
 * The one interface the document, job, user and token commands use. Two implementations:
 * `RemoteClient` talks to any Docket server over the HTTP API; `LocalClient` works on the
 * embedded database directly through the same services the server uses. The shapes are the
 * API's JSON (API.md), so both modes print exactly the same thing.
 */
import type { Readable } from "node:stream";
import type { CollectionClient } from "./collections.js";
import type { DeliveryClient } from "../commands/destinations-client.js";
import type { ApiTokenInfo, Role, User } from "../../accounts/account-service.js";
import type { DocumentJson } from "../../documents/document-service.js";
import type { UnifiedStatus } from "../../domain/status.js";
import type { DocumentStatus, OutputFormat } from "../../domain/types.js";
import type { DocumentType } from "../../extraction/types.js";
import type { FieldsJson, ReviewDecision } from "../../fields/fields-types.js";
import type { ResultJson } from "../../jobs/job-shapes.js";
import type { JobJson } from "../../jobs/job-view.js";
import type { EventMessage } from "../../live/live-service.js";
import type { SubmitOptions } from "../../jobs/options.js";

export type {
  ApiTokenInfo,
  DocumentJson,
  DocumentType,
  EventMessage,
  FieldsJson,
  JobJson,
  ResultJson,
  ReviewDecision,
  Role,
  SubmitOptions,
  UnifiedStatus,
  User,
};

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export interface UploadResult {
  document: DocumentJson;
  duplicate: boolean;
  job: JobJson | null;
}

export interface ListDocuments {
  page: number;
  pageSize: number;
  status?: DocumentStatus | undefined;
  q?: string | undefined;
}

export interface WatchHandlers {
  /** The stream is live (again): everything committed from now on will be delivered. */
  onOpen(): void;
  onMessage(message: EventMessage): void;
  /** The stream broke and is being resumed after `lastEventId`. */
  onReconnect?(lastEventId: string | null, reason: string): void;
}

export interface DocketClient {
  /** Where the commands act, for messages: a URL, or "local: <database>". */
  readonly description: string;
  readonly mode: "local" | "remote";
  me(): Promise<User>;
  /** Streams the file (never buffered whole); an identical live document is a duplicate (API.md). */
  upload(path: string, process: boolean, options: SubmitOptions): Promise<UploadResult>;
  submit(documentId: string, options: SubmitOptions): Promise<JobJson>;
  listDocuments(query: ListDocuments): Promise<Page<DocumentJson>>;
  document(id: string): Promise<DocumentJson>;
  documentStatus(id: string): Promise<UnifiedStatus>;
  deleteDocument(id: string): Promise<void>;
  job(id: string): Promise<JobJson>;
  cancel(jobId: string): Promise<JobJson>;
  retry(jobId: string): Promise<JobJson>;
  deleteJob(jobId: string): Promise<void>;
  result(jobId: string): Promise<ResultJson>;
  resultFile(jobId: string, format: OutputFormat): Promise<Readable>;
  /** The document's extracted fields, checks and review state (409 not_ready while there are none). */
  documentFields(documentId: string): Promise<FieldsJson>;
  /**
   * Corrects fields (a value, or null to clear) and optionally the document type, if the
   * fields are still at `version` (If-Match; 412 version_mismatch otherwise).
   */
  correctFields(
    documentId: string,
    version: number,
    changes: Record<string, string | null>,
    documentType?: DocumentType,
  ): Promise<FieldsJson>;
  /** Approves (status completed) or rejects (status failed, review_rejected) the document's fields. */
  decideReview(documentId: string, decision: ReviewDecision, note: string | null): Promise<FieldsJson>;
  /** Documents in manual_review, the longest-waiting first. */
  reviewQueue(page: number, pageSize: number): Promise<Page<DocumentJson>>;
  /** The fields table as CSV (streamed): one row per document with fields. */
  fieldsCsv(filter: { status?: DocumentStatus | undefined }): Promise<Readable>;
  /**
   * The caller's events (of one document when given) until `signal` aborts: `onOpen` once
   * the subscription is live, then one message per event, resuming without gaps after a
   * broken connection. Rejects on an error that resuming cannot fix (auth, gone for good).
   */
  watch(filter: { documentId?: string | undefined }, handlers: WatchHandlers, signal: AbortSignal): Promise<void>;
  /**
   * Called while the CLI waits for these jobs: makes sure someone runs them. Remote: the
   * server's workers do (no-op). Local: workers in this process when no other process
   * picks the jobs up.
   */
  ensureProcessing(jobIds: readonly string[], signal: AbortSignal): Promise<void>;
  login(email: string, password: string): Promise<{ token: string; user: User }>;
  createUser(email: string, password: string, role: Role | undefined): Promise<User>;
  listUsers(): Promise<User[]>;
  updateUser(id: string, patch: { disabled?: boolean; role?: Role }): Promise<User>;
  createToken(name: string): Promise<ApiTokenInfo & { token: string }>;
  listTokens(): Promise<ApiTokenInfo[]>;
  revokeToken(id: string): Promise<void>;
  /** Collections and their stages (`docket collection …`). */
  readonly collections: CollectionClient;
  /** Destinations and event webhooks (`docket destinations …`, `docket webhooks …`). */
  readonly delivery: DeliveryClient;
  close(): Promise<void>;
}

/** Document statuses after which nothing more happens without someone acting. */
export const FINAL_STATUSES: ReadonlySet<DocumentStatus> = new Set([
  "completed",
  "manual_review",
  "failed",
  "cancelled",
  "uploaded",
]);

/** Statuses that make a command exit 1 (a job failed or was cancelled). */
export const UNSUCCESSFUL_STATUSES: ReadonlySet<DocumentStatus> = new Set(["failed", "cancelled"]);
