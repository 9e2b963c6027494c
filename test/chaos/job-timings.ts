import type { Database } from "../../src/db/database.js";

/**
 * Where the chaos run's time went, for its log (nothing here is asserted): how long jobs took
 * from submission to their end, how many attempts they needed, and the slowest job's history
 * with each event's time since its submission.
 */
export async function jobTimings(database: Database): Promise<string[]> {
  const jobs = await database.db
    .selectFrom("jobs")
    .select(["id", "attempt", "created_at", "started_at", "completed_at", "updated_at"])
    .execute();
  if (jobs.length === 0) return ["no jobs"];
  const took = (j: (typeof jobs)[number]) => Number(j.completed_at ?? j.updated_at) - Number(j.created_at);
  const durations = jobs.map(took).sort((a, b) => a - b);
  const at = (q: number) =>
    (durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]! / 1000).toFixed(1);
  const attempts = new Map<number, number>();
  for (const j of jobs) attempts.set(j.attempt, (attempts.get(j.attempt) ?? 0) + 1);
  const slowest = jobs.reduce((a, b) => (took(b) > took(a) ? b : a));
  const events = await database.db
    .selectFrom("job_events")
    .select(["step", "status", "attempt", "created_at"])
    .where("job_id", "=", slowest.id)
    .orderBy("id")
    .execute();
  const trail = events.map(
    (e) =>
      `+${((Number(e.created_at) - Number(slowest.created_at)) / 1000).toFixed(1)}s a${e.attempt} ${e.step ?? "job"}:${e.status}`,
  );
  return [
    `job time from submission to end: p50 ${at(0.5)} s, p90 ${at(0.9)} s, p99 ${at(0.99)} s, max ${at(1)} s`,
    `attempts: ${[...attempts]
      .sort(([a], [b]) => a - b)
      .map(([n, count]) => `${count} jobs ${n}`)
      .join(", ")}`,
    `slowest job ${slowest.id}: ${trail.join(" ")}`,
  ];
}
