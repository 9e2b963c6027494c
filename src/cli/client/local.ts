/**
 * The client on the embedded database: the same services the server runs (documents, jobs,
 * accounts, the event feed), no HTTP. Used when no --url / DOCKET_URL is given.
 *
 * Who it acts as: `--as <email>`, else the oldest enabled admin. Whoever can open the data
 * directory can read the database anyway, so local mode does not ask for a password; it
 * does keep the same per-user scoping as the API (an admin sees everything).
 *
 * Who runs the jobs: while a command waits for jobs (`add --wait`, `status --follow`), a
 * server or `docket worker` on the same database normally claims them within a second. If
 * none has after WORKER_GRACE_MS, this process starts workers itself (DOCKET_WORKERS slots)
 * until the wait ends; the queue is multi-process safe, so both may run side by side.
 */
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Role, User } from "../../accounts/account-service.js";
import { openLocalRuntime, type LocalRuntime } from "../../app/local-runtime.js";
import type { Config } from "../../config.js";
import type { Scope } from "../../domain/scope.js";
import type { DocumentStatus, OutputFormat } from "../../domain/types.js";
import type { FeedEvent } from "../../engine/event-feed.js";
import { anyPendingAndDue } from "../../jobs/job-view.js";
import type { Logger } from "../../logger.js";
import { LocalDelivery } from "../commands/destinations-client.js";
import { CliError, toCliError } from "../errors.js";
import { LocalCollections } from "./collections.js";
import type {
  ApiTokenInfo,
  DocketClient,
  DocumentJson,
  DocumentType,
  FieldsJson,
  JobJson,
  ListDocuments,
  Page,
  ResultJson,
  ReviewDecision,
  SubmitOptions,
  UnifiedStatus,
  UploadResult,
  WatchHandlers,
} from "./client.js";
import { findLocalActor } from "./local-actor.js";

/** How long a job may stay pending (due) before this process runs workers itself. */
export const WORKER_GRACE_MS = 1_500;

export interface LocalOptions {
  config: Config;
  /** Logs go to stderr: stdout is the command's output. */
  log: Logger;
  /** Act as this user (email or id); default: the oldest enabled admin. */
  as?: string | undefined;
  workerGraceMs?: number;
  /** Told when this process starts running jobs itself. */
  onWorkersStarted?: (concurrency: number) => void;
}

export async function openLocalClient(options: LocalOptions): Promise<LocalClient> {
  return new LocalClient(options, await openLocalRuntime(options.config, options.log));
}

/** Runs `work`, turning the services' DocketErrors into the CLI's errors (same text as the API's). */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toCliError(error);
  }
}

export class LocalClient implements DocketClient {
  readonly mode = "local";
  readonly description: string;
  readonly collections: LocalCollections;
  readonly delivery: LocalDelivery;
  private actor: Promise<User> | null = null;
  private workersStarted = false;

  constructor(
    private readonly options: LocalOptions,
    private readonly runtime: LocalRuntime,
  ) {
    this.description = `local: ${runtime.database.description}`;
    const { delivery, jobs, collections } = runtime.services;
    this.delivery = new LocalDelivery(
      { destinations: delivery.destinations, webhooks: delivery.webhooks, jobs, database: runtime.database },
      () => this.scope(),
      guard,
    );
    this.collections = new LocalCollections(collections, () => this.scope(), guard);
  }

  private get accounts() {
    return this.runtime.services.accounts;
  }
  private get documents() {
    return this.runtime.services.documents;
  }
  private get jobs() {
    return this.runtime.services.jobs;
  }
  private get fields() {
    return this.runtime.services.fields;
  }
  private get review() {
    return this.runtime.services.review;
  }
  private get live() {
    return this.runtime.services.live;
  }

  /** The user local mode acts as (see the module comment). */
  private user(): Promise<User> {
    this.actor ??= this.findActor();
    return this.actor;
  }

