import { once } from "node:events";
import type { Writable } from "node:stream";

/**
 * Writes to a stream honouring back-pressure (waits for 'drain' when the stream's buffer is
 * full, so a builder never holds more than one buffer's worth ahead of the disk or the
 * network) and counts the bytes written: a PDF's xref table needs each object's offset.
 */
export class StreamSink {
  position = 0;

  constructor(private readonly out: Writable) {}

  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.position += chunk.length;
    if (!this.out.write(chunk)) await Promise.race([once(this.out, "drain"), once(this.out, "close")]);
    if (this.out.destroyed) throw this.out.errored ?? new Error("the output stream closed early");
  }

  async end(): Promise<void> {
    this.out.end();
    if (!this.out.writableFinished) await once(this.out, "finish");
  }
}
