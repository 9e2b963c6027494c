import assert from "node:assert/strict";
import { test } from "node:test";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { toHocr } from "../../src/exports/to-hocr.js";
import { model, modelBlock, modelLine, modelPage } from "../pdf/fixtures.js";

/** Parse strictly: any warning or error fails the test. */
function parseXml(xml: string) {
  const problems: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => void problems.push(`${level}: ${message}`),
  }).parseFromString(xml, "application/xhtml+xml");
  assert.deepEqual(problems, []);
  return doc;
}

function byClass(root: { getElementsByTagName(name: string): ArrayLike<Element> }, cls: string): Element[] {
  const out: Element[] = [];
  for (const tag of ["div", "p", "span"]) {
    const list = root.getElementsByTagName(tag);
    for (let i = 0; i < list.length; i++) {
      const el = list[i];
      if (el?.getAttribute("class") === cls) out.push(el);
    }
  }
  return out;
}

const tricky = 'AT&T <b>"quoted"</b> it\'s \u0001bell\uFFFF';

const doc = model(
  [
    modelPage(1, [
      modelBlock("heading", [modelLine("Zażółć gęślą jaźń", 100.4, 100.6, 80, 40, 97.6)]),
      modelBlock("paragraph", [modelLine(tricky, 100, 300, 40), modelLine("second line", 100, 350, 40, 20, 55)]),
    ]),
    modelPage(3, [modelBlock("paragraph", [modelLine("page three", 10, 10, 20)])], {
      width: 1275,
      height: 1650,
      dpi: 150,
    }),
  ],
  ["pol", "eng"],
);

test("hOCR is well-formed XHTML with the hOCR 1.2 structure and properties", () => {
  const xml = toHocr(doc, { imageName: 'scan "1".pdf' });
  const dom = parseXml(xml);
  assert.equal(dom.documentElement?.getAttribute("xmlns"), "http://www.w3.org/1999/xhtml");
  const metas = dom.getElementsByTagName("meta");
  const meta = (name: string): string | null => {
    for (let i = 0; i < metas.length; i++)
      if (metas[i]?.getAttribute("name") === name) return metas[i]?.getAttribute("content") ?? null;
    return null;
  };
  assert.equal(meta("ocr-system"), "docket");
  assert.match(meta("ocr-capabilities") ?? "", /ocr_page.*ocr_carea.*ocr_par.*ocr_line.*ocrx_word/);

  const pages = byClass(dom, "ocr_page");
  assert.equal(pages.length, 2);
  assert.equal(pages[0]?.getAttribute("title"), 'image "scan 1.pdf"; bbox 0 0 2550 3300; ppageno 0; scan_res 300 300');
  assert.equal(pages[1]?.getAttribute("title"), 'image "scan 1.pdf"; bbox 0 0 1275 1650; ppageno 2; scan_res 150 150');
  assert.equal(byClass(dom, "ocr_carea").length, 3);
  const pars = byClass(dom, "ocr_par");
  assert.equal(pars.length, 3);
  assert.equal(pars[0]?.getAttribute("lang"), "pol");
  const lines = byClass(dom, "ocr_line");
  assert.equal(lines.length, 4);
  assert.match(lines[0]?.getAttribute("title") ?? "", /^bbox 100 101 \d+ 181; baseline 0 0; x_size 80/);

  const words = byClass(dom, "ocrx_word");
  assert.deepEqual(
    words.map((w) => w.textContent),
    ["Zażółć", "gęślą", "jaźń", "AT&T", '<b>"quoted"</b>', "it's", "bell", "second", "line", "page", "three"],
  );
  assert.match(words[0]?.getAttribute("title") ?? "", /^bbox 100 101 340 181; x_wconf 98$/);
  assert.match(words[7]?.getAttribute("title") ?? "", /; x_wconf 55$/);
  // Ids are unique.
  const ids = [...pages, ...lines, ...words].map((e) => e.getAttribute("id"));
  assert.equal(new Set(ids).size, ids.length);
});

test("an empty model is still a valid document", () => {
  const dom = parseXml(toHocr(model([])));
  assert.equal(byClass(dom, "ocr_page").length, 0);
});
