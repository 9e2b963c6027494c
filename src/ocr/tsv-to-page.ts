/**
 * Parses Tesseract's TSV output (the same format from the CLI's `tsv` config and from
 * tesseract.js's `tsv` output) into the document model's hierarchy. TSV is used for both
 * engines so one parser defines what a block, line and word are:
 *
 *   level 1 page, 2 block, 3 paragraph, 4 line, 5 word;
 *   columns: level page_num block_num par_num line_num word_num left top width height conf text
 *
 * Each Tesseract PARAGRAPH becomes a document-model Block of kind "paragraph" (Tesseract's
 * blocks are layout regions that may hold several paragraphs; paragraphs are what readers and
 * exporters want). Words with empty text are dropped; lines and blocks left empty are dropped.
 */
import { unionBBox, type BBox, type Block, type Line, type Word } from "../domain/document-model.js";

interface Row {
  level: number;
  block: number;
  par: number;
  line: number;
  box: BBox;
  conf: number;
  text: string;
}

function parseRow(line: string): Row | undefined {
  const cols = line.split("\t");
  if (cols.length < 11) return undefined;
  const num = (i: number): number => Number(cols[i]);
  const level = num(0);
  if (!Number.isFinite(level) || level < 1 || level > 5) return undefined; // header or junk
  const left = num(6);
  const top = num(7);
  const width = num(8);
  const height = num(9);
  return {
    level,
    block: num(2),
    par: num(3),
    line: num(4),
    box: { x0: left, y0: top, x1: left + width, y1: top + height },
    conf: num(10),
    // The text column is last; a tab inside text is impossible in Tesseract's output, but keep any rest.
    text: cols.slice(11).join("\t").trim(),
  };
}

/** Mean of word confidences, weighted by word length (long words dominate what a reader sees). */
export function weightedConfidence(words: readonly Word[]): number {
  let sum = 0;
  let weight = 0;
  for (const word of words) {
    const w = Math.max(1, word.text.length);
    sum += word.confidence * w;
    weight += w;
  }
  return weight === 0 ? 0 : Math.round((sum / weight) * 100) / 100;
}

/**
 * Build blocks → lines → words from TSV. `mapBox` converts each box from the recognised
 * image's frame to the page's (e.g. undoing deskew or adding a tile's offset); line and block
 * boxes are the union of their mapped words.
 */
export function tsvToBlocks(tsv: string, mapBox: (box: BBox) => BBox = (b) => b): Block[] {
  const blocks: Block[] = [];
  let currentBlock: { key: string; lines: Line[] } | undefined;
  let currentLine: { key: string; words: Word[] } | undefined;

  const closeLine = (): void => {
    if (currentLine !== undefined && currentLine.words.length > 0 && currentBlock !== undefined) {
      currentBlock.lines.push({
        bbox: unionBBox(currentLine.words.map((w) => w.bbox)),
        confidence: weightedConfidence(currentLine.words),
        words: currentLine.words,
      });
    }
    currentLine = undefined;
  };
  const closeBlock = (): void => {
    closeLine();
    if (currentBlock !== undefined && currentBlock.lines.length > 0) {
      const words = currentBlock.lines.flatMap((l) => l.words);
      blocks.push({
        kind: "paragraph",
        bbox: unionBBox(currentBlock.lines.map((l) => l.bbox)),
        confidence: weightedConfidence(words),
        lines: currentBlock.lines,
      });
    }
    currentBlock = undefined;
  };

  for (const raw of tsv.split(/\r?\n/)) {
    const row = parseRow(raw);
    if (row === undefined || row.level !== 5 || row.text === "" || row.conf < 0) continue;
    const blockKey = `${row.block}:${row.par}`;
    const lineKey = `${blockKey}:${row.line}`;
    if (currentBlock?.key !== blockKey) {
      closeBlock();
      currentBlock = { key: blockKey, lines: [] };
    }
    if (currentLine?.key !== lineKey) {
      closeLine();
      currentLine = { key: lineKey, words: [] };
    }
    currentLine.words.push({
      text: row.text,
      bbox: mapBox(row.box),
      confidence: Math.max(0, Math.min(100, Math.round(row.conf * 100) / 100)),
    });
  }
  closeBlock();
  return blocks;
}
