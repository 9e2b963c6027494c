import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AccountService } from "../../accounts/account-service.js";
import type { FeedEvent, Subscription } from "../../engine/event-feed.js";
import type { LiveService } from "../../live/live-service.js";
import type { Logger } from "../../logger.js";
import type { Metrics } from "../../observability/metrics.js";
import { principalOf, scopeOf } from "../auth.js";
import { HttpProblem } from "../problem.js";
import { EventsQuery, problemResponses } from "../schemas.js";

export interface EventRoutesOptions {
  live: LiveService;
  /** Its watcher ends a stream when the credential that opened it ends. */
  accounts: AccountService;
  log: Logger;
  metrics: Metrics;
  /** Interval of the keep-alive comment (API.md: at most 15 s). */
  keepAliveMs: number;
  /** Open connections, closed by the composition root at shutdown. */
  connections: Set<SseConnection>;
}

/** A queued event that could not be written for this long marks a stuck client: drop it (it resumes with Last-Event-ID). */
const MAX_QUEUE = 10_000;

/**
 * One Server-Sent Events connection: the snapshot, then one message per event in feed
 * order. Messages are written strictly in order by a single pump; a slow client's queue is
 * bounded, and it is disconnected (to resume with Last-Event-ID) rather than buffered forever.
 */
export class SseConnection {
  private readonly queue: FeedEvent[] = [];
  private pumping = false;
  private started = false;
  private closed = false;
  private subscription: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly res: ServerResponse,
    private readonly live: LiveService,
    private readonly log: Logger,
    keepAliveMs: number,
    private readonly onClose: () => void,
  ) {
    this.timer = setInterval(() => this.write(`: keep-alive ${new Date().toISOString()}\n\n`), keepAliveMs);
    this.timer.unref();
    res.on("close", () => this.close());
  }

  attach(subscription: Subscription): void {
    if (this.closed) subscription.close();
    else this.subscription = subscription;
  }

  push(event: FeedEvent): void {
    if (this.closed) return;
    if (this.queue.length >= MAX_QUEUE) {
      this.log.warn({ queued: this.queue.length }, "event-stream client too slow; disconnecting it");
      this.close();
      return;
    }
    this.queue.push(event);
    this.pump();
  }

  /** Writes the snapshot; events queued meanwhile follow it. */
  start(snapshot: unknown): void {
    this.write(`retry: 2000\n\nevent: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    this.started = true;
    this.pump();
  }

  private pump(): void {
    if (this.pumping || !this.started || this.closed) return;
    this.pumping = true;
    void (async () => {
      try {
        while (this.queue.length > 0 && !this.closed) {
          const event = this.queue.shift()!;
          const message = await this.live.message(event);
          // `id` is a decimal event id and `event` a constant: neither can contain a newline.
          this.write(`id: ${event.id}\nevent: job\ndata: ${JSON.stringify(message)}\n\n`);
        }
      } catch (error) {
        this.log.warn({ err: error }, "could not build an event message; closing the stream so the client resumes");
        this.write(`event: error\ndata: ${JSON.stringify({ code: "internal_error" })}\n\n`);
        this.close();
      } finally {
        this.pumping = false;
        if (this.queue.length > 0 && !this.closed) this.pump();
      }
    })();
  }

  private write(chunk: string): void {
    if (this.closed || this.res.writableEnded) return;
    this.res.write(chunk);
  }

  /** The credential that opened the stream ended (revoked, logged out, user disabled): say so and close. */
  revoke(): void {
    this.write(
      `event: error\ndata: ${JSON.stringify({ code: "unauthorized", detail: "the credential of this stream is no longer valid" })}\n\n`,
    );
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.subscription?.close();
    this.queue.length = 0;
    if (!this.res.writableEnded) this.res.end();
    this.onClose();
  }
}

export function eventRoutes(app: FastifyInstance, o: EventRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/events",
    {
      schema: {
        tags: ["real time"],
        summary:
          "Server-Sent Events of the caller's documents: a snapshot, then `event: job` messages; resume with Last-Event-ID",
        querystring: EventsQuery,
        produces: ["text/event-stream"],
        response: problemResponses(400, 401, 404),
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const principal = principalOf(request);
      const { document_id, job_id, batch_id, collection_id, last_event_id } = request.query;
      const header = request.headers["last-event-id"];
      const resumeFrom =
        (typeof header === "string" && header.trim() !== "" ? header.trim() : undefined) ?? last_event_id ?? null;
      if (resumeFrom !== null && !/^\d{1,18}$/.test(resumeFrom))
        throw new HttpProblem(400, "validation_error", "Last-Event-ID must be an event id");
      const filter = await o.live.feedFilter(scope, { documentId: document_id, jobId: job_id, batchId: batch_id });
      // A collection's events: the owner's feed, narrowed to its documents and collection jobs.
      const collection = collection_id ? await o.live.collectionFilter(scope, collection_id) : null;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.flushHeaders();
      o.metrics.sseClients.inc();
      const connection = new SseConnection(res, o.live, o.log, o.keepAliveMs, () => {
        unwatch();
        o.connections.delete(connection);
        o.metrics.sseClients.dec();
      });
      const unwatch = o.accounts.watcher.watch(principal, () => connection.revoke());
      o.connections.add(connection);
      try {
        // Subscribe first, then read the snapshot: nothing committed in between is lost
        // (it is queued and sent after the snapshot).
        connection.attach(
          await o.live.feed.subscribe(filter, resumeFrom, (event) =>
            collection ? collection.select(event, (e) => connection.push(e)) : connection.push(event),
          ),
        );
        connection.start(collection ? await o.live.collectionSnapshot(collection) : await o.live.snapshot(filter));
      } catch (error) {
        o.log.warn({ err: error }, "event stream failed to start");
        connection.close();
      }
    },
  );
}
