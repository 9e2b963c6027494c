/**
 * Whether the native `tesseract` binary is here for the CLI-engine tests. Like the probes in
 * environment.ts: a skip message when absent, a failure when DOCKET_TEST_REQUIRE lists
 * "tesseract" (so CI that promises the binary cannot silently skip its tests).
 */
import { findTesseractBinary } from "../../src/ocr/cli/cli-backend.js";

const required = (process.env.DOCKET_TEST_REQUIRE ?? "")
  .split(",")
  .map((s) => s.trim())
  .includes("tesseract");

let probe: Promise<string | undefined> | undefined;

/** Path of the tesseract binary on PATH, or undefined. */
export function tesseractBinary(): Promise<string | undefined> {
  probe ??= findTesseractBinary(process.env.PATH);
  return probe;
}

/** undefined when the binary is on PATH; otherwise a skip reason (or throws when required). */
export async function tesseractSkipReason(): Promise<string | undefined> {
  if ((await tesseractBinary()) !== undefined) return undefined;
  const message = "tesseract CLI not found on PATH (apt-get install -y tesseract-ocr)";
  if (required) throw new Error(`required by DOCKET_TEST_REQUIRE but missing: ${message}`);
  return `skipped: ${message}`;
}
