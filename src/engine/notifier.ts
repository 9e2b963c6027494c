import { EventEmitter } from "node:events";
import pg from "pg";
import type { Logger } from "../logger.js";

/**
 * Wake-up hints between processes. `jobs`: a job became claimable; `events`: new events
 * were committed; `cancel`: payload is a job id whose cancel was requested; `auth`: a
 * credential or user changed (payload `user:<id>`, `session:<id>`, `token:<id>` or `*`).
 * Hints are never the source of truth: every listener re-reads the database, and slow
 * polling remains as the backstop when a hint is lost. A listener that must not miss one
 * (the credential cache) asks {@link Notifier.hintsLive} first.
 */
export type Channel = "jobs" | "events" | "cancel" | "auth";
const CHANNELS: readonly Channel[] = ["jobs", "events", "cancel", "auth"];

/**
 * What a channel's subscribers are told when hints may have been missed (the listener
 * connection dropped, or came back): `auth` subscribers forget every cached credential.
 */
const RESYNC: Partial<Record<Channel, string>> = { auth: "*" };

export interface Notifier {
  /** Call after commit. Delivered at once in this process, and to other processes where supported. */
  publish(channel: Channel, payload?: string): void;
  subscribe(channel: Channel, listener: (payload: string) => void): () => void;
  /** True when other processes' hints reach this one (so polling can be slow). */
  readonly crossProcess: boolean;
  /**
   * Whether every hint published on `channel` from now on, by any process that shares this
   * notifier's transport, will reach this process (false while a listener connection is down).
   */
  hintsLive(channel: Channel): boolean;
  close(): Promise<void>;
}

/** Embedded mode: one process, so an EventEmitter is the whole story. */
export class InProcessNotifier implements Notifier {
  readonly crossProcess: boolean = false;
  protected readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(channel: Channel, payload = ""): void {
    this.emitter.emit(channel, payload);
  }

  subscribe(channel: Channel, listener: (payload: string) => void): () => void {
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  hintsLive(_channel: Channel): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const PG_CHANNEL_PREFIX = "docket_";
/**
 * NOTIFY takes a database-wide lock at commit, so every NOTIFY briefly serialises
 * committers. Coalescing within 10 ms caps it at ~100 a second per process while keeping
 * cross-process latency far below the event→client target (50 ms p99).
 */
const NOTIFY_DEBOUNCE_MS = 10;
const NOTIFY_SQL = `select pg_notify(c, p) from (select set_config('synchronous_commit', 'off', true)) as no_flush,
  unnest($1::text[], $2::text[]) as t(c, p)`;

/**
 * PostgreSQL: LISTEN on a dedicated connection, NOTIFY from the application after commit
 * (not from a trigger: a trigger's NOTIFY serialises concurrent committers). Publishes are
 * debounced per channel within a few milliseconds, so a burst of commits costs one NOTIFY.
 * If LISTEN is impossible (e.g. PgBouncer in transaction mode) or the connection drops,
 * hints stop arriving and callers' polling carries on; the listener reconnects with back-off.
 */
export class PgNotifier extends InProcessNotifier {
  override readonly crossProcess: boolean = true;
  private listener: pg.Client | null = null;
  private closed = false;
  private readonly pending = new Map<Channel, Set<string>>();
  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private reconnectDelay = 250;
  /**
   * Channels this process has subscribers for. Only those are LISTENed: a worker-only
   * process has no use for `events` hints, and receiving every other process's would cost
   * it CPU on each one.
   */
  private readonly wanted = new Set<Channel>();
  /** Channels LISTENed on the current listener connection. */
  private readonly listening = new Set<Channel>();
  /** The LISTEN loop in flight, if any: a pg client runs one query at a time, so LISTENs go one by one. */
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
    private readonly log: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.config);
    client.on("notification", (message) => {
      const channel = message.channel.slice(PG_CHANNEL_PREFIX.length) as Channel;
      if (!CHANNELS.includes(channel)) return;
      for (const payload of (message.payload ?? "").split(",")) this.emitter.emit(channel, payload);
    });
    client.on("error", (error) => {
      this.log.warn({ err: error }, "notification listener connection failed; polling until it reconnects");
      this.scheduleReconnect(client);
    });
    client.on("end", () => this.scheduleReconnect(client));
    try {
      await client.connect();
      this.listener = client;
      await this.syncListens();
      this.reconnectDelay = 250;
    } catch (error) {
      this.log.warn({ err: error }, "LISTEN unavailable; falling back to polling");
      this.scheduleReconnect(client);
    }
  }

