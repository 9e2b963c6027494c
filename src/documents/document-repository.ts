/**
 * The `documents` table: the statements the document, fields, review, live and collection
 * services, the ingest path, the validate step and the blob sweeper need. Functions take `db` (or the caller's transaction) first.
 */
import { sql, type Kysely, type Selectable } from "kysely";
import type { DatabaseSchema, DocumentsTable } from "../db/schema.js";
import type { Scope } from "../domain/scope.js";
import type { DocumentStatus } from "../domain/types.js";
import { whereUnifiedStatus } from "./status-filter.js";

type Db = Kysely<DatabaseSchema>;
export type DocumentRow = Selectable<DocumentsTable>;

/** The owner's live document with these bytes (a duplicate upload), if any. */
export function findLiveDocumentBySha(db: Db, ownerId: string, sha256: string): Promise<DocumentRow | undefined> {
  return db
    .selectFrom("documents")
    .selectAll()
    .where("owner_id", "=", ownerId)
    .where("sha256", "=", sha256)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

export async function insertDocument(trx: Db, row: DocumentRow): Promise<void> {
  await trx.insertInto("documents").values(row).execute();
}

/** The live document as the scope may see it (its owner's, or any for an admin). */
export function findLiveDocument(db: Db, scope: Scope, id: string): Promise<DocumentRow | undefined> {
  let query = db.selectFrom("documents").selectAll().where("id", "=", id).where("deleted_at", "is", null);
  if (!scope.admin) query = query.where("owner_id", "=", scope.userId);
  return query.executeTakeFirst();
}

/** Whether any document row, live or deleted, points at the blob. */
export async function isBlobReferenced(db: Db, blobKey: string): Promise<boolean> {
  const row = await db.selectFrom("documents").select("id").where("blob_key", "=", blobKey).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Which of these blob keys some document row (live or deleted) points at. */
export async function referencedBlobKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  const rows = await db.selectFrom("documents").select("blob_key").where("blob_key", "in", keys).execute();
  return new Set(rows.map((r) => r.blob_key));
}

/** What the validate step reads: the stored file and its names, and whether it was deleted (none for a job without a document). */
export async function documentFile(db: Db, id: string | null) {
  if (id === null) return undefined;
  return db
    .selectFrom("documents")
    .select(["blob_key", "mime_type", "filename", "deleted_at"])
    .where("id", "=", id)
    .executeTakeFirst();
}

export interface DocumentListQuery {
  page: number;
  pageSize: number;
  status?: DocumentStatus | undefined;
  q?: string | undefined;
  sort: string;
}

/** A page of live documents (filtered by unified status and a filename search) and the total. */
export async function listLiveDocuments(
  db: Db,
  scope: Scope,
  query: DocumentListQuery,
): Promise<{ rows: DocumentRow[]; total: number }> {
  let base = db
    .selectFrom("documents")
    .leftJoin("jobs", "jobs.id", "documents.latest_job_id")
    .where("documents.deleted_at", "is", null);
  if (!scope.admin) base = base.where("documents.owner_id", "=", scope.userId);
  if (query.q) {
    const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where(sql<boolean>`lower(documents.filename) like ${pattern} escape '\\'`);
  }
  if (query.status) {
    const status = query.status;
    base = base.where((eb) => whereUnifiedStatus(eb, status));
  }
  const desc = query.sort.startsWith("-");
  const column = query.sort.replace(/^-/, "") as "created_at" | "filename" | "size_bytes";
  const [rows, count] = await Promise.all([
    base
      .selectAll("documents")
      .orderBy(`documents.${column}`, desc ? "desc" : "asc")
      .orderBy("documents.id", desc ? "desc" : "asc")
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Soft delete: the row stays (its blob may be shared), hidden from every read. */
export async function softDeleteDocument(trx: Db, id: string, now: number): Promise<void> {
  await trx
    .updateTable("documents")
    .set({ deleted_at: now, updated_at: now })
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .execute();
}

/** The live document's id and latest job, as the scope may see it (results and review start here). */
export function findLiveDocumentHead(
  db: Db,
  scope: Scope,
  id: string,
): Promise<{ id: string; latest_job_id: string | null } | undefined> {
  let query = db
    .selectFrom("documents")
    .select(["id", "latest_job_id"])
    .where("id", "=", id)
    .where("deleted_at", "is", null);
  if (!scope.admin) query = query.where("owner_id", "=", scope.userId);
  return query.executeTakeFirst();
}

/** The live document's owner (undefined: none, or deleted), to check a caller may watch it. */
export function liveDocumentOwner(db: Db, id: string): Promise<{ owner_id: string } | undefined> {
  return db
    .selectFrom("documents")
    .select("owner_id")
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

/** Which of these ids are live documents of `ownerId` (any number of ids: read in chunks). */
export async function liveDocumentIdsOf(db: Db, ownerId: string, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom("documents")
      .select("id")
      .where("id", "in", ids.slice(i, i + 500))
      .where("owner_id", "=", ownerId)
      .where("deleted_at", "is", null)
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** Documents by id, live or deleted (the caller decides what a deleted one means). */
export function documentsByIds(db: Db, ids: readonly (string | null)[]): Promise<DocumentRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("documents")
    .selectAll()
    .where("id", "in", ids as string[])
    .execute();
}

/** The newest live documents, the owner's (null: anyone's) or the one given (at most `limit`). */
export function newestLiveDocuments(
  db: Db,
  filter: { ownerId: string | null; documentId?: string | undefined },
  limit: number,
): Promise<DocumentRow[]> {
  let q = db.selectFrom("documents").selectAll().where("deleted_at", "is", null);
  if (filter.ownerId !== null) q = q.where("owner_id", "=", filter.ownerId);
  if (filter.documentId) q = q.where("id", "=", filter.documentId);
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** A page of the review queue (live documents whose latest job waits for a person), the longest-waiting first, and the total. */
export async function reviewQueuePage(db: Db, scope: Scope, page: number, pageSize: number) {
  let base = db
    .selectFrom("documents")
    .innerJoin("jobs", "jobs.id", "documents.latest_job_id")
    .where("documents.deleted_at", "is", null)
    .where((eb) => whereUnifiedStatus(eb, "manual_review"));
  if (!scope.admin) base = base.where("documents.owner_id", "=", scope.userId);
  const [rows, count] = await Promise.all([
    base
      .selectAll("documents")
      .select(["jobs.review_reason as queue_reason", "jobs.completed_at as queue_since"])
      .orderBy("jobs.completed_at", "asc")
      .orderBy("documents.id", "asc")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** The next page (by id, after `after`) of live processed documents with their latest job's version. */
export function processedDocumentsPage(
  db: Db,
  scope: Scope,
  filter: { status?: DocumentStatus | undefined; after: string; pageSize: number },
) {
  let query = db
    .selectFrom("documents")
    .innerJoin("jobs", "jobs.id", "documents.latest_job_id")
    .select(["documents.id", "documents.filename", "documents.latest_job_id", "jobs.version"])
    .where("documents.deleted_at", "is", null)
    .where("documents.id", ">", filter.after);
  if (!scope.admin) query = query.where("documents.owner_id", "=", scope.userId);
  if (filter.status) {
    const status = filter.status;
    query = query.where((eb) => whereUnifiedStatus(eb, status));
  }
  return query.orderBy("documents.id").limit(filter.pageSize).execute();
}
