/**
 * An event-stream client that does what EventSource does on a dropped connection: reconnect
 * (here to the same API process, as soon as it answers again) with Last-Event-ID, and keep
 * every `job` message in the order received.
 */
export interface ReceivedEvent {
  id: number;
  jobId: string;
  status: string;
  /** Which connection delivered it (1 = the first), to tell where a gap or a repeat came from. */
  connection: number;
}

export class ResumingSseClient {
  readonly events: ReceivedEvent[] = [];
  reconnects = 0;
  /** The Last-Event-ID each connection resumed from (null: none), by connection number - 1. */
  readonly resumedFrom: (string | null)[] = [];
  private lastEventId: string | null = null;
  private stopped = false;
  private controller: AbortController | null = null;
  private readonly loop: Promise<void>;

  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.controller = new AbortController();
      this.resumedFrom.push(this.lastEventId);
      try {
        const res = await fetch(`${this.base}/api/v1/events`, {
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: "text/event-stream",
            ...(this.lastEventId ? { "last-event-id": this.lastEventId } : {}),
          },
          signal: this.controller.signal,
        });
        if (res.ok && res.body) {
          const decoder = new TextDecoder();
          let buffer = "";
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true });
            let index: number;
            while ((index = buffer.indexOf("\n\n")) !== -1) {
              this.parse(buffer.slice(0, index));
              buffer = buffer.slice(index + 2);
            }
          }
        } else await res.body?.cancel();
      } catch {
        // The process was killed or is restarting: reconnect below.
      }
      if (this.stopped) break;
      this.reconnects++;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private parse(block: string): void {
    let id: string | null = null;
    let event = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("id:")) id = line.slice(3).trim();
      else if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trimStart();
    }
    if (event !== "job" || id === null) return;
    const message = JSON.parse(data) as { event: { id: number; job_id: string; status: string } };
    this.events.push({
      id: Number(message.event.id),
      jobId: message.event.job_id,
      status: message.event.status,
      connection: this.resumedFrom.length,
    });
    this.lastEventId = id;
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.loop;
  }
}
