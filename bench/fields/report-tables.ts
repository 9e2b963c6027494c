/**
 * bench:fields' report tables after the per-field boards: synthetic invoices by layout and
 * resolution, flagged checksums, classification, the rules' speed, and the API's job times.
 */
import type { Timing } from "./api-groups.js";
import { markdownTable, median, pct, print, quantile } from "./report.js";
import type { Scoreboard } from "./scoring.js";
import type { SpeedResult } from "./speed.js";
import type { FlagTally, SyntheticInvoice } from "./synthetic.js";

export interface ReportState {
  synthetic: SyntheticInvoice[] | null;
  boards: ReadonlyMap<string, Scoreboard>;
  flags: ReadonlyMap<string, FlagTally>;
  classification: ReadonlyMap<string, { total: number; right: number; confusions: string[] }>;
  speed: SpeedResult[];
  reps: string;
  timings: Timing[];
}

export function section(title: string): void {
  print();
  print(`## ${title}`);
  print();
}

export function printReportTables(state: ReportState): void {
  const { synthetic, boards, flags, classification, speed, timings } = state;
  if (synthetic) {
    section("Synthetic Polish invoices by layout (all fields, normalised)");
    const layouts = [...new Set(synthetic.map((s) => s.layout))];
    const kinds = [
      ["text-layer, in process", "synthetic/text-layer"],
      ["text layer, API", "synthetic/api/text-layer"],
      ["scan, API", "synthetic/api/scan"],
    ].filter(([, k]) => boards.has(k!));
    print(
      markdownTable(
        ["layout", ...kinds.map(([l]) => l!)],
        layouts.map((layout) => [
          layout,
          ...kinds.map(([, k]) => {
            const o = boards.get(`${k!}/${layout}`)?.overall();
            return o ? pct(o.normalised, o.total) : "–";
          }),
        ]),
      ),
    );
    const dpis = [...new Set(synthetic.filter((s) => s.scan !== null).map((s) => s.scanSettings.dpi))]
      .sort((a, b) => a - b)
      .filter((dpi) => boards.has(`synthetic/api/scan@${dpi}`));
    if (dpis.length > 0) {
      section("Synthetic Polish invoices, scans through the API by resolution (all fields)");
      print(
        markdownTable(
          ["dpi", "scans", "normalised", "truth in OCR text"],
          dpis.map((dpi) => {
            const o = boards.get(`synthetic/api/scan@${dpi}`)!.overall();
            return [
              dpi,
              synthetic.filter((s) => s.scan !== null && s.scanSettings.dpi === dpi).length,
              pct(o.normalised, o.total),
              pct(o.readable ?? 0, o.readableOf ?? 0),
            ];
          }),
        ),
      );
    }
    section("Checksum-invalid tax ids and IBANs flagged (a failing check names the field)");
    print(
      markdownTable(
        [
          "documents",
          "invalid ids flagged",
          "of them not found",
          "valid ids read right and flagged (false alarms)",
          "gross ≠ net + VAT flagged",
        ],
        [...flags].map(([k, f]) => [
          k,
          `${f.flagged}/${f.invalid}`,
          f.missing,
          `${f.falseAlarms}/${f.valid}`,
          `${f.inconsistentFlagged}/${f.inconsistent}`,
        ]),
      ),
    );
  }

  if (classification.size > 0) {
    section("Classification (extract=auto's first decision), in process");
    print(
      markdownTable(
        ["documents", "right", "confusions"],
        [...classification].map(([g, c]) => [g, `${c.right}/${c.total}`, c.confusions.slice(0, 6).join("; ")]),
      ),
    );
  }

  section(`Speed of the rules (in process, warm, ${state.reps} repetitions per document; ms per page)`);
  print(
    markdownTable(
      [
        "documents",
        "docs",
        "pages",
        "rules median",
        "rules p95",
        "classify+rules+checks median",
        "p95",
        "target (rules median ≤ 50 ms)",
      ],
      speed.map((s) => [
        s.group,
        s.documents,
        s.pages,
        s.rulesMedianMs.toFixed(2),
        s.rulesP95Ms.toFixed(2),
        s.wholeMedianMs.toFixed(2),
        s.wholeP95Ms.toFixed(2),
        s.rulesMedianMs <= 50 ? "✓" : "✗",
      ]),
    ),
  );

  if (timings.length > 0) {
    section(
      "End to end through the API: job time per document (started → completed), extract=off vs on, same documents, same run",
    );
    const ms = (xs: number[]) =>
      xs.length === 0 ? "–" : `${median(xs).toFixed(0)} / ${quantile(xs, 0.95).toFixed(0)}`;
    print(
      markdownTable(
        [
          "documents",
          "n",
          "extract=off median / p95 ms",
          "extraction on median / p95 ms",
          "ratio (medians)",
          "extract_fields step median / p95 ms",
          "wall s, off → on (sum of rounds)",
          "failed",
        ],
        timings.map((t) => [
          t.group,
          t.documents,
          ms(t.baselineMs),
          ms(t.extractMs),
          t.baselineMs.length > 0 ? `${(median(t.extractMs) / median(t.baselineMs)).toFixed(2)}×` : "–",
          ms(t.stepMs),
          `${(t.baselineWallMs / 1000).toFixed(1)} → ${(t.extractWallMs / 1000).toFixed(1)}`,
          t.failed.length === 0 ? "0" : t.failed.join("; "),
        ]),
      ),
    );
  }
}
