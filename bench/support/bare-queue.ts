/**
 * bench:queue's floor: a bare SKIP LOCKED queue (bench/baseline-worker.ts) on the same
 * PostgreSQL, JOBS jobs with `processes` × SLOTS connections; its rate and CPU per job.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createTestDatabase } from "../../test/support/databases.js";
import { backendPids, now, spawnReady, startCpuWindow, stopAll, type CpuCost } from "./processes.js";

const BASELINE = join(fileURLToPath(new URL("../..", import.meta.url)), "bench/baseline-worker.ts");

export async function baseline(
  processes: number,
  JOBS: number,
  SLOTS: number,
): Promise<{ rate: number; cpu: CpuCost }> {
  const db = await createTestDatabase("postgres");
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `create table baseline_jobs (id bigserial primary key, status text not null, priority int not null, payload text, started_at timestamptz, finished_at timestamptz)`,
    );
    await client.query(`create index on baseline_jobs (priority desc, id) where status = 'pending'`);
    await client.query(
      `insert into baseline_jobs (status, priority, payload) select 'hold', g % 11, '{}' from generate_series(1, ${JOBS}) g`,
    );
    const children = await Promise.all(
      Array.from({ length: processes }, () => spawnReady(BASELINE, [db.url, String(SLOTS)])),
    );
    const cpuWindow = await startCpuWindow(
      children.map((c) => c.pid!),
      () => backendPids(client),
    );
    const start = now();
    await client.query(`update baseline_jobs set status = 'pending'`);
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from baseline_jobs where status = 'done'`,
      );
      if (Number(rows[0]!.n) >= JOBS) break;
      await sleep(20);
    }
    const seconds = (now() - start) / 1000;
    const cpu = await cpuWindow.end(JOBS);
    await stopAll(children);
    await client.end();
    return { rate: JOBS / seconds, cpu };
  } finally {
    await db.drop();
  }
}
