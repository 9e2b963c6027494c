/** Whether a failed statement broke a unique index (PostgreSQL 23505, SQLite's UNIQUE constraint). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    e?.code === "23505" ||
    e?.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    (typeof e?.message === "string" && /UNIQUE constraint/i.test(e.message))
  );
}
