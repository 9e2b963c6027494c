import type { Page } from "../domain/document-model.js";
import { yieldToEventLoop } from "../pdf/yield.js";

export interface RenderOptions {
  signal?: AbortSignal | undefined;
}

/** Time slice between yields: well under the ~100 ms a queue heartbeat may wait. */
const SLICE_MS = 20;

/**
 * Render pages one by one, yielding to the event loop whenever a slice of work has used up
 * its time, so a 500-page export never holds the main thread for long. Honours `signal`
 * between pages.
 */
export async function renderPages(
  pages: readonly Page[],
  render: (page: Page) => string,
  options: RenderOptions = {},
): Promise<string[]> {
  const out: string[] = [];
  let sliceStart = performance.now();
  for (const page of pages) {
    options.signal?.throwIfAborted();
    out.push(render(page));
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return out;
}
