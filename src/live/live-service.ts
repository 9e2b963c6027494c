import type { Database } from "../db/database.js";
import type { UnifiedStatus } from "../domain/status.js";
import type { EventFeed, FeedEvent, FeedFilter } from "../engine/event-feed.js";
import { documentToJson, type DocumentJson, type DocumentRow, type Scope } from "../documents/document-service.js";
import { DocketError } from "../errors.js";
import { CollectionEventFilter } from "../collections/collection-events.js";
import { latestCollectionJob } from "../collections/collection-repository.js";
import { documentsByIds, liveDocumentOwner, newestLiveDocuments } from "../documents/document-repository.js";
import { activeJobIdsOf, batchOwner, jobOwner, jobRefs } from "../jobs/job-reads.js";
import { eventToJson, jobToJson, loadJobs, statusOf, type EventJson, type JobJson } from "../jobs/job-view.js";
import { loadEventState } from "../jobs/status-read.js";

export interface LiveFilter {
  documentId?: string | undefined;
  jobId?: string | undefined;
  batchId?: string | undefined;
}

export interface EventMessage {
  event: EventJson;
  /** The job as it is now (null once deleted). */
  job: JobJson | null;
  /** The unified status of the event's document now. */
  document_status: UnifiedStatus;
}

export interface Snapshot {
  documents: { document: DocumentJson; status: UnifiedStatus }[];
  jobs: JobJson[];
}

const SNAPSHOT_DOCUMENTS = 100;
const SNAPSHOT_ACTIVE_JOBS = 500;
const CACHE_SIZE = 2_000;

/**
 * What real-time clients see: the snapshot on connect and the message for each event. A
 * message is built once per event and shared by every connection (100 SSE clients cost one
 * read per event, not 100).
 */
export class LiveService {
  private readonly cache = new Map<string, Promise<Omit<EventMessage, "event">>>();

  constructor(
    private readonly database: Database,
    readonly feed: EventFeed,
  ) {}

  /** The feed filter for the caller, after checking the filter's targets are theirs (else not_found). */
  async feedFilter(scope: Scope, filter: LiveFilter): Promise<FeedFilter> {
    const { db } = this.database;
    const own = <T extends { owner_id: string }>(row: T | undefined, what: string): T => {
      if (!row || (!scope.admin && row.owner_id !== scope.userId))
        throw new DocketError("not_found", `${what} not found`);
      return row;
    };
    if (filter.documentId) own(await liveDocumentOwner(db, filter.documentId), "document");
    if (filter.jobId) own(await jobOwner(db, filter.jobId), "job");
    if (filter.batchId) own(await batchOwner(db, filter.batchId), "batch");
    return {
      ownerId: scope.admin ? null : scope.userId,
      documentId: filter.documentId,
      jobId: filter.jobId,
      batchId: filter.batchId,
    };
  }

  async snapshot(filter: FeedFilter): Promise<Snapshot> {
    const { db } = this.database;
    let documents: DocumentRow[];
    const jobIds = new Set<string>();
    if (filter.jobId || filter.batchId) {
      const rows = await jobRefs(db, filter, SNAPSHOT_ACTIVE_JOBS);
      for (const r of rows) jobIds.add(r.id);
      documents = await documentsByIds(db, [...new Set(rows.map((r) => r.document_id))]);
    } else {
      documents = await newestLiveDocuments(db, filter, SNAPSHOT_DOCUMENTS);
      for (const d of documents) if (d.latest_job_id) jobIds.add(d.latest_job_id);
      for (const id of await activeJobIdsOf(db, filter, SNAPSHOT_ACTIVE_JOBS)) jobIds.add(id);
    }
    const latest = documents.map((d) => d.latest_job_id).filter((id): id is string => id !== null);
    const loaded = await loadJobs(this.database, [...jobIds, ...latest]);
    const now = Date.now();
    return {
      documents: documents.map((d) => {
        const status = statusOf(d.latest_job_id ? loaded.get(d.latest_job_id) : undefined, now);
        return { document: documentToJson(d, status), status };
      }),
      jobs: [...jobIds].flatMap((id) => {
        const l = loaded.get(id);
        return l ? [jobToJson(l.job, l.steps, now)] : [];
      }),
    };
  }

  /** The filter of `?collection_id=` (404 for a collection the caller cannot see). */
  collectionFilter(scope: Scope, collectionId: string): Promise<CollectionEventFilter> {
    return CollectionEventFilter.open(this.database, scope, collectionId);
  }

  /** The snapshot of a collection: its documents' statuses and its newest collection job. */
  async collectionSnapshot(filter: CollectionEventFilter): Promise<Snapshot> {
    const ids = filter.memberIds().slice(0, SNAPSHOT_ACTIVE_JOBS);
    const documents = await documentsByIds(this.database.db, ids);
    const latest = documents.map((d) => d.latest_job_id).filter((id): id is string => id !== null);
    const compile = await latestCollectionJob(this.database.db, filter.collectionId);
    const loaded = await loadJobs(this.database, compile ? [...latest, compile.id] : latest);
    const now = Date.now();
    return {
      documents: documents.map((d) => {
        const status = statusOf(d.latest_job_id ? loaded.get(d.latest_job_id) : undefined, now);
        return { document: documentToJson(d, status), status };
      }),
      jobs: [...loaded.values()].map((l) => jobToJson(l.job, l.steps, now)),
    };
  }

  /** The SSE message of an event; built once and shared by all connections. */
  async message(event: FeedEvent): Promise<EventMessage> {
    let state = this.cache.get(event.id);
    if (!state) {
      state = this.currentState(event);
      this.cache.set(event.id, state);
      state.catch(() => this.cache.delete(event.id));
      if (this.cache.size > CACHE_SIZE) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
    }
    return { event: eventToJson(event), ...(await state) };
  }

  private async currentState(event: FeedEvent): Promise<Omit<EventMessage, "event">> {
    const { latestJobId: latest, jobs: loaded } = await loadEventState(this.database, event.jobId, event.documentId);
    const now = Date.now();
    const job = loaded.get(event.jobId);
    return {
      job: job ? jobToJson(job.job, job.steps, now) : null,
      // This event is the document's newest: its id floors the version (a deleted job's event
      // shows an older job's status, or `uploaded`, and must still move clients forward).
      document_status: statusOf(latest ? loaded.get(latest) : undefined, now, Number(event.id)),
    };
  }

  /**
   * Long-poll: resolves with the first value `read` returns for which `changed` holds,
   * re-reading whenever an event matching `filter` arrives, or with the last value after
   * `timeoutMs` (or when `signal` aborts). Woken by the feed, never by a sleep loop.
   */
  async waitFor<T>(
    filter: FeedFilter,
    read: () => Promise<T>,
    changed: (value: T) => boolean,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<{ value: T; changed: boolean }> {
    let dirty = false;
    let wake: (() => void) | null = null;
    const subscription = await this.feed.subscribe(filter, null, () => {
      dirty = true;
      wake?.();
    });
    const deadline = Date.now() + timeoutMs;
    try {
      let value = await read();
      for (;;) {
        if (changed(value)) return { value, changed: true };
        const remaining = deadline - Date.now();
        if (remaining <= 0 || signal.aborted) return { value, changed: false };
        if (!dirty) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, remaining);
            function done() {
              clearTimeout(timer);
              signal.removeEventListener("abort", done);
              wake = null;
              resolve();
            }
            wake = done;
            signal.addEventListener("abort", done, { once: true });
          });
        }
        dirty = false;
        value = await read();
      }
    } finally {
      subscription.close();
    }
  }
}
