/**
 * Extracted fields as PDF metadata, so a searchable PDF carries its own data wherever it is
 * copied: in the document Info dictionary (what every viewer's "Properties" shows and
 * `pdfinfo -custom` prints) and in an XMP packet on the catalog (/Metadata, what document
 * managers and `exiftool` index).
 *
 * Info: `/DocketDocumentType` (invoice|receipt|other), `/DocketFields` (compact JSON of
 * field name → normalised value, in the API's field order), `/DocketTemplate` when a template
 * supplied fields, and `/Subject` — a one-line summary ("Invoice FV/1/2024 — Seller,
 * 1230.00 PLN, 2024-03-05") — only when the file has no subject of its own. The title is left
 * as it is.
 *
 * XMP: one rdf:Description in the docket namespace (DOCKET_XMP_NAMESPACE) with
 * `docket:document_type` and one property per field. A file without XMP gets a whole packet
 * (dc:format, dc:title, dc:description, pdf:Producer, xmp:CreatorTool and the xmp dates)
 * that mirrors its Info dictionary, as PDF/A asks. A file that has readable XMP keeps all of
 * it: only the docket description is added (or replaced, so stamping twice leaves one), and
 * the Info dates stay as they were so the two still agree.
 *
 * The metadata is the extraction as the job made it; a later correction in review changes the
 * fields (API) but not a PDF already written.
 */
import { decodePDFRawStream, PDFDict, PDFHexString, PDFName, PDFRawStream, PDFString, type PDFDocument } from "pdf-lib";
import { FIELD_NAMES, type DocumentType, type Fields } from "../extraction/types.js";

/** The XMP namespace of Docket's field properties (a name, not a page to fetch). */
export const DOCKET_XMP_NAMESPACE = "https://docket.dev/ns/fields/1.0/";
export const DOCKET_XMP_PREFIX = "docket";

/** What the metadata is made from: an Extraction (fields.json) or the API's FieldsJson both fit. */
export interface FieldsMetadata {
  document_type: DocumentType;
  fields: Fields;
  template?: string | null;
}

export interface StampOptions {
  /** The time written as the modification (and, when the file has none, creation) date. */
  now?: Date;
  /** The title for a file that has none (e.g. the uploaded file name). */
  title?: string | undefined;
}

const TYPE_LABEL: Record<DocumentType, string> = { invoice: "Invoice", receipt: "Receipt", other: "Document" };

/** Field name → normalised value, for the fields that have one, in the API's order. */
export function fieldValues(metadata: FieldsMetadata): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of FIELD_NAMES) {
    const field = metadata.fields[name];
    if (field) values[name] = field.value;
  }
  return values;
}

/** "Invoice FV/1/2024 — Kowalski Sp. z o.o., 1230.00 PLN, 2024-03-05": what a person wants in a file's properties. */
export function fieldsSummary(metadata: FieldsMetadata): string {
  const v = fieldValues(metadata);
  const head = [TYPE_LABEL[metadata.document_type], v.document_number].filter(Boolean).join(" ");
  const total = v.total_gross ? [v.total_gross, v.currency].filter(Boolean).join(" ") : undefined;
  const rest = [v.seller_name, total, v.issue_date].filter((s): s is string => Boolean(s));
  return rest.length > 0 ? `${head} — ${rest.join(", ")}` : head;
}

/** Writes the fields into `doc`'s Info dictionary and XMP metadata (see the module comment). */
export function applyFieldsMetadata(doc: PDFDocument, metadata: FieldsMetadata, options: StampOptions = {}): void {
  const now = options.now ?? new Date();
  const info = infoDict(doc);
  const text = (key: string): string | undefined => {
    const value = info.lookup(PDFName.of(key));
    return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
  };
  const set = (key: string, value: string) => info.set(PDFName.of(key), PDFHexString.fromText(value));

  const summary = fieldsSummary(metadata);
  if (!text("Title")?.trim() && options.title) set("Title", options.title);
  if (!text("Subject")?.trim()) set("Subject", summary);
  if (!text("Producer")) set("Producer", "Docket");
  if (!text("Creator")) set("Creator", "Docket");
  set("DocketDocumentType", metadata.document_type);
  set("DocketFields", JSON.stringify(fieldValues(metadata)));
  if (metadata.template) set("DocketTemplate", metadata.template);
  else info.delete(PDFName.of("DocketTemplate"));

  const docketXml = docketDescription(metadata);
  const existing = existingXmp(doc);
  let packet: string;
  if (existing) {
    packet = mergeDocketDescription(existing, docketXml);
  } else {
    // A new packet mirrors the Info dictionary, dates included.
    if (!doc.getCreationDate()) doc.setCreationDate(now);
    doc.setModificationDate(now);
    packet = xmpPacket({
      title: text("Title") ?? null,
      description: text("Subject") ?? summary,
      producer: text("Producer") ?? "Docket",
      creatorTool: text("Creator") ?? "Docket",
      created: doc.getCreationDate() ?? now,
      modified: now,
      docketXml,
    });
  }
  // Uncompressed UTF-8, as XMP asks: tools that do not parse PDF can still find the packet.
  const stream = doc.context.stream(new TextEncoder().encode(packet), { Type: "Metadata", Subtype: "XML" });
  doc.catalog.set(PDFName.of("Metadata"), doc.context.register(stream));
}

