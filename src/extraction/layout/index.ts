/**
 * The layout index the rules read the document model through: rows and segments in reading
 * order, the labels found in them, and the regions where a label's value can be.
 */
export {
  buildLayout,
  rowText,
  segment,
  type Layout,
  type LayoutWord,
  type PageLayout,
  type Row,
  type Segment,
} from "./build.js";
export { compileLabels, findLabels, wordId, type LabelHit } from "./label-matcher.js";
export { boxOf, indexLabels, valueRegions, type Direction, type LabelIndex, type ValueRegion } from "./regions.js";
