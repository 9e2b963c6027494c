/**
 * The PostgreSQL event feed's barrier: a full (64-bit) transaction id below which every
 * transaction that could still add events has ended (see EventFeed).
 *
 * Inputs, read in ONE statement: the xmax of that statement's snapshot (64-bit: every
 * transaction below it had either ended or was running when the snapshot was taken), and
 * the 32-bit `backend_xid` of every backend of this database that holds one at the moment
 * pg_stat_activity is read, a little later. A transaction that was running at the snapshot
 * and still runs shows there with an id below xmax, so the barrier is the oldest such id,
 * or xmax when there is none.
 *
 * A backend may also show an id taken AFTER the snapshot (xmax is only the latest completed
 * id plus one, so an id above it is common under concurrent writes). Such an id says
 * nothing about the transactions below xmax and must be ignored. It must never raise the
 * barrier above xmax (a transaction that took an id between xmax and it may still be
 * running, unseen), nor be widened into the previous epoch: that gave a negative number,
 * which PostgreSQL's xid8 input wraps to about 2^64, and a feed that read up to there
 * skipped the events of every transaction still open (SSE clients missed events under load).
 */
const EPOCH = 2n ** 32n;
const HALF = 2n ** 31n;

export function feedBarrier(xmax: bigint, backendXids: readonly bigint[]): bigint {
  const xmax32 = xmax % EPOCH;
  let barrier = xmax;
  for (const xid of backendXids) {
    // How far before xmax this id is, in 32-bit modular arithmetic (ids are compared so in PostgreSQL).
    const behind = (((xmax32 - xid) % EPOCH) + EPOCH) % EPOCH;
    if (behind === 0n || behind >= HALF) continue; // taken after the snapshot: ignore it
    const full = xmax - behind;
    if (full >= 0n && full < barrier) barrier = full;
  }
  return barrier;
}
