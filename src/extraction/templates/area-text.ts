/**
 * The text of a page region, for invoice2data's `area` (pdftotext -f -l -x -y -W -H -r): the
 * words whose centre lies in the rectangle, in reading order, with the spacing they have in
 * the document's text, mapped to their place in it.
 */
import type { DocumentText } from "../document-text.js";
import type { MappedText } from "./mapped-text.js";
import type { TemplateArea } from "./template-schema.js";

export function areaText(dt: DocumentText, area: TemplateArea): MappedText {
  const dpiOf = new Map(dt.pages.map((p) => [p.number, p.dpi]));
  let text = "";
  const from: number[] = [];
  const to: number[] = [];
  const push = (s: string, start: number, end: number) => {
    text += s;
    for (let i = 0; i < s.length; i++) {
      from.push(start + i < end ? start + i : end);
      to.push(start + i < end ? start + i + 1 : end);
    }
  };
  let previous: { end: number; page: number } | null = null;
  for (const span of dt.spans) {
    if (span.page < area.f || span.page > area.l) continue;
    // Area coordinates are pixels at `r` dpi; word boxes are pixels at the page's dpi.
    const scale = area.r / (dpiOf.get(span.page) ?? area.r);
    const cx = ((span.bbox.x0 + span.bbox.x1) / 2) * scale;
    const cy = ((span.bbox.y0 + span.bbox.y1) / 2) * scale;
    if (cx < area.x || cx > area.x + area.W || cy < area.y || cy > area.y + area.H) continue;
    if (previous) {
      const between = dt.text.slice(previous.end, span.start);
      // Words of one row keep their spacing; anything else (rows, pages) is a line break.
      if (previous.page === span.page && !between.includes("\n")) push(between, previous.end, span.start);
      else push("\n", previous.end, previous.end);
    }
    push(dt.text.slice(span.start, span.end), span.start, span.end);
    previous = { end: span.end, page: span.page };
  }
  return { text, from: Int32Array.from(from), to: Int32Array.from(to) };
}