  private findActor(): Promise<User> {
    return findLocalActor(this.runtime.database, this.accounts, this.options.config, this.options.as);
  }

  private async scope(): Promise<Scope> {
    const user = await this.user();
    return { userId: user.id, admin: user.role === "admin" };
  }

  me(): Promise<User> {
    return guard(() => this.user());
  }

  upload(path: string, process: boolean, options: SubmitOptions): Promise<UploadResult> {
    return guard(async () => {
      // The upload route's use case: a duplicate asked to be processed is handled as the server would.
      const file = createReadStream(path);
      return this.runtime.services.ingest.ingest(await this.scope(), file, basename(path), { process, options });
    });
  }

  submit(documentId: string, options: SubmitOptions): Promise<JobJson> {
    return guard(async () => this.jobs.submit(await this.scope(), documentId, options));
  }

  listDocuments(query: ListDocuments): Promise<Page<DocumentJson>> {
    return guard(async () => {
      const result = await this.documents.list(await this.scope(), {
        page: query.page,
        pageSize: query.pageSize,
        status: query.status,
        q: query.q,
        sort: "-created_at",
      });
      return { ...result, page: query.page, page_size: query.pageSize };
    });
  }

  document(id: string): Promise<DocumentJson> {
    return guard(async () => (await this.documents.toJson([await this.documents.get(await this.scope(), id)]))[0]!);
  }

  documentStatus(id: string): Promise<UnifiedStatus> {
    return guard(async () => this.documents.status(await this.scope(), id));
  }

  deleteDocument(id: string): Promise<void> {
    return guard(async () => this.documents.delete(await this.scope(), id));
  }

  job(id: string): Promise<JobJson> {
    return guard(async () => this.jobs.get(await this.scope(), id));
  }

  cancel(jobId: string): Promise<JobJson> {
    return guard(async () => this.jobs.cancel(await this.scope(), jobId));
  }

  retry(jobId: string): Promise<JobJson> {
    return guard(async () => this.jobs.retry(await this.scope(), jobId));
  }

  deleteJob(jobId: string): Promise<void> {
    return guard(async () => this.jobs.delete(await this.scope(), jobId));
  }

  result(jobId: string): Promise<ResultJson> {
    return guard(async () => this.jobs.result(await this.scope(), jobId, ""));
  }

  resultFile(jobId: string, format: OutputFormat): Promise<Readable> {
    return guard(async () => (await this.jobs.resultFile(await this.scope(), jobId, format)).stream);
  }

  documentFields(documentId: string): Promise<FieldsJson> {
    return guard(async () => this.fields.get(await this.scope(), documentId));
  }

  correctFields(
    documentId: string,
    version: number,
    changes: Record<string, string | null>,
    documentType?: DocumentType,
  ): Promise<FieldsJson> {
    return guard(async () =>
      this.review.correct(
        await this.scope(),
        await this.reviewer(),
        documentId,
        String(version),
        changes,
        documentType,
      ),
    );
  }

  decideReview(documentId: string, decision: ReviewDecision, note: string | null): Promise<FieldsJson> {
    return guard(async () => this.review.decide(await this.scope(), await this.reviewer(), documentId, decision, note));
  }

  reviewQueue(page: number, pageSize: number): Promise<Page<DocumentJson>> {
    return guard(async () => ({
      ...(await this.fields.reviewQueue(await this.scope(), page, pageSize)),
      page,
      page_size: pageSize,
    }));
  }

  fieldsCsv(filter: { status?: DocumentStatus | undefined }): Promise<Readable> {
    return guard(async () => this.fields.csv(await this.scope(), filter));
  }

  /** Who the history names for a correction or decision made here: the user local mode acts as. */
  private async reviewer(): Promise<{ userId: string; email: string }> {
    const user = await this.user();
    return { userId: user.id, email: user.email };
  }

