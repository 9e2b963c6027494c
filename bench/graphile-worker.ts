/**
 * The contender in the queue benchmark: graphile-worker running the same no-op job, against
 * the same PostgreSQL, in a process of its own like Docket's worker.
 *   tsx bench/graphile-worker.ts <databaseUrl> <concurrency>
 * Its schema must already be installed (the benchmark runs runMigrations once first, so
 * several of these processes do not race to install it).
 */
import { Logger, run } from "graphile-worker";

const [url, concurrencyText] = process.argv.slice(2);
const runner = await run({
  connectionString: url!,
  concurrency: Number(concurrencyText ?? 8),
  noHandleSignals: true,
  // Docket's bench workers poll every 200 ms as a backstop to their wake-ups; the same here.
  pollInterval: 200,
  // Silent, as Docket's bench workers log only warnings: the benchmark measures the queues, not logging.
  logger: new Logger(() => () => undefined),
  taskList: { noop: async () => undefined },
});
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void runner.stop().then(() => process.exit(0));
});
