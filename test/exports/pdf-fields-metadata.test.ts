/**
 * Extracted fields as PDF metadata: written by buildSearchablePdf on every path (image input,
 * PDF with an OCR overlay, PDF with its own text layer), read back with pdf-lib AND with
 * independent readers — poppler's pdfinfo (Info and the raw XMP packet) and qpdf (structure) —
 * and the XMP parsed as XML with namespaces.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { DOMParser, type Document as XmlDocument } from "@xmldom/xmldom";
import { decodePDFRawStream, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from "pdf-lib";
import sharp from "sharp";
import {
  DOCKET_XMP_NAMESPACE,
  escapeXml,
  fieldsSummary,
  type FieldsMetadata,
} from "../../src/exports/pdf-fields-metadata.js";
import { buildSearchablePdf } from "../../src/exports/searchable-pdf.js";
import type { Field } from "../../src/extraction/types.js";
import { makeEncryptedPdf, makeTextPdf, model, modelBlock, modelLine, modelPage } from "../pdf/fixtures.js";

const NS = {
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  dc: "http://purl.org/dc/elements/1.1/",
  pdf: "http://ns.adobe.com/pdf/1.3/",
  xmp: "http://ns.adobe.com/xap/1.0/",
  docket: DOCKET_XMP_NAMESPACE,
};

const field = (value: string, raw = value): Field => ({
  value,
  raw,
  confidence: 0.9,
  source: { page: 1, bbox: [1, 2, 3, 4] },
  origin: "rule",
});

/** Markup characters, quotes, Polish letters and a control character XML cannot carry. */
const TRICKY_SELLER = `Kowalski & Syn <"Żółć"> 'Gęślą' Sp. z o.o.\u0001`;
const TRICKY_SELLER_XML = `Kowalski & Syn <"Żółć"> 'Gęślą' Sp. z o.o.`;

const INVOICE: FieldsMetadata = {
  document_type: "invoice",
  template: null,
  fields: {
    document_number: field("FV/2024/03/15"),
    issue_date: field("2024-03-05", "05.03.2024"),
    total_gross: field("1230.00", "1 230,00"),
    currency: field("PLN"),
    seller_name: field(TRICKY_SELLER),
    seller_tax_id: field("5260250274", "526-025-02-74"),
    buyer_address: field("ul. Krzywa 2, 30-002 Kraków"),
  },
};
const NOW = new Date("2024-05-06T07:08:09.000Z");
const TITLE = "faktura-żółć & <co>.pdf";

/** Parses strictly: any warning or error fails the test. */
function parseXml(xml: string): XmlDocument {
  const problems: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => void problems.push(`${level}: ${message}`),
  }).parseFromString(xml, "text/xml");
  assert.deepEqual(problems, [], xml);
  return doc;
}

/** The text of the one element `ns:name` (asserting there is exactly one). */
function one(doc: XmlDocument, ns: string, name: string): string {
  const found = doc.getElementsByTagNameNS(ns, name);
  assert.equal(found.length, 1, `${name} in ${ns}: ${found.length} elements`);
  return found[0]!.textContent ?? "";
}

async function infoOf(bytes: Uint8Array): Promise<{ get(key: string): string | undefined; doc: PDFDocument }> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const info = doc.context.lookup(doc.context.trailerInfo.Info, PDFDict);
  return {
    doc,
    get: (key) => {
      const value = info.lookup(PDFName.of(key));
      return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
    },
  };
}

/** The catalog's XMP packet as text, through pdf-lib. */
function xmpOf(doc: PDFDocument): string {
  const stream = doc.context.lookup(doc.catalog.get(PDFName.of("Metadata")));
  assert.ok(stream instanceof PDFRawStream, "the catalog has a /Metadata stream");
  assert.equal(stream.dict.get(PDFName.of("Subtype"))?.toString(), "/XML");
  return new TextDecoder().decode(decodePDFRawStream(stream).decode());
}