  watch(filter: { documentId?: string | undefined }, handlers: WatchHandlers, signal: AbortSignal): Promise<void> {
    return guard(async () => {
      const feedFilter = await this.live.feedFilter(await this.scope(), { documentId: filter.documentId });
      // Runs until aborted, or until building a message fails (then rejects with that).
      let stop!: (error?: unknown) => void;
      const stopped = new Promise<void>(
        (resolve, reject) => (stop = (error) => (error === undefined ? resolve() : reject(error))),
      );
      if (signal.aborted) stop();
      else signal.addEventListener("abort", () => stop(), { once: true });
      // Messages are built asynchronously; a chain keeps them in event order.
      let chain = Promise.resolve();
      const deliver = (event: FeedEvent) => {
        chain = chain.then(async () => {
          if (signal.aborted) return;
          try {
            handlers.onMessage(await this.live.message(event));
          } catch (error) {
            stop(error);
          }
        });
      };
      const subscription = await this.runtime.engine.feed.subscribe(feedFilter, null, deliver);
      try {
        handlers.onOpen();
        await stopped;
      } finally {
        subscription.close();
        await chain;
      }
    });
  }

  async ensureProcessing(jobIds: readonly string[], signal: AbortSignal): Promise<void> {
    const ids = [...new Set(jobIds)];
    if (ids.length === 0) return;
    const grace = this.options.workerGraceMs ?? WORKER_GRACE_MS;
    // A job whose worker died (a server killed mid-job) comes back once its lease expires:
    // recovering it is every node's job, this one's too while it waits.
    this.runtime.engine.rescuer.start();
    let waitingSince: number | null = null;
    while (!signal.aborted && !this.workersStarted) {
      const now = Date.now();
      if (!(await anyPendingAndDue(this.runtime.database, ids, now))) waitingSince = null;
      else if (now - (waitingSince ??= now) >= grace) {
        await this.startWorkers();
        return;
      }
      await sleep(200, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Workers in this process, with the real pipelines, until close(). */
  private async startWorkers(): Promise<void> {
    const { config, log } = this.options;
    this.workersStarted = true;
    if (await this.runtime.startWorkers()) this.options.onWorkersStarted?.(config.workers);
    else
      log.warn(
        "DOCKET_WORKERS=0: not running jobs in this process; waiting for a server or `docket worker` to run them",
      );
  }

  login(): Promise<{ token: string; user: User }> {
    return Promise.reject(
      new CliError("--login is for remote mode (--url / DOCKET_URL); in local mode, act as a user with --as <email>"),
    );
  }

  createUser(email: string, password: string, role: Role | undefined): Promise<User> {
    return guard(async () => {
      // The first account is an admin unless told otherwise: someone has to be.
      const first = !(await this.accounts.hasUsers());
      return this.accounts.createUser(email, password, role ?? (first ? "admin" : "user"));
    });
  }

  listUsers(): Promise<User[]> {
    return guard(async () => {
      const users: User[] = [];
      for (let page = 1; ; page++) {
        const batch = await this.accounts.listUsers(page, 100);
        users.push(...batch.items);
        if (batch.items.length < 100 || users.length >= batch.total) return users;
      }
    });
  }

  updateUser(id: string, patch: { disabled?: boolean; role?: Role }): Promise<User> {
    return guard(() => this.accounts.updateUser(id, patch));
  }

  createToken(name: string): Promise<ApiTokenInfo & { token: string }> {
    return guard(async () => this.accounts.createToken((await this.user()).id, name));
  }

  listTokens(): Promise<ApiTokenInfo[]> {
    return guard(async () => this.accounts.listTokens((await this.user()).id));
  }

  revokeToken(id: string): Promise<void> {
    return guard(async () => this.accounts.revokeToken((await this.user()).id, id));
  }

  /** Stops this process's workers (running jobs finish for a moment, then go back to the queue) and closes the database. */
  close(): Promise<void> {
    return this.runtime.close();
  }
}
