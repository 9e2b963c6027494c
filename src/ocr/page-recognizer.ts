/**
 * The OCR engine proper, shared by both Tesseract backends: one page image in, one
 * document-model Page out. Steps, each checked against the abort signal:
 *
 *   1. orientation — every page is read as it is first; only a reading that looks sideways
 *      or poor (upright-evidence.ts) sends it to Tesseract OSD (on a ≤ 150-DPI copy);
 *   2. rotate upright (lossless quarter turn);
 *   3. deskew — projection-profile estimate, fine rotation when ≥ 1° (Tesseract copes with
 *      less by itself, and rotating a large page costs ~0.3 s);
 *   4. measure and prepare — glyph height, columns (imaging/text-metrics.ts); rescale so
 *      glyphs sit where Tesseract reads best; one-column pages read as one column
 *      (imaging/preprocess.ts);
 *   5. recognise — whole page, or bands in parallel for tiled ("gundam") pages;
 *   6. map boxes back to the upright frame and build blocks → lines → words.
 */
import sharp from "sharp";
import type { BBox, Block, Page } from "../domain/document-model.js";
import { DocketError, isAbortError, toDocketError } from "../errors.js";
import type { Logger } from "../logger.js";
import { splitIntoBands } from "../imaging/bands.js";
import { estimateSkew } from "../imaging/deskew.js";
import { deskewedToUpright, scaleBox } from "../imaging/page-geometry.js";
import { flattenPage, type Point } from "../imaging/page-outline.js";
import { planPreprocessing, rescale } from "../imaging/preprocess.js";
import { measureText } from "../imaging/text-metrics.js";
import { withPngDensity } from "../imaging/png-density.js";
import type { RasterImage } from "../imaging/raster.js";
import { rotateFine, rotateQuarter } from "../imaging/rotate.js";
import { abortPromise, cancelledError, throwIfAborted } from "./abort.js";
import type { EngineHealth, OcrEngine, OcrInput, OcrOptions, OrientationResult } from "./ocr-engine.js";
import { ocrModePreset, PSM, psmForLayout, resolutionPreset } from "./ocr-presets.js";
import {
  dropNoiseWords,
  mapBlocks,
  mergeReadings,
  SECOND_READING_SCALE,
  wantsSecondReading,
} from "./second-reading.js";
import type { TesseractBackend } from "./tesseract-backend.js";
import { tsvToBlocks, weightedConfidence } from "./tsv-to-page.js";
import { uprightVerdict } from "./upright-evidence.js";

/** A page as first read, and the same page after noise removal and any second reading. */
interface Reading {
  page: Page;
  improve(): Promise<Page>;
}

export interface PageRecognizerOptions {
  backend: TesseractBackend;
  /** Who runs OSD; defaults to the backend (the CLI without osd data borrows the wasm one). */
  orientation?: Pick<TesseractBackend, "detectOrientation">;
  log: Logger;
  /**
   * OSD results below this confidence are ignored (page left as is). Measured on the shared
   * corpus: correct results at ≥ 150 DPI score 7–27; the one wrong result seen (a 100-DPI
   * render) scored 1.8.
   */
  minOrientationConfidence?: number;
  /** Resolution OSD runs at: enough for reliable results (see docs/OCR.md), cheap to compute. */
  osdDpi?: number;
  /**
   * Skew below this (degrees) is left to Tesseract, whose line finder tolerates a degree or
   * two; larger skew is straightened before recognition.
   */
  minDeskewAngle?: number;
  /**
   * A page read as-is with at least this mean word confidence (and horizontal words) is taken
   * to be upright without running OSD. Measured: upright print 85–96, upright receipts 42–91,
   * upside-down text 26–44 (see upright-evidence.ts for the poorer upright readings).
   */
  acceptUprightConfidence?: number;
  /** Extra owned resources to close with the engine (e.g. a borrowed OSD backend). */
  alsoClose?: Array<{ close(): Promise<void> }>;
}

/**
 * Preprocessing is sharp and JavaScript work that cannot be interrupted; a cancel must not
 * wait for it (the job is told within a second), so the caller stops waiting and the work's
 * result is dropped.
 */
async function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  const { promise, dispose } = abortPromise(signal);
  try {
    return await Promise.race([work, promise]);
  } finally {
    dispose();
  }
}

/** The box around a box's four corners mapped by `map`, clamped to `size`. */
function mapBoxThrough(box: BBox, map: (p: Point) => Point, size: { width: number; height: number }): BBox {
  const corners = [
    map({ x: box.x0, y: box.y0 }),
    map({ x: box.x1, y: box.y0 }),
    map({ x: box.x1, y: box.y1 }),
    map({ x: box.x0, y: box.y1 }),
  ];
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  const clamp = (v: number, max: number): number => Math.max(0, Math.min(max, v));
  return {
    x0: Math.floor(clamp(Math.min(...xs), size.width)),
    y0: Math.floor(clamp(Math.min(...ys), size.height)),
    x1: Math.ceil(clamp(Math.max(...xs), size.width)),
    y1: Math.ceil(clamp(Math.max(...ys), size.height)),
  };
}