  /**
   * LISTENs every wanted channel the current connection does not listen yet, one query at a
   * time. Callers share the loop in flight, and the loop looks again after each LISTEN, so a
   * subscribe that races the connect, or another subscribe, is never missed and never sends
   * a second query while one runs (pg 8 deprecates that and pg 9 refuses it).
   */
  private syncListens(): Promise<void> {
    if (this.syncing) return this.syncing;
    const run = this.listenToMissing().finally(() => {
      this.syncing = null;
    });
    this.syncing = run;
    return run;
  }

  private async listenToMissing(): Promise<void> {
    for (;;) {
      const client = this.listener;
      const channel = [...this.wanted].find((wanted) => !this.listening.has(wanted));
      if (client === null || channel === undefined) return;
      try {
        await this.listen(client, channel);
      } catch (error) {
        // A connection replaced while its LISTEN ran is not this loop's failure: go on with the new one.
        if (this.listener === client) throw error;
      }
    }
  }

  private async listen(client: pg.Client, channel: Channel): Promise<void> {
    await client.query(`LISTEN ${PG_CHANNEL_PREFIX}${channel}`);
    // The connection was dropped (and maybe replaced) meanwhile: its LISTEN counts for nothing.
    if (this.listener !== client) return;
    this.listening.add(channel);
    // Hints published while this channel was not listened are lost: say so to its subscribers.
    const resync = RESYNC[channel];
    if (resync !== undefined) this.emitter.emit(channel, resync);
  }

  override hintsLive(channel: Channel): boolean {
    return this.listener !== null && this.listening.has(channel);
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.closed || (this.listener !== null && this.listener !== client)) return;
    this.listener = null;
    this.listening.clear();
    for (const [channel, resync] of Object.entries(RESYNC)) this.emitter.emit(channel, resync);
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 10_000);
    setTimeout(() => void this.connect(), delay).unref();
  }

  override subscribe(channel: Channel, listener: (payload: string) => void): () => void {
    const unsubscribe = super.subscribe(channel, listener);
    if (!this.wanted.has(channel)) {
      this.wanted.add(channel);
      if (this.listener)
        this.syncListens().catch((error: unknown) => {
          this.log.warn({ err: error, channel }, "LISTEN failed; polling until the listener reconnects");
        });
    }
    return unsubscribe;
  }

  override publish(channel: Channel, payload = ""): void {
    super.publish(channel, payload);
    let set = this.pending.get(channel);
    if (!set) this.pending.set(channel, (set = new Set()));
    set.add(payload);
    // Leading edge: the first hint after a quiet spell goes at once (an idle worker starts a
    // new job without waiting out the debounce); those that follow within the interval share one NOTIFY.
    this.flushTimer ??= setTimeout(() => this.flush(), Math.max(0, this.lastFlush + NOTIFY_DEBOUNCE_MS - Date.now()));
  }

  private flush(): void {
    this.flushTimer = null;
    this.lastFlush = Date.now();
    const channels: string[] = [];
    const payloads: string[] = [];
    for (const [channel, set] of this.pending) {
      // NOTIFY payloads cap at 8000 bytes: send ids in chunks, and hints without payload once.
      let current = "";
      for (const p of set) {
        if (current.length + p.length + 1 > 7000) {
          channels.push(`${PG_CHANNEL_PREFIX}${channel}`);
          payloads.push(current);
          current = "";
        }
        current = current ? `${current},${p}` : p;
      }
      channels.push(`${PG_CHANNEL_PREFIX}${channel}`);
      payloads.push(current);
    }
    this.pending.clear();
    // Every channel's hints in one statement. A NOTIFY's transaction holds a database-wide
    // lock through its commit, so it does not wait for the WAL flush (synchronous_commit off
    // for this statement only): a hint carries no state, the commits it announces were
    // flushed before it was sent, and one lost in a server crash is what polling is for.
    this.pool.query(NOTIFY_SQL, [channels, payloads]).catch((error: unknown) => {
      this.log.warn({ err: error, channels }, "NOTIFY failed; other processes will notice by polling");
    });
  }

  override async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flush();
    }
    const client = this.listener;
    this.listener = null;
    if (client) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
    }
    await super.close();
  }
}