/** The trailer's Info dictionary, made when the file has none. */
function infoDict(doc: PDFDocument): PDFDict {
  const existing = doc.context.lookup(doc.context.trailerInfo.Info);
  if (existing instanceof PDFDict) return existing;
  const info = doc.context.obj({});
  doc.context.trailerInfo.Info = doc.context.register(info);
  return info;
}

/** The catalog's XMP packet as text, when it is there and readable (UTF-8, an rdf:RDF we can add to). */
function existingXmp(doc: PDFDocument): string | null {
  try {
    const stream = doc.context.lookup(doc.catalog.get(PDFName.of("Metadata")));
    if (!(stream instanceof PDFRawStream)) return null;
    const text = new TextDecoder("utf-8", { fatal: true }).decode(decodePDFRawStream(stream).decode());
    return text.includes("</rdf:RDF>") ? text : null;
  } catch {
    // An unknown filter or another encoding: the packet is replaced by a new one.
    return null;
  }
}

const OUR_DESCRIPTION = new RegExp(
  `[ \\t]*<rdf:Description\\b[^>]*xmlns:${DOCKET_XMP_PREFIX}="${DOCKET_XMP_NAMESPACE.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}"[^>]*>[\\s\\S]*?</rdf:Description>\\s*`,
  "g",
);

/** `packet` with our description (only ours: the rest is the file's) replaced or added before </rdf:RDF>. */
export function mergeDocketDescription(packet: string, docketXml: string): string {
  const without = packet.replace(OUR_DESCRIPTION, "");
  const end = without.lastIndexOf("</rdf:RDF>");
  return `${without.slice(0, end)}${docketXml}\n${without.slice(end)}`;
}

/** XML 1.0 text: markup characters escaped, characters XML cannot carry at all dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** XMP dates are ISO 8601 with a zone; whole seconds are plenty. */
const xmpDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

function docketDescription(metadata: FieldsMetadata): string {
  const p = DOCKET_XMP_PREFIX;
  const properties = [`<${p}:document_type>${escapeXml(metadata.document_type)}</${p}:document_type>`];
  if (metadata.template) properties.push(`<${p}:template>${escapeXml(metadata.template)}</${p}:template>`);
  for (const [name, value] of Object.entries(fieldValues(metadata)))
    properties.push(`<${p}:${name}>${escapeXml(value)}</${p}:${name}>`);
  return [
    `  <rdf:Description rdf:about="" xmlns:${p}="${DOCKET_XMP_NAMESPACE}">`,
    ...properties.map((line) => `   ${line}`),
    "  </rdf:Description>",
  ].join("\n");
}

interface PacketValues {
  title: string | null;
  description: string;
  producer: string;
  creatorTool: string;
  created: Date;
  modified: Date;
  docketXml: string;
}

const alt = (text: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(text)}</rdf:li></rdf:Alt>`;

function xmpPacket(v: PacketValues): string {
  return [
    // The BOM in `begin` tells a scanner the packet's encoding (UTF-8); the id is XMP's fixed one.
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    "   <dc:format>application/pdf</dc:format>",
    ...(v.title ? [`   <dc:title>${alt(v.title)}</dc:title>`] : []),
    `   <dc:description>${alt(v.description)}</dc:description>`,
    "  </rdf:Description>",
    '  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
    `   <pdf:Producer>${escapeXml(v.producer)}</pdf:Producer>`,
    "  </rdf:Description>",
    '  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">',
    `   <xmp:CreatorTool>${escapeXml(v.creatorTool)}</xmp:CreatorTool>`,
    `   <xmp:CreateDate>${xmpDate(v.created)}</xmp:CreateDate>`,
    `   <xmp:ModifyDate>${xmpDate(v.modified)}</xmp:ModifyDate>`,
    `   <xmp:MetadataDate>${xmpDate(v.modified)}</xmp:MetadataDate>`,
    "  </rdf:Description>",
    v.docketXml,
    " </rdf:RDF>",
    "</x:xmpmeta>",
    // Room to edit the packet in place, as the XMP specification recommends for a writable one.
    ...Array.from({ length: 20 }, () => " ".repeat(99)),
    '<?xpacket end="w"?>',
  ].join("\n");
}