export class TesseractOcrEngine implements OcrEngine {
  readonly name: string;
  private readonly orientationBackend: Pick<TesseractBackend, "detectOrientation">;
  private readonly minConfidence: number;
  private readonly osdDpi: number;
  private readonly acceptUprightConfidence: number;
  private readonly minDeskewAngle: number;

  constructor(private readonly options: PageRecognizerOptions) {
    this.name = options.backend.name;
    this.orientationBackend = options.orientation ?? options.backend;
    this.minConfidence = options.minOrientationConfidence ?? 2;
    this.osdDpi = options.osdDpi ?? 150;
    this.acceptUprightConfidence = options.acceptUprightConfidence ?? 55;
    this.minDeskewAngle = options.minDeskewAngle ?? 1;
  }

  languages(): string[] {
    return this.options.backend.languages();
  }

  async detectOrientation(input: OcrInput, options: { signal?: AbortSignal } = {}): Promise<OrientationResult> {
    throwIfAborted(options.signal);
    // The PNG's own density may be libvips's 25.4 default; OSD reads only that.
    let image: RasterImage = { ...input, png: withPngDensity(input.png, input.dpi) };
    if (input.dpi > this.osdDpi * 1.2) {
      const factor = this.osdDpi / input.dpi;
      const width = Math.max(1, Math.round(input.width * factor));
      const height = Math.max(1, Math.round(input.height * factor));
      const png = await sharp(input.png, { limitInputPixels: false })
        .resize(width, height, { fit: "fill" })
        .png({ compressionLevel: 1 })
        .toBuffer();
      image = { png: withPngDensity(png, this.osdDpi), width, height, dpi: this.osdDpi };
    }
    const result = await this.orientationBackend.detectOrientation(image.png, image.dpi, options.signal);
    return result ?? { rotation: 0, confidence: 0 };
  }

  async recognize(input: OcrInput, options: OcrOptions): Promise<Page> {
    const { signal } = options;
    const started = Date.now();
    const log = this.options.log.child({ engine: this.name, page: options.pageNumber });
    try {
      throwIfAborted(signal);
      this.options.backend.requireLanguages(options.languages);
      const deskew = options.deskew ?? ocrModePreset(options.mode).deskew;
      let path: string;
      let reading: Reading;
      if (options.autoRotate === false) {
        reading = await this.recognizeOriented(input, 0, deskew, options);
        path = "fixed";
      } else {
        ({ reading, path } = await this.recognizeAnyOrientation(input, deskew, options));
      }
      // Noise words and the second reading, once the page's orientation is settled (the
      // orientation evidence is the raw reading's: upside-down text reads as low-confidence noise).
      const page = await reading.improve();
      log.debug(
        {
          ms: Date.now() - started,
          orientationPath: path,
          rotation: page.rotation,
          skew: page.skew,
          confidence: page.confidence,
        },
        "page recognised",
      );
      return page;
    } catch (error) {
      if (isAbortError(error) || signal?.aborted === true) throw cancelledError();
      if (error instanceof DocketError) throw error;
      throw new DocketError("ocr_failed", `OCR failed on page ${options.pageNumber}: ${toDocketError(error).message}`, {
        cause: error,
        permanent: false,
      });
    }
  }

  /**
   * Orientation, cheaply. Most pages are upright and OSD costs a second Tesseract process, so
   * every page is recognised as it is first, and only a reading that looks sideways (word
   * boxes run vertically) or poor (upside-down text reads as nonsense) sends it to OSD; a page
   * where nothing was read keeps its orientation. A confident OSD answer other than 0 is then
   * recognised again; the first reading is kept if it is better, unless both signals agree
   * the page is sideways (Tesseract reads sideways text well, but in the wrong frame).
   *
   * Not the ink's line direction: thermal receipts' monospaced columns made 3 of 50 upright
   * SROIE scans look vertical, each paying for an OSD pass. A truly sideways page costs one
   * extra recognition instead.
   */
  private async recognizeAnyOrientation(
    input: OcrInput,
    deskew: boolean,
    options: OcrOptions,
  ): Promise<{ reading: Reading; path: string }> {
    const { signal } = options;
    const first = await this.recognizeOriented(input, 0, deskew, options);
    const verdict = uprightVerdict(first.page, { acceptConfidence: this.acceptUprightConfidence });
    if (verdict === "upright" || verdict === "no-text") return { reading: first, path: verdict };
    const found = await this.detectOrientation(input, signal ? { signal } : {});
    const rotation = found.confidence >= this.minConfidence ? found.rotation : 0;
    if (rotation === 0) return { reading: first, path: `${verdict}-osd-0` };
    const second = await this.recognizeOriented(input, rotation, deskew, options);
    const agree = verdict === "sideways" && rotation % 180 === 90;
    if (!agree && first.page.confidence > second.page.confidence) return { reading: first, path: `${verdict}-kept` };
    return { reading: second, path: `${verdict}-osd-${rotation}` };
  }

