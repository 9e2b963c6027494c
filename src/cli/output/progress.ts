/**
 * Live progress, one row per document. In a terminal the rows are bars redrawn in place;
 * elsewhere (a pipe, a CI log) each change of status, phase or step is one plain line, and
 * progress within a step (e.g. "page 3 of 10") at most once a second. Writes to stderr:
 * stdout carries the command's result.
 */
import type { UnifiedStatus } from "../client/client.js";
import { clean, describeStatus, formatDuration } from "./format.js";

export type BoardMode = "tty" | "lines" | "off";

export interface BoardStream {
  write(chunk: string): boolean;
  columns?: number;
  rows?: number;
}

interface Row {
  label: string;
  status: UnifiedStatus | null;
  receivedAt: number;
  lastLine: string | null;
  lastLineAt: number;
  lastPhaseKey: string | null;
}

const BAR_WIDTH = 20;
const REDRAW_MS = 80;
const LINE_INTERVAL_MS = 1_000;
const ESC = "\u001b[";

export class ProgressBoard {
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly stream: BoardStream,
    readonly mode: BoardMode,
  ) {
    if (mode === "tty") {
      // Elapsed time moves even when no event arrives.
      this.ticker = setInterval(() => this.schedule(), 1_000);
      this.ticker.unref();
    }
  }

  add(key: string, label: string): void {
    this.rows.set(key, {
      label: clean(label),
      status: null,
      receivedAt: Date.now(),
      lastLine: null,
      lastLineAt: 0,
      lastPhaseKey: null,
    });
    this.schedule();
  }

  update(key: string, status: UnifiedStatus): void {
    const row = this.rows.get(key);
    if (!row || this.stopped) return;
    // Versions only grow: an older status (a late message) never replaces a newer one.
    if (row.status && status.version < row.status.version) return;
    row.status = status;
    row.receivedAt = Date.now();
    if (this.mode === "lines") this.printLine(row);
    else this.schedule();
  }

  /** A message between the bars (TTY) or as a line. */
  note(text: string): void {
    if (this.mode === "tty") {
      this.clear();
      this.stream.write(`${text}\n`);
      this.draw();
    } else this.stream.write(`${text}\n`);
  }

  /** Draws the final state and stops redrawing. */
  stop(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    if (this.mode === "tty") this.draw();
    this.stopped = true;
  }

  private printLine(row: Row): void {
    const s = row.status!;
    const phaseKey = `${s.status}|${s.phase ?? ""}|${s.step}`;
    const line = `${row.label}: ${describeStatus(s)}`;
    const now = Date.now();
    if (line === row.lastLine) return;
    if (phaseKey === row.lastPhaseKey && now - row.lastLineAt < LINE_INTERVAL_MS) return;
    row.lastLine = line;
    row.lastLineAt = now;
    row.lastPhaseKey = phaseKey;
    this.stream.write(`${line}\n`);
  }

  private schedule(): void {
    if (this.mode !== "tty" || this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, REDRAW_MS);
  }

  private clear(): void {
    if (this.drawn === 0) return;
    this.stream.write(`${ESC}${this.drawn}A\r${ESC}0J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.stopped) return;
    // A terminal of unknown size (0 × 0, e.g. some pseudo-terminals) counts as 100 × 30.
    const width = Math.max(40, (this.stream.columns || 100) - 1);
    const maxRows = Math.max(3, (this.stream.rows || 30) - 2);
    let rows = [...this.rows.values()];
    const lines: string[] = [];
    if (rows.length > maxRows) {
      const active = rows.filter(
        (r) => !r.status || !["completed", "manual_review", "failed", "cancelled"].includes(r.status.status),
      );
      const hidden = rows.length - Math.min(active.length, maxRows - 1);
      rows = active.slice(0, maxRows - 1);
      lines.push(`… and ${hidden} more (${this.rows.size - active.length} finished)`);
    }
    const labelWidth = Math.min(32, Math.max(...rows.map((r) => r.label.length), 4));
    for (const row of rows) lines.push(this.renderRow(row, labelWidth).slice(0, width));
    this.clear();
    this.stream.write(lines.map((l) => `${l}\n`).join(""));
    this.drawn = lines.length;
  }

  private renderRow(row: Row, labelWidth: number): string {
    const label =
      row.label.length > labelWidth ? `${row.label.slice(0, labelWidth - 1)}…` : row.label.padEnd(labelWidth);
    const s = row.status;
    if (!s) return `${label} ${"░".repeat(BAR_WIDTH)}    …`;
    const filled = Math.round((Math.max(0, Math.min(100, s.percentage)) / 100) * BAR_WIDTH);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const running = s.status === "processing" || s.status === "queued";
    const elapsed = s.elapsed_ms + (running && s.elapsed_ms > 0 ? Date.now() - row.receivedAt : 0);
    return `${label} ${bar} ${String(Math.round(s.percentage)).padStart(3)}%  ${describeStatus(s, { percent: false })}  ${formatDuration(elapsed)}`;
  }
}
