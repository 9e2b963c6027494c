/** A Server-Sent Events message (the fields the HTML living standard defines). */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
  /** Reconnection delay the server asked for, in ms. */
  retry: number | null;
}

/**
 * Parses an SSE byte stream into messages, as EventSource does: lines end in LF, CRLF or
 * CR; a blank line dispatches; `:` lines are comments; data lines are joined with LF. A
 * message without data (only comments, or only `retry:`) is reported with empty data so
 * the caller can see the connection is alive. `onBytes` is called for every chunk.
 */
export async function* parseSse(
  body: AsyncIterable<Uint8Array>,
  onBytes: () => void = () => undefined,
): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | null = null;
  let event = "";
  let data: string[] = [];
  let retry: number | null = null;
  let sawField = false;
  for await (const chunk of body) {
    onBytes();
    buffer += decoder.decode(chunk, { stream: true });
    for (;;) {
      const match = /\r\n|\r|\n/.exec(buffer);
      // A CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (!match || (match[0] === "\r" && match.index === buffer.length - 1)) break;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === "") {
        if (sawField) yield { id, event: event || "message", data: data.join("\n"), retry };
        event = "";
        data = [];
        retry = null;
        sawField = false;
        continue;
      }
      if (line.startsWith(":")) {
        sawField = true;
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      sawField = true;
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
      else if (field === "id" && !value.includes("\0")) id = value;
      else if (field === "retry" && /^\d+$/.test(value)) retry = Number(value);
    }
  }
}
