// The default engine where the tesseract binary is installed (DOCKET_OCR_ENGINE=auto): the CLI
// for pages, warm tesseract.js threads for images up to a megapixel. The shared suite's
// fixture pages are just under a megapixel (so they are read on the warm threads) and its
// tall "gundam" page is not (the CLI): both paths are held to the same contract.
import { silentLogger } from "../../src/logger.js";
import { createOcrEngine } from "../../src/ocr/engine-factory.js";
import { tesseractSkipReason } from "../support/tesseract.js";
import { describeEngine } from "./engine-suite.js";

describeEngine(
  "tesseract-cli+wasm (auto)",
  () => createOcrEngine({ engine: "auto", workers: 2 }, { log: silentLogger(), pathEnv: process.env.PATH }),
  tesseractSkipReason,
);