  /** Rotate by `rotation`, deskew, recognise, build the Page (and how to improve it). */
  private async recognizeOriented(
    input: OcrInput,
    rotation: number,
    deskew: boolean,
    options: OcrOptions,
  ): Promise<Reading> {
    const { signal } = options;
    const upright = await rotateQuarter(input, rotation);
    throwIfAborted(signal);
    // A photo of a page: find the page and flatten it (page-outline.ts); boxes found on the
    // flat page are mapped back onto the photo.
    let page = upright;
    let fromFlat: ((box: BBox) => BBox) | undefined;
    if (options.preprocess !== false) {
      const flat = await unlessAborted(flattenPage(upright), signal);
      throwIfAborted(signal);
      if (flat !== undefined) {
        page = flat.image;
        fromFlat = (box) => mapBoxThrough(box, flat.toPhoto, upright);
      }
    }
    let skew = 0;
    let target = page;
    if (deskew) {
      skew = (await estimateSkew(page)).correction;
      if (Math.abs(skew) < this.minDeskewAngle) skew = 0;
      throwIfAborted(signal);
      if (skew !== 0) target = await rotateFine(page, skew);
    }
    throwIfAborted(signal);

    // Measure the page and prepare it for Tesseract (rescale, segmentation mode).
    let prepared = target;
    let scale = 1;
    let psm = ocrModePreset(options.mode).psm;
    if (options.preprocess !== false) {
      const metrics = await unlessAborted(measureText(target), signal);
      scale = planPreprocessing(metrics, target).scale;
      prepared = await unlessAborted(rescale(target, scale), signal);
      psm = psmForLayout(options.mode, metrics);
    }
    throwIfAborted(signal);

    const toUpright = (box: BBox): BBox => {
      const onPage = deskewedToUpright(scale === 1 ? box : scaleBox(box, 1 / scale), skew, target, page);
      return fromFlat === undefined ? onPage : fromFlat(onPage);
    };
    const preset = options.resolution === undefined ? undefined : resolutionPreset(options.resolution);
    const tiled = preset?.tiling === true && prepared.height > preset.maxBandHeight * 1.25;
    // Blocks in the prepared image's frame (the second reading is merged there).
    const read = tiled
      ? await this.recognizeBands(prepared, options, psm, preset.maxBandHeight)
      : tsvToBlocks(await this.tsv(prepared, options, psm));
    const toPage = (blocks: Block[]): Page => ({
      number: options.pageNumber,
      width: upright.width,
      height: upright.height,
      dpi: input.dpi,
      source: "ocr",
      rotation,
      skew,
      confidence: weightedConfidence(blocks.flatMap((b) => b.lines.flatMap((l) => l.words))),
      blocks: mapBlocks(blocks, toUpright),
    });
    return {
      page: toPage(read),
      improve: async () => {
        if (options.preprocess === false) return toPage(read);
        let blocks = read;
        const words = read.flatMap((b) => b.lines.flatMap((l) => l.words));
        if (!tiled && psm === PSM.SINGLE_COLUMN && wantsSecondReading(weightedConfidence(words), words.length)) {
          // At another scale as well as another segmentation: the two readings differ more.
          const smaller = await unlessAborted(rescale(prepared, SECOND_READING_SCALE), signal);
          const back = (box: BBox): BBox => scaleBox(box, 1 / SECOND_READING_SCALE);
          blocks = mergeReadings(read, tsvToBlocks(await this.tsv(smaller, options, PSM.SINGLE_BLOCK), back));
        }
        return toPage(dropNoiseWords(blocks));
      },
    };
  }

  private tsv(image: RasterImage, options: OcrOptions, psm: number): Promise<string> {
    const mode = ocrModePreset(options.mode);
    return this.options.backend.recognizeTsv({
      png: image.png,
      width: image.width,
      height: image.height,
      dpi: image.dpi,
      languages: options.languages,
      psm,
      variables: mode.variables,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Recognise bands in parallel (the backend's pool bounds concurrency) and stitch them in order. */
  private async recognizeBands(
    image: RasterImage,
    options: OcrOptions,
    psm: number,
    maxBandHeight: number,
  ): Promise<Block[]> {
    const bands = await splitIntoBands(image, maxBandHeight);
    throwIfAborted(options.signal);
    const results = await Promise.all(
      bands.map(async (band) => {
        const tsv = await this.tsv(band.image, options, psm);
        return tsvToBlocks(tsv, (box) => ({ x0: box.x0, y0: box.y0 + band.top, x1: box.x1, y1: box.y1 + band.top }));
      }),
    );
    return results.flat();
  }

  check(): Promise<EngineHealth> {
    return this.options.backend.check();
  }

  async close(): Promise<void> {
    await Promise.all([this.options.backend.close(), ...(this.options.alsoClose ?? []).map((r) => r.close())]);
  }
}
