/**
 * An open-loop, constant-rate HTTP load generator (the wrk2 method), for latency targets
 * stated "at N requests/s".
 *
 * Why not autocannon's `overallRate`: it lets each connection send its whole per-second
 * quota back to back and then idle until the next second (autocannon issue #174), so "1,000
 * req/s" is really bursts at the server's full capacity, and its coordinated-omission
 * correction passes an interval in seconds where milliseconds are expected. Both inflate p99
 * with an artefact of the tool. Here request i is due at start + i/rate; its latency is
 * counted from when it was due, not from when it was sent, so a stall in the server (or in
 * this generator) shows up in the figures instead of quietly lowering the rate.
 */
import { Agent, request } from "node:http";

export interface ConstantRateOptions {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Requests per second, spread evenly. */
  rate: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** The path of the i-th request. */
  path: (i: number) => string;
  /** Upper bound on open connections (requests beyond it wait for a free socket). */
  maxConnections?: number;
}

export interface ConstantRateResult {
  sent: number;
  completed: number;
  errors: number;
  non2xx: number;
  /** Achieved completions per second over the run. */
  throughput: number;
  /** Latency from the request's due time to its last byte, ms. */
  latency: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** Per second of the run: [requests due in that second, their worst latency in ms] (to locate stalls). */
  perSecond: [number, number][];
  /** Every request's latency, ms, ascending (to pool several runs into one distribution). */
  latencies: number[];
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles of latencies sorted ascending (ms, two decimals). */
export function summarizeLatencies(sorted: readonly number[]): LatencySummary {
  const q = (p: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(2));
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: Number(sorted.at(-1)!.toFixed(2)) };
}

export async function runConstantRate(options: ConstantRateOptions): Promise<ConstantRateResult> {
  const base = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxConnections ?? 64 });
  const total = Math.round(options.rate * options.durationSeconds);
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  const perSecond: [number, number][] = [];
  let sent = 0;
  let errors = 0;
  let non2xx = 0;
  const started = performance.now();

  const send = (i: number, dueAt: number) =>
    new Promise<void>((resolve) => {
      const finish = () => {
        const latency = performance.now() - dueAt;
        latencies.push(latency);
        const second = Math.floor((dueAt - started) / 1000);
        const slot = (perSecond[second] ??= [0, 0]);
        slot[0]++;
        slot[1] = Math.max(slot[1], Math.round(latency));
        resolve();
      };
      const req = request(
        { agent, host: base.hostname, port: base.port, method: "GET", path: options.path(i), headers: options.headers },
        (res) => {
          if ((res.statusCode ?? 0) >= 300) non2xx++;
          res.on("data", () => {});
          res.on("end", finish);
          res.on("error", () => {
            errors++;
            finish();
          });
        },
      );
      req.on("error", () => {
        errors++;
        finish();
      });
      req.end();
    });

  const pending: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Send every request that is due by now; timers fire at ~1 ms granularity, so a tick may
      // owe a few. Each keeps its own due time for the latency it is charged.
      while (sent < total && started + sent * intervalMs <= now) {
        pending.push(send(sent, started + sent * intervalMs));
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  const elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  return {
    sent,
    completed: latencies.length - errors,
    errors,
    non2xx,
    throughput: (latencies.length - errors) / elapsedSeconds,
    latency: summarizeLatencies(latencies),
    perSecond,
    latencies,
  };
}