function assertDocketProperties(xmp: XmlDocument, expected: FieldsMetadata): void {
  const descriptions = xmp.getElementsByTagNameNS(NS.rdf, "Description");
  const ours = Array.from({ length: descriptions.length }, (_, i) => descriptions[i]!).filter(
    (d) => d.getElementsByTagNameNS(NS.docket, "document_type").length > 0,
  );
  assert.equal(ours.length, 1, "one docket description");
  assert.equal(one(xmp, NS.docket, "document_type"), expected.document_type);
  for (const [name, f] of Object.entries(expected.fields))
    assert.equal(one(xmp, NS.docket, name), f.value.replace(/\u0001/g, ""), name);
  assert.equal(xmp.getElementsByTagNameNS(NS.docket, "due_date").length, 0, "no property for a field not found");
}

const png = () =>
  sharp({ create: { width: 850, height: 1100, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
const ocrModel = () =>
  model([
    modelPage(1, [modelBlock("paragraph", [modelLine("Faktura VAT FV/2024/03/15", 100, 100, 30)])], {
      width: 850,
      height: 1100,
      dpi: 100,
    }),
  ]);

/** pdfinfo / qpdf: a missing tool skips here but fails under CI (.ci/run installs both). */
function tool(t: TestContext, name: string): boolean {
  if (!spawnSync(name, ["-v"]).error || !spawnSync(name, ["--version"]).error) return true;
  if (process.env.CI) assert.fail(`${name} is missing; .ci/run installs poppler-utils and qpdf`);
  t.skip(`${name} not installed (apt-get install poppler-utils qpdf): the independent cross-check did not run`);
  return false;
}

describe("fields as PDF metadata", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "docket-pdf-fields-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("an image-built PDF carries the fields in Info (custom keys, subject) and in a well-formed XMP packet", async () => {
    const out = await buildSearchablePdf(
      ocrModel(),
      { kind: "images", images: async () => ({ bytes: await png(), format: "png" }) },
      { title: TITLE, fields: INVOICE, now: NOW },
    );
    const { get, doc } = await infoOf(out);
    assert.equal(get("Title"), TITLE);
    assert.equal(get("DocketDocumentType"), "invoice");
    assert.deepEqual(JSON.parse(get("DocketFields")!), {
      document_number: "FV/2024/03/15",
      issue_date: "2024-03-05",
      currency: "PLN",
      total_gross: "1230.00",
      seller_name: TRICKY_SELLER,
      seller_tax_id: "5260250274",
      buyer_address: "ul. Krzywa 2, 30-002 Kraków",
    });
    assert.deepEqual(
      Object.keys(JSON.parse(get("DocketFields")!) as object).slice(0, 4),
      ["document_number", "issue_date", "currency", "total_gross"],
      "the API's field order",
    );
    assert.equal(get("Subject"), `Invoice FV/2024/03/15 — ${TRICKY_SELLER}, 1230.00 PLN, 2024-03-05`);
    assert.equal(get("DocketTemplate"), undefined);
    assert.equal(get("Producer"), "Docket");
    assert.equal(doc.getModificationDate()?.toISOString(), NOW.toISOString());

    const packet = xmpOf(doc);
    assert.match(packet, /^<\?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"\?>/);
    assert.match(packet, /<\?xpacket end="w"\?>$/);
    const xmp = parseXml(packet);
    assert.equal(xmp.documentElement?.namespaceURI, "adobe:ns:meta/");
    assertDocketProperties(xmp, INVOICE);
    assert.equal(
      one(xmp, NS.docket, "seller_name"),
      TRICKY_SELLER_XML,
      "escaped and restored; the control character dropped",
    );
    assert.equal(one(xmp, NS.dc, "title"), TITLE);
    assert.equal(
      one(xmp, NS.dc, "description"),
      `Invoice FV/2024/03/15 — ${TRICKY_SELLER_XML}, 1230.00 PLN, 2024-03-05`,
    );
    assert.equal(one(xmp, NS.dc, "format"), "application/pdf");
    assert.equal(one(xmp, NS.pdf, "Producer"), "Docket");
    assert.equal(one(xmp, NS.xmp, "ModifyDate"), "2024-05-06T07:08:09Z");
    assert.equal(
      one(xmp, NS.xmp, "CreateDate"),
      doc
        .getCreationDate()
        ?.toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      "XMP and Info agree",
    );
  });

  it("poppler's pdfinfo reads the same Info keys and XMP packet, and qpdf finds the file sound", async (t) => {
    const out = await buildSearchablePdf(
      ocrModel(),
      { kind: "images", images: async () => ({ bytes: await png(), format: "png" }) },
      { title: TITLE, fields: INVOICE, now: NOW },
    );
    const path = join(dir, "image.pdf");
    await writeFile(path, out);
    if (tool(t, "pdfinfo")) {
      const info = spawnSync("pdfinfo", ["-custom", "-enc", "UTF-8", path], { encoding: "utf8" });
      assert.equal(info.status, 0, info.stderr);
      const keys = new Map(
        info.stdout
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
      );
      assert.equal(keys.get("DocketDocumentType"), "invoice", info.stdout);
      assert.equal((JSON.parse(keys.get("DocketFields")!) as Record<string, string>).seller_name, TRICKY_SELLER);
      assert.equal(keys.get("Title"), TITLE);
      assert.equal(keys.get("Subject"), `Invoice FV/2024/03/15 — ${TRICKY_SELLER}, 1230.00 PLN, 2024-03-05`);
      const meta = spawnSync("pdfinfo", ["-meta", path], { encoding: "utf8" });
      assert.equal(meta.status, 0, meta.stderr);
      const xmp = parseXml(meta.stdout.trim());
      assertDocketProperties(xmp, INVOICE);
      assert.equal(one(xmp, NS.dc, "title"), TITLE);
      assert.equal(one(xmp, NS.pdf, "Producer"), "Docket");
    }
    if (tool(t, "qpdf")) {
      const check = spawnSync("qpdf", ["--check", path], { encoding: "utf8" });
      assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
      assert.match(check.stdout, /No syntax or stream encoding errors/);
    }
  });

  it("a PDF with its own text layer is rewritten only when there are fields to write, keeping its title and subject", async () => {
    const source = await makeTextPdf([{ runs: [{ text: "Invoice FV/2024/03/15", x: 72, y: 700 }] }]);
    const withSubject = await PDFDocument.load(source);
    withSubject.setTitle("Their title");
    withSubject.setSubject("Their subject");
    withSubject.setCreationDate(new Date("2020-01-02T03:04:05Z"));
    const original = await withSubject.save();
    const textLayer = model([
      modelPage(1, [modelBlock("paragraph", [modelLine("Invoice FV/2024/03/15", 100, 100, 30)])], {
        source: "text-layer",
      }),
    ]);

    const untouched = await buildSearchablePdf(textLayer, { kind: "pdf", bytes: original }, { title: "upload.pdf" });
    assert.deepEqual(Buffer.from(untouched), Buffer.from(original), "no fields: byte for byte the original");

    const receipt: FieldsMetadata = {
      document_type: "receipt",
      template: "shop-x",
      fields: { total_gross: field("9.99"), seller_name: field("Żabka") },
    };
    const out = await buildSearchablePdf(
      textLayer,
      { kind: "pdf", bytes: original },
      { title: "upload.pdf", fields: receipt, now: NOW },
    );
    const { get, doc } = await infoOf(out);
    assert.equal(get("Title"), "Their title", "a file's own title stays");
    assert.equal(get("Subject"), "Their subject", "and so does its subject");
    assert.equal(get("DocketDocumentType"), "receipt");
    assert.equal(get("DocketTemplate"), "shop-x");
    assert.deepEqual(JSON.parse(get("DocketFields")!), { total_gross: "9.99", seller_name: "Żabka" });
    assert.equal(doc.getPageCount(), 1);
    const xmp = parseXml(xmpOf(doc));
    assertDocketProperties(xmp, receipt);
    assert.equal(one(xmp, NS.docket, "template"), "shop-x");
    assert.equal(one(xmp, NS.dc, "title"), "Their title");
    assert.equal(one(xmp, NS.xmp, "CreateDate"), "2020-01-02T03:04:05Z", "the file's creation date, as in its Info");
  });

  it("an existing XMP packet (compressed) is kept and the docket description added; stamping again replaces ours only", async () => {
    const doc = await PDFDocument.create();
    doc.addPage([300, 300]);
    const theirs = [
      '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
      '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Skan z drukarki</rdf:li></rdf:Alt></dc:title></rdf:Description>',
      '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:CreatorTool>ScanMaster 3000</xmp:CreatorTool></rdf:Description>',
      "</rdf:RDF></x:xmpmeta>",
      '<?xpacket end="w"?>',
    ].join("\n");
    doc.catalog.set(
      PDFName.of("Metadata"),
      doc.context.register(
        doc.context.flateStream(new TextEncoder().encode(theirs), { Type: "Metadata", Subtype: "XML" }),
      ),
    );
    const modified = new Date("2021-06-07T08:09:10Z");
    doc.setModificationDate(modified);
    const source = await doc.save();
    const pageModel = model([
      modelPage(1, [modelBlock("paragraph", [modelLine("Paragon", 10, 10, 20)])], { width: 300, height: 300, dpi: 72 }),
    ]);

    const once = await buildSearchablePdf(pageModel, { kind: "pdf", bytes: source }, { fields: INVOICE, now: NOW });
    const first = await infoOf(once);
    const merged = parseXml(xmpOf(first.doc));
    assert.equal(one(merged, NS.dc, "title"), "Skan z drukarki", "their properties stay");
    assert.equal(one(merged, NS.xmp, "CreatorTool"), "ScanMaster 3000");
    assertDocketProperties(merged, INVOICE);
    assert.equal(
      first.doc.getModificationDate()?.toISOString(),
      modified.toISOString(),
      "the Info dates still agree with their packet",
    );

    const corrected: FieldsMetadata = { ...INVOICE, fields: { ...INVOICE.fields, total_gross: field("1240.00") } };
    const twice = await buildSearchablePdf(model([]), { kind: "pdf", bytes: once }, { fields: corrected, now: NOW });
    const second = await infoOf(twice);
    const again = parseXml(xmpOf(second.doc));
    assertDocketProperties(again, corrected);
    assert.equal(one(again, NS.dc, "title"), "Skan z drukarki");
    assert.equal((JSON.parse(second.get("DocketFields")!) as Record<string, string>).total_gross, "1240.00");
  });

  it("an encrypted PDF with nothing to add stays as it is rather than becoming pictures for its metadata", async () => {
    const encrypted = makeEncryptedPdf({ userPassword: false });
    const out = await buildSearchablePdf(
      model([]),
      { kind: "pdf", bytes: encrypted, fallbackImages: () => Promise.reject(new Error("must not rasterise")) },
      { fields: INVOICE },
    );
    assert.deepEqual(Buffer.from(out), Buffer.from(encrypted));
  });

  it("summaries and escaping", () => {
    assert.equal(fieldsSummary({ document_type: "other", fields: {} }), "Document");
    assert.equal(
      fieldsSummary({ document_type: "receipt", fields: { issue_date: field("2024-01-02") } }),
      "Receipt — 2024-01-02",
    );
    assert.equal(escapeXml(`a<b>&"c"'d'\u0000\u0007\t\n\uFFFE😀`), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\t\n😀");
  });
});
