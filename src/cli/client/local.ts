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
import { AccountService, userRowToUser, type Role, type User } from "../../accounts/account-service.js";
import type { BlobStore } from "../../blob/blob-store.js";
import { createBlobStore } from "../../blob/create-blob-store.js";
import type { Config } from "../../config.js";
import { openDatabase, type Database } from "../../db/database.js";
import { migrate } from "../../db/migrator.js";
import { DocumentService, type Scope } from "../../documents/document-service.js";
import type { DocumentStatus, OutputFormat } from "../../domain/types.js";
import { createEngine, type Engine } from "../../engine/engine.js";
import type { FeedEvent } from "../../engine/event-feed.js";
import { PipelineRegistry } from "../../engine/pipeline.js";
import type { Worker } from "../../engine/worker.js";
import { FieldsService } from "../../fields/fields-service.js";
import { ReviewService } from "../../fields/review-service.js";
import { reviewThresholds } from "../../fields/thresholds.js";
import { JobService, OCR_PIPELINE } from "../../jobs/job-service.js";
import { LiveService } from "../../jobs/live-service.js";
import type { Logger } from "../../logger.js";
import { planOcrJob } from "../../pipeline/plan.js";
import { LocalDelivery } from "../commands/destinations-client.js";
import { createDelivery } from "../../webhooks/setup.js";
import { CliError, toCliError } from "../errors.js";
import { CollectionService } from "../../collections/collection-service.js";
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
import { stepWorkspace } from "../../engine/workspace-path.js";

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
  const { config, log } = options;
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database);
    const engine = await createEngine({ database, log });
    return new LocalClient(
      options,
      database,
      engine,
      createBlobStore({ url: config.blobUrl, dataDir: config.dataDir }),
    );
  } catch (error) {
    await database.close();
    throw error;
  }
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
  private readonly accounts: AccountService;
  private readonly documents: DocumentService;
  private readonly jobs: JobService;
  private readonly fields: FieldsService;
  private readonly review: ReviewService;
  private readonly live: LiveService;
  readonly collections: LocalCollections;
  readonly delivery: LocalDelivery;
  private actor: Promise<User> | null = null;
  private worker: Worker | null = null;
  private workerRegistry: PipelineRegistry | null = null;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly options: LocalOptions,
    private readonly database: Database,
    private readonly engine: Engine,
    private readonly blobStore: BlobStore,
  ) {
    const { config, log } = options;
    this.description = `local: ${database.description}`;
    // The notifier tells running servers (on PostgreSQL) about users disabled and tokens revoked here.
    this.accounts = new AccountService(database, log, { notifier: engine.notifier });
    this.documents = new DocumentService(database, blobStore, engine.queue, log, config.maxUploadBytes);
    // Submitting only needs the OCR pipeline's plan; its handlers (and the OCR engine) load
    // only if this process ends up running jobs.
    const planner = new PipelineRegistry();
    planner.register({ name: OCR_PIPELINE, plan: planOcrJob, handler: () => undefined });
    const thresholds = reviewThresholds(config);
    this.fields = new FieldsService(database, this.documents, thresholds);
    this.review = new ReviewService(database, engine.notifier, thresholds, log);
    // Destinations and webhooks on the same services as the server (and the same secret key).
    const delivery = createDelivery({ config, database, engine, log });
    this.jobs = new JobService(
      database,
      engine.queue,
      planner,
      blobStore,
      log,
      config.ocrLanguages,
      this.fields,
      delivery.destinations,
    );
    this.delivery = new LocalDelivery(
      { destinations: delivery.destinations, webhooks: delivery.webhooks, jobs: this.jobs, database },
      () => this.scope(),
      guard,
    );
    this.live = new LiveService(database, engine.feed);
    this.collections = new LocalCollections(
      new CollectionService(database, this.jobs, blobStore, thresholds),
      () => this.scope(),
      guard,
    );
  }

  /** The user local mode acts as (see the module comment). */
  private user(): Promise<User> {
    this.actor ??= this.findActor();
    return this.actor;
  }

  private async findActor(): Promise<User> {
    const { db } = this.database;
    const as = this.options.as?.trim();
    if (as) {
      const row = await db
        .selectFrom("users")
        .selectAll()
        .where((eb) => eb.or([eb("email", "=", as.toLowerCase()), eb("id", "=", as)]))
        .executeTakeFirst();
      if (!row)
        throw new CliError(`--as ${as}: no such user in ${this.database.description} (see \`docket users list\`)`);
      if (row.disabled === 1) throw new CliError(`--as ${as}: this account is disabled`);
      return userRowToUser(row);
    }
    const admin = () =>
      db
        .selectFrom("users")
        .selectAll()
        .where("role", "=", "admin")
        .where("disabled", "=", 0)
        .orderBy("created_at")
        .orderBy("id")
        .executeTakeFirst();
    let row = await admin();
    if (!row && !(await this.accounts.hasUsers())) {
      await this.accounts.bootstrapAdmin(this.options.config.adminEmail, this.options.config.adminPassword);
      row = await admin();
    }
    if (!row) {
      throw new CliError(
        (await this.accounts.hasUsers())
          ? `no enabled admin account in ${this.database.description}: name the user to act as with --as <email>`
          : `no account exists yet in ${this.database.description}: create the first (admin) one with \`docket users add you@example.com\`, or set DOCKET_ADMIN_EMAIL and DOCKET_ADMIN_PASSWORD`,
      );
    }
    return userRowToUser(row);
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
      const scope = await this.scope();
      const { stored } = await this.documents.upload(scope.userId, createReadStream(path), basename(path));
      const { row, duplicate } = await this.documents.record(scope.userId, stored);
      let job: JobJson | null = null;
      if (duplicate) job = row.latest_job_id ? await this.jobs.get(scope, row.latest_job_id).catch(() => null) : null;
      else if (process) job = await this.jobs.submit(scope, row.id, options);
      const fresh = await this.documents.get(scope, row.id);
      return { document: (await this.documents.toJson([fresh]))[0]!, duplicate, job };
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
      const subscription = await this.engine.feed.subscribe(feedFilter, null, deliver);
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
    this.engine.rescuer.start();
    let waitingSince: number | null = null;
    while (!signal.aborted && !this.worker) {
      const now = Date.now();
      const due = await this.database.db
        .selectFrom("jobs")
        .select("id")
        .where("id", "in", ids)
        .where("status", "=", "pending")
        .where("run_at", "<=", now)
        .limit(1)
        .execute();
      if (due.length === 0) waitingSince = null;
      else if (now - (waitingSince ??= now) >= grace) {
        await this.startWorkers();
        return;
      }
      await sleep(200, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Workers in this process, with the real pipelines, until close(). */
  private startWorkers(): Promise<void> {
    this.starting ??= (async () => {
      const { config, log } = this.options;
      if (config.workers === 0) {
        log.warn(
          "DOCKET_WORKERS=0: not running jobs in this process; waiting for a server or `docket worker` to run them",
        );
        return;
      }
      const [{ createPipelines }, { Worker }] = await Promise.all([
        import("../../pipeline/pipelines.js"),
        import("../../engine/worker.js"),
      ]);
      const registry = new PipelineRegistry();
      this.workerRegistry = registry;
      for (const pipeline of await createPipelines({ config, database: this.database, blobStore: this.blobStore, log }))
        registry.register(pipeline);
      this.worker = new Worker({
        queue: this.engine.queue,
        registry,
        notifier: this.engine.notifier,
        log: log.child({ component: "worker" }),
        concurrency: config.workers,
        onStepAbandoned: (jobId, step) => this.blobStore.deletePrefix(stepWorkspace(jobId, step)),
      });
      this.worker.start();
      this.options.onWorkersStarted?.(config.workers);
    })();
    return this.starting;
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
  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    if (this.worker) await this.worker.stop(3_000);
    for (const name of this.workerRegistry?.names() ?? []) await this.workerRegistry?.get(name)?.close?.();
    await this.engine.close();
    await this.database.close();
  }
}
