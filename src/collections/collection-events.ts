import { sql } from "kysely";
import type { Database } from "../db/database.js";
import type { Scope } from "../documents/document-service.js";
import type { FeedEvent } from "../engine/event-feed.js";
import { DocketError } from "../errors.js";
import { findCollection, memberIdsOf } from "./collection-repository.js";

const MEMBERS_REFRESH_MS = 2_000;

/**
 * `GET /api/v1/events?collection_id=`: which of the owner's events concern a collection —
 * those of its member documents and of its collection jobs. The feed filters by owner; this
 * narrows it. Membership is re-read at most every 2 s (a document added meanwhile shows up
 * then); a job without a document is looked up once (is it this collection's?) and
 * remembered. `select` keeps the events' order: each decision waits for the one before it.
 */
export class CollectionEventFilter {
  private members = new Set<string>();
  private readonly jobs = new Map<string, boolean>();
  private membersAt = 0;
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly database: Database,
    readonly collectionId: string,
  ) {}

  /** The filter for a collection the caller can see; 404 otherwise. */
  static async open(database: Database, scope: Scope, collectionId: string): Promise<CollectionEventFilter> {
    if (!(await findCollection(database.db, scope, collectionId)))
      throw new DocketError("not_found", "collection not found");
    const filter = new CollectionEventFilter(database, collectionId);
    await filter.refreshMembers();
    return filter;
  }

  memberIds(): string[] {
    return [...this.members];
  }

  private async refreshMembers(): Promise<void> {
    this.members = new Set((await memberIdsOf(this.database.db, [this.collectionId])).get(this.collectionId) ?? []);
    this.membersAt = Date.now();
  }

  private async isCollectionJob(jobId: string): Promise<boolean> {
    const known = this.jobs.get(jobId);
    if (known !== undefined) return known;
    const row = await sql<{
      collection_id: string | null;
    }>`select collection_id from jobs where id = ${jobId}`.execute(this.database.db);
    const mine = row.rows[0]?.collection_id === this.collectionId;
    this.jobs.set(jobId, mine);
    return mine;
  }

  async matches(event: FeedEvent): Promise<boolean> {
    if (event.documentId === null) return this.isCollectionJob(event.jobId);
    if (Date.now() - this.membersAt > MEMBERS_REFRESH_MS) await this.refreshMembers();
    return this.members.has(event.documentId);
  }

  /** Calls `deliver` with the events that match, in the order they were given. */
  select(event: FeedEvent, deliver: (event: FeedEvent) => void): void {
    this.chain = this.chain
      .then(async () => {
        if (await this.matches(event)) deliver(event);
      })
      .catch(() => undefined);
  }
}
