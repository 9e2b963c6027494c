// Native tesseract CLI engine: skipped when the binary is absent (required under CI when
// DOCKET_TEST_REQUIRE lists "tesseract").
import { silentLogger } from "../../src/logger.js";
import { createOcrEngine } from "../../src/ocr/engine-factory.js";
import { tesseractSkipReason } from "../support/tesseract.js";
import { describeEngine } from "./engine-suite.js";

describeEngine(
  "tesseract-cli",
  () => createOcrEngine({ engine: "cli", workers: 2 }, { log: silentLogger(), pathEnv: process.env.PATH }),
  tesseractSkipReason,
);
