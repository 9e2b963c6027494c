import type { Database } from "../../src/db/database.js";
import { newId } from "../../src/engine/ids.js";

/** Inserts a user and `count` documents owned by it, straight into the tables (engine tests need no upload path). */
export async function seedDocuments(
  database: Database,
  count: number,
  ownerId = newId(),
): Promise<{ ownerId: string; documentIds: string[] }> {
  const now = Date.now();
  const existing = await database.db.selectFrom("users").select("id").where("id", "=", ownerId).executeTakeFirst();
  if (!existing) {
    await database.db
      .insertInto("users")
      .values({
        id: ownerId,
        email: `${ownerId}@example.test`,
        password_hash: "x",
        role: "user",
        disabled: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  const documentIds: string[] = [];
  const rows = [];
  for (let i = 0; i < count; i++) {
    const id = newId();
    documentIds.push(id);
    rows.push({
      id,
      owner_id: ownerId,
      filename: `doc-${i}.pdf`,
      safe_filename: `doc-${i}.pdf`,
      mime_type: "application/pdf",
      size_bytes: 1,
      sha256: `${id}-sha`,
      num_pages: null,
      blob_key: `uploads/${id}`,
      latest_job_id: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    });
  }
  for (let i = 0; i < rows.length; i += 500)
    await database.db
      .insertInto("documents")
      .values(rows.slice(i, i + 500))
      .execute();
  return { ownerId, documentIds };
}
