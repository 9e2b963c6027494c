/**
 * Templates uploaded through the admin route, in `extraction_templates` (invoice2data's YAML
 * as text), shared by every process on the database. The caller validates the YAML first.
 */
import type { Selectable } from "kysely";
import type { Database } from "../../db/database.js";
import type { ExtractionTemplatesTable } from "../../db/schema.js";
import type { Tx } from "../../db/transaction.js";

type Db = Database["db"] | Tx;
export type StoredTemplate = Selectable<ExtractionTemplatesTable>;

/** Names and update times only: enough to see whether anything changed. */
export async function listTemplateVersions(db: Db): Promise<Array<{ name: string; updated_at: number }>> {
  return db.selectFrom("extraction_templates").select(["name", "updated_at"]).orderBy("name").execute();
}

export async function listTemplates(db: Db): Promise<StoredTemplate[]> {
  return db.selectFrom("extraction_templates").selectAll().orderBy("name").execute();
}

export async function getTemplate(db: Db, name: string): Promise<StoredTemplate | null> {
  return (await db.selectFrom("extraction_templates").selectAll().where("name", "=", name).executeTakeFirst()) ?? null;
}

/** Insert or replace; `created` says which. The first uploader and time stay on a replace. */
export async function upsertTemplate(
  db: Db,
  row: { name: string; yaml: string; createdBy: string; now: number },
): Promise<{ template: StoredTemplate; created: boolean }> {
  const before = await getTemplate(db, row.name);
  // A later upload of the same name within the same millisecond must still look changed.
  const updatedAt = before && before.updated_at >= row.now ? before.updated_at + 1 : row.now;
  await db
    .insertInto("extraction_templates")
    .values({ name: row.name, yaml: row.yaml, created_by: row.createdBy, created_at: row.now, updated_at: updatedAt })
    .onConflict((oc) => oc.column("name").doUpdateSet({ yaml: row.yaml, updated_at: updatedAt }))
    .execute();
  return { template: (await getTemplate(db, row.name))!, created: before === null };
}

/** True when a template of that name was there. */
export async function deleteTemplate(db: Db, name: string): Promise<boolean> {
  const result = await db.deleteFrom("extraction_templates").where("name", "=", name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
