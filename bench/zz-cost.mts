import { readFileSync } from "node:fs";
import { createTestDatabase } from "../test/support/databases.js";
import { seedDocuments } from "../test/support/seed.js";
import { JobQueue } from "../src/engine/job-queue.js";
import { InProcessNotifier } from "../src/engine/notifier.js";
import { writeTransaction } from "../src/db/transaction.js";
const N = 3000, B = Number(process.argv[2] ?? 10);
const db = await createTestDatabase("postgres");
const queue = new JobQueue({ database: db.database, notifier: new InProcessNotifier() });
const { ownerId, documentIds } = await seedDocuments(db.database, N);
await writeTransaction(db.database, async (trx) => { for (const documentId of documentIds) await queue.enqueue({ documentId, ownerId, pipeline: "test", options: {} as never, plan: ["work"] }, trx); });
await db.database.pgPool!.query("analyze");
const pool = db.database.pgPool!;
const cpu = (pids: number[]) => pids.reduce((t, pid) => { try { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" "); return t + Number(f[11]) + Number(f[12]); } catch { return t; } }, 0) * 10;
// warm
for (let i = 0; i < 5; i++) { const jobs = await queue.claim("w", B, 30000); await Promise.all(jobs.map((j) => queue.finishStep(j, "work", { status: "success" }))); }
const pids = (await pool.query("select pid from pg_stat_activity where datname = current_database()")).rows.map((r) => r.pid);
const c0 = cpu(pids), c1 = cpu([process.pid]); const t = performance.now(); let n = 0;
const counts = { q: 0 }; const orig = pool.query.bind(pool); (pool as any).query = (...a: any[]) => { counts.q++; return (orig as any)(...a); };
for (;;) { const jobs = await queue.claim("w", B, 30000); if (!jobs.length) break; n += jobs.length; await Promise.all(jobs.map((j) => queue.finishStep(j, "work", { status: "success" }))); }
const ms = performance.now() - t;
console.log(`batch ${B}: ${n} jobs, ${(n / ms * 1000).toFixed(0)} jobs/s, db cpu ${(cpu(pids) - c0) * 1000 / n} us/job, node cpu ${(cpu([process.pid]) - c1) * 1000 / n} us/job, pool queries/job ${(counts.q / n).toFixed(2)}`);
await db.drop(); process.exit(0);
