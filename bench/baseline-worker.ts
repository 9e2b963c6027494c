/**
 * The baseline for the queue benchmark: the smallest correct PostgreSQL queue — one table,
 * claim with FOR UPDATE SKIP LOCKED in a CTE, mark done in a second transaction. No steps,
 * no events, no leases. It shows what this PostgreSQL on this machine can do, so Docket's
 * figure is reported as a ratio against it.
 *   tsx bench/baseline-worker.ts <databaseUrl> <concurrency>
 */
import pg from "pg";

const [url, concurrencyText] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: Number(concurrencyText ?? 4) });
let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});

async function loop(): Promise<void> {
  while (!stopping) {
    const claimed = await pool.query<{ id: string }>(
      `with next as (select id from baseline_jobs where status = 'pending' order by priority desc, id limit 1 for update skip locked)
       update baseline_jobs set status = 'running', started_at = clock_timestamp() from next where baseline_jobs.id = next.id returning baseline_jobs.id`,
    );
    const row = claimed.rows[0];
    if (!row) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    await pool.query(`update baseline_jobs set status = 'done', finished_at = clock_timestamp() where id = $1`, [
      row.id,
    ]);
  }
}

process.stdout.write("ready\n");
await Promise.all(Array.from({ length: Number(concurrencyText ?? 4) }, () => loop()));
await pool.end();
process.exit(0);
