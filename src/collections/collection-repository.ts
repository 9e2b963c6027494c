import { sql, type Selectable } from "kysely";
import type { Database } from "../db/database.js";
import type { CollectionsTable } from "../db/schema.js";
import type { Tx } from "../db/transaction.js";
import type { Scope } from "../documents/document-service.js";
import type { JobRow } from "../engine/rows.js";

export type CollectionRow = Selectable<CollectionsTable>;
type Db = Database["db"] | Tx;

export interface MemberRow {
  document_id: string;
  filename: string;
  safe_filename: string;
  latest_job_id: string | null;
  num_pages: number | null;
  position: number;
}

/** The live collection, scoped like every read (an admin sees any). */
export async function findCollection(db: Db, scope: Scope, id: string): Promise<CollectionRow | undefined> {
  let query = db.selectFrom("collections").selectAll().where("id", "=", id).where("deleted_at", "is", null);
  if (!scope.admin) query = query.where("owner_id", "=", scope.userId);
  return query.executeTakeFirst();
}

export async function listCollections(
  db: Db,
  scope: Scope,
  page: number,
  pageSize: number,
): Promise<{ rows: CollectionRow[]; total: number }> {
  let base = db.selectFrom("collections").where("deleted_at", "is", null);
  if (!scope.admin) base = base.where("owner_id", "=", scope.userId);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Member ids in collection order, of each collection asked for (live documents only). */
export async function memberIdsOf(db: Db, collectionIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(collectionIds.map((id) => [id, []]));
  if (collectionIds.length === 0) return out;
  const rows = await db
    .selectFrom("collection_documents")
    .innerJoin("documents", "documents.id", "collection_documents.document_id")
    .select(["collection_documents.collection_id", "collection_documents.document_id"])
    .where("collection_documents.collection_id", "in", [...collectionIds])
    .where("documents.deleted_at", "is", null)
    .orderBy("collection_documents.collection_id")
    .orderBy("collection_documents.position")
    .execute();
  for (const r of rows) out.get(r.collection_id)?.push(r.document_id);
  return out;
}

/** The members with what the stages and the compile step need, in collection order. */
export async function members(db: Db, collectionId: string): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom("collection_documents")
    .innerJoin("documents", "documents.id", "collection_documents.document_id")
    .select([
      "documents.id as document_id",
      "documents.filename",
      "documents.safe_filename",
      "documents.latest_job_id",
      "documents.num_pages",
      "collection_documents.position",
    ])
    .where("collection_documents.collection_id", "=", collectionId)
    .where("documents.deleted_at", "is", null)
    .orderBy("collection_documents.position")
    .execute();
  return rows.map((r) => ({ ...r, num_pages: r.num_pages === null ? null : Number(r.num_pages) }));
}

/**
 * A fresh value of the event id sequence, without an event: a collection's version moves to
 * it on a membership change, so the status version (the greatest of this and its documents'
 * and its job's event ids) grows on every change, even one that removes the document whose
 * events were the newest. Must run inside a write transaction.
 */
export async function reserveVersion(trx: Tx, dialect: Database["dialect"]): Promise<number> {
  if (dialect === "postgres") {
    const r = await sql<{ v: number }>`select nextval(pg_get_serial_sequence('job_events', 'id')) as v`.execute(trx);
    return Number(r.rows[0]!.v);
  }
  // AUTOINCREMENT hands out max(seq, max(rowid)) + 1: raising seq reserves the value.
  const r = await sql<{
    seq: number;
  }>`update sqlite_sequence set seq = max(seq, coalesce((select max(id) from job_events), 0)) + 1 where name = 'job_events' returning seq`.execute(
    trx,
  );
  if (r.rows[0]) return Number(r.rows[0].seq);
  await sql`insert into sqlite_sequence (name, seq) values ('job_events', coalesce((select max(id) from job_events), 0) + 1)`.execute(
    trx,
  );
  const again = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'job_events'`.execute(trx);
  return Number(again.rows[0]!.seq);
}

/** Inserts a new collection row. */
export async function insertCollection(trx: Tx, row: CollectionRow): Promise<void> {
  await trx.insertInto("collections").values(row).execute();
}

/** Soft delete: the row stays, with `deleted_at` set. */
export async function softDeleteCollection(trx: Tx, id: string, now: number): Promise<void> {
  await trx.updateTable("collections").set({ deleted_at: now, updated_at: now }).where("id", "=", id).execute();
}

/** Records a change of the collection: a new version (see reserveVersion) and `updated_at`. */
export async function touchCollection(trx: Tx, dialect: Database["dialect"], id: string, now: number): Promise<void> {
  const version = await reserveVersion(trx, dialect);
  await trx.updateTable("collections").set({ version, updated_at: now }).where("id", "=", id).execute();
}

/** Whether adding these documents would take the collection past `max` members (those already in count once). */
export async function wouldExceedMembers(
  trx: Tx,
  collectionId: string,
  documentIds: readonly string[],
  max: number,
): Promise<boolean> {
  const count = await trx
    .selectFrom("collection_documents")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("collection_id", "=", collectionId)
    .executeTakeFirstOrThrow();
  if (Number(count.n) + documentIds.length <= max) return false;
  const present = await trx
    .selectFrom("collection_documents")
    .select("document_id")
    .where("collection_id", "=", collectionId)
    .where("document_id", "in", documentIds.length > 0 ? documentIds : [""])
    .execute();
  return Number(count.n) + documentIds.length - present.length > max;
}

/** Removes one member; false when the document was not in the collection. */
export async function removeMember(trx: Tx, collectionId: string, documentId: string): Promise<boolean> {
  const removed = await trx
    .deleteFrom("collection_documents")
    .where("collection_id", "=", collectionId)
    .where("document_id", "=", documentId)
    .executeTakeFirst();
  return Number(removed.numDeletedRows) > 0;
}

/** Appends documents (already checked to be the owner's) after the last member; members already in stay where they are. */
export async function appendMembers(
  trx: Tx,
  collection: CollectionRow,
  documentIds: readonly string[],
  now: number,
): Promise<number> {
  const existing = await trx
    .selectFrom("collection_documents")
    .select(["document_id", "position"])
    .where("collection_id", "=", collection.id)
    .execute();
  const present = new Set(existing.map((e) => e.document_id));
  let position = existing.reduce((max, e) => Math.max(max, Number(e.position)), -1);
  const rows = documentIds
    .filter((id) => !present.has(id))
    .map((id) => ({
      collection_id: collection.id,
      document_id: id,
      owner_id: collection.owner_id,
      position: ++position,
      added_at: now,
    }));
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto("collection_documents")
      .values(rows.slice(i, i + 200))
      .execute();
  return rows.length;
}

/** The greatest event id of the collection's documents and of its own jobs (0 when none). */
export async function maxEventId(db: Db, collectionId: string): Promise<number> {
  const r = await sql<{ v: number | null }>`select max(v) as v from (
      select max(e.id) as v from job_events e
        join collection_documents cd on cd.document_id = e.document_id
        where cd.collection_id = ${collectionId}
      union all
      select max(id) as v from job_events where collection_id = ${collectionId}
    ) t`.execute(db);
  return Number(r.rows[0]?.v ?? 0);
}

/** The newest collection job (the compile stage), or undefined. */
export async function latestCollectionJob(db: Db, collectionId: string): Promise<JobRow | undefined> {
  const r = await sql<JobRow>`select * from jobs where collection_id = ${collectionId}
    order by created_at desc, id desc limit 1`.execute(db);
  return r.rows[0];
}
