import type { BBox, Block, Page } from "../domain/document-model.js";
import { orderBlocks } from "../pdf/layout/reading-order.js";
import type { RenderedRegionInfo } from "./plan.js";

/**
 * OCR blocks of a region image → blocks of its text-layer page: every box moved into the
 * page's pixel space and the block marked as OCRed, so exports can tell its words apart
 * from the PDF's own text.
 */
export function placeRegionBlocks(
  blocks: readonly Block[],
  placement: Pick<RenderedRegionInfo, "origin" | "scale">,
): Block[] {
  const { origin, scale } = placement;
  const move = (b: BBox): BBox => ({
    x0: origin.x + b.x0 * scale,
    y0: origin.y + b.y0 * scale,
    x1: origin.x + b.x1 * scale,
    y1: origin.y + b.y1 * scale,
  });
  return blocks.map((block) => ({
    ...block,
    bbox: move(block.bbox),
    lines: block.lines.map((line) => ({
      ...line,
      bbox: move(line.bbox),
      words: line.words.map((w) => ({ ...w, bbox: move(w.bbox) })),
    })),
    source: "ocr" as const,
  }));
}

/**
 * The page with the region blocks among its own, all in reading order (the same XY-cut the
 * text layer's blocks were ordered by), so an image's text is read where the image stands.
 */
export function mergeRegionBlocks(page: Page, regionBlocks: readonly Block[]): Page {
  if (regionBlocks.length === 0) return page;
  return { ...page, blocks: orderBlocks([...page.blocks, ...regionBlocks]) };
}
