/**
 * Whether a processing job's worker is still alive, read from the job row alone (no writer
 * needed): `updated_at` is the worker's last sign of life (every heartbeat and every write of
 * a running job sets it) and `lease_expires_at` is when the job is taken over without one.
 *
 * The worker is overdue when more than half the time between its last sign of life and the
 * lease's expiry has passed: `2·now > updated_at + lease_expires_at`. A healthy worker renews
 * the lease every quarter of it, so it is never flagged unless about two heartbeats in a row
 * are late; a dead one is flagged half-way to its lease's expiry, before it is recovered.
 * The rule needs no configuration, so API processes and workers with different lease
 * settings agree on it. The rescuer's SQL (engine/rescuer.ts) is the same inequality.
 */
export interface WorkerHealthInput {
  status: string;
  updatedAt: Date;
  leaseExpiresAt: Date | null;
}

/** When overdue: how long until the job is recovered (its lease expires, plus a rescue sweep). */
export function unresponsiveWorker(job: WorkerHealthInput, now: number): { recoveryInMs: number } | null {
  if (job.status !== "processing" || job.leaseExpiresAt === null) return null;
  const expires = job.leaseExpiresAt.getTime();
  if (2 * now <= job.updatedAt.getTime() + expires) return null;
  return { recoveryInMs: Math.max(0, expires - now) + RESCUE_SWEEP_ALLOWANCE_MS };
}

/** The default rescuer interval: an expired lease is noticed within about this long. */
const RESCUE_SWEEP_ALLOWANCE_MS = 1_000;

/** The status message while a job waits for its lost worker's lease to expire. */
export function recoveryPendingMessage(recoveryInMs: number): string {
  return `Worker stopped responding; recovery pending (expected within ${Math.max(1, Math.ceil(recoveryInMs / 1000))} s)`;
}
