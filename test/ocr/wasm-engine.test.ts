// tesseract.js (wasm) engine: runs everywhere, so this suite never skips.
import { silentLogger } from "../../src/logger.js";
import { createOcrEngine } from "../../src/ocr/engine-factory.js";
import { describeEngine } from "./engine-suite.js";

describeEngine("tesseract-wasm", () => createOcrEngine({ engine: "wasm", workers: 2 }, { log: silentLogger() }));
