import type { QueryClient } from "@tanstack/react-query";
import type { ApiClient } from "../api/client";
import { keys } from "../api/keys";
import { isActive, type EventMessage, type Snapshot } from "../api/types";
import { afterPolledChange, applyMessage, applySnapshot, Invalidator, putStatus, type LiveStatus } from "./cache";

/**
 * How fresh the screen is:
 * - `connecting`: first connection of the event stream;
 * - `live`: the event stream is open (every change is pushed);
 * - `reconnecting`: the stream dropped and is being reopened (resuming from the last event id);
 * - `polling`: the stream failed repeatedly; the documents on screen are long-polled instead;
 * - `offline`: the browser says it has no network.
 */
export type LiveMode = "connecting" | "live" | "reconnecting" | "polling" | "offline";

/** Failed stream attempts in a row before falling back to long-polling. */
const FAILURES_BEFORE_POLLING = 3;
/** Reconnect delays after the 1st, 2nd… failure; later ones use the last value. */
const RECONNECT_DELAYS_MS = [500, 1_500, 15_000];
/** Long-polls at once: browsers allow about 6 connections per host, and the page needs some. */
const MAX_LONG_POLLS = 3;
const LONG_POLL_SECONDS = 25;
/** Watched documents beyond MAX_LONG_POLLS, and the lists, refresh this often while polling. */
const SHORT_POLL_MS = 10_000;

/**
 * The one source of live updates in the UI: an EventSource on /api/v1/events (the session
 * cookie authenticates it) that writes every pushed state change into the query cache, and
 * resumes after a drop from the last event id it saw (`last_event_id`, the query-string form
 * of Last-Event-ID). When the stream fails {@link FAILURES_BEFORE_POLLING} times in a row it
 * falls back to long-polling `/documents/:id/status?wait=` for the documents on screen
 * (registered with {@link watch}), and keeps trying the stream in the background.
 */
export class LiveUpdates {
  private mode: LiveMode = "connecting";
  private readonly listeners = new Set<() => void>();
  private source: EventSource | null = null;
  private lastEventId: string | null = null;
  private failures = 0;
  private everLive = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private shortPollTimer: ReturnType<typeof setInterval> | null = null;
  private readonly watched = new Map<string, number>();
  private readonly longPolls = new Map<string, AbortController>();
  private readonly invalidate: Invalidator;
  private stopped = false;

  constructor(
    private readonly api: ApiClient,
    private readonly qc: QueryClient,
  ) {
    this.invalidate = new Invalidator(qc);
  }

  getMode = (): LiveMode => this.mode;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.source?.close();
    this.source = null;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopPolling();
    this.invalidate.clear();
  }

  /** Keep `documentId` fresh while it is on screen (matters only while polling). */
  watch(documentId: string): () => void {
    this.watched.set(documentId, (this.watched.get(documentId) ?? 0) + 1);
    if (this.mode === "polling") this.fillLongPolls();
    return () => {
      const count = (this.watched.get(documentId) ?? 1) - 1;
      if (count > 0) {
        this.watched.set(documentId, count);
        return;
      }
      this.watched.delete(documentId);
      this.longPolls.get(documentId)?.abort();
      this.longPolls.delete(documentId);
      if (this.mode === "polling") this.fillLongPolls();
    };
  }

  private setMode(mode: LiveMode): void {
    if (this.mode === mode) return;
    this.mode = mode;
    for (const listener of this.listeners) listener();
  }

  private connect(): void {
    if (this.stopped) return;
    this.reconnectTimer = null;
    const source = new EventSource(this.api.eventsUrl(this.lastEventId));
    this.source = source;
    source.addEventListener("snapshot", (e) => {
      applySnapshot(this.qc, JSON.parse((e as MessageEvent<string>).data) as Snapshot);
      const recovering = this.everLive && this.mode !== "live";
      this.failures = 0;
      this.everLive = true;
      this.stopPolling();
      this.setMode("live");
      // After an outage, anything the snapshot does not cover (lists, results) is refetched once.
      if (recovering) void this.qc.invalidateQueries();
    });
    source.addEventListener("job", (e) => {
      const message = e as MessageEvent<string>;
      if (message.lastEventId) this.lastEventId = message.lastEventId;
      applyMessage(this.qc, JSON.parse(message.data) as EventMessage, this.invalidate);
    });
    // A network failure, a non-200 answer, or the server's own `event: error` before it closes.
    source.addEventListener("error", () => {
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.failures++;
      if (!navigator.onLine) this.setMode("offline");
      else if (this.failures >= FAILURES_BEFORE_POLLING) this.startPolling();
      else this.setMode("reconnecting");
      const delay = RECONNECT_DELAYS_MS[Math.min(this.failures, RECONNECT_DELAYS_MS.length) - 1] ?? 15_000;
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private readonly onOnline = () => {
    if (this.source || this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.connect();
  };

  private readonly onOffline = () => this.setMode("offline");

  // ------------------------------------------------------------ long-polling fallback

  private startPolling(): void {
    const was = this.mode;
    this.setMode("polling");
    if (was === "polling") return;
    this.fillLongPolls();
    this.shortPollTimer = setInterval(() => this.shortPoll(), SHORT_POLL_MS);
  }

  private stopPolling(): void {
    for (const controller of this.longPolls.values()) controller.abort();
    this.longPolls.clear();
    if (this.shortPollTimer) clearInterval(this.shortPollTimer);
    this.shortPollTimer = null;
  }

  private statusOf(documentId: string): LiveStatus | undefined {
    return this.qc.getQueryData<LiveStatus>(keys.status(documentId));
  }

  /** Long-poll the watched documents, active ones first, at most MAX_LONG_POLLS at once. */
  private fillLongPolls(): void {
    const waiting = [...this.watched.keys()].filter((id) => !this.longPolls.has(id));
    waiting.sort(
      (a, b) =>
        Number(isActive(this.statusOf(b)?.status ?? "uploaded")) -
        Number(isActive(this.statusOf(a)?.status ?? "uploaded")),
    );
    for (const id of waiting) {
      if (this.longPolls.size >= MAX_LONG_POLLS) break;
      const controller = new AbortController();
      this.longPolls.set(id, controller);
      void this.longPoll(id, controller.signal);
    }
  }

  private async longPoll(documentId: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const version = this.statusOf(documentId)?.version ?? -1;
        const answer = await this.api.pollStatus(documentId, version, LONG_POLL_SECONDS, signal);
        if (answer.changed && putStatus(this.qc, documentId, answer.status))
          afterPolledChange(this.qc, documentId, this.invalidate);
      } catch {
        if (signal.aborted) return;
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      }
    }
  }

  /** Documents that got no long-poll slot, and the lists, are refreshed on a timer. */
  private shortPoll(): void {
    for (const id of this.watched.keys()) {
      if (this.longPolls.has(id)) continue;
      this.api
        .status(id)
        .then((status) => {
          if (putStatus(this.qc, id, status)) afterPolledChange(this.qc, id, this.invalidate);
        })
        .catch(() => undefined);
    }
    this.invalidate.soon(keys.documentsAll);
    this.invalidate.soon(keys.reviewAll);
  }
}
