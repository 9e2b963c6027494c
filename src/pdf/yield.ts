/**
 * Let the event loop run (timers, I/O, the queue's heartbeats) between chunks of CPU work.
 * `setImmediate` runs after pending I/O callbacks, unlike a resolved promise, which would
 * starve them.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
