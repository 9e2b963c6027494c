/**
 * A processed collection written straight into the tables and the blob store, for the compile
 * stage's tests and benchmark: each document has a completed job whose outputs are a real
 * searchable-looking PDF (a JPEG page image per page and a text line), a text file, and
 * visible extracted fields (currency, totals, a VAT breakdown).
 */
import { PDFDocument, StandardFonts } from "pdf-lib";
import sharp from "sharp";
import type { BlobStore } from "../../src/blob/blob-store.js";
import type { Database } from "../../src/db/database.js";
import { newId } from "../../src/engine/ids.js";
import { seedDocuments } from "../support/seed.js";

export interface CompileFixture {
  ownerId: string;
  collectionId: string;
  memberIds: string[];
  pages: number;
  pdfBytes: number;
}

/** A page-sized JPEG that compresses like a scan (smooth noise), about 100–200 KB at 1240×1754. */
export async function scanLikeJpeg(seed: number, width = 1240, height = 1754): Promise<Buffer> {
  const small = Buffer.alloc(Math.ceil(width / 8) * Math.ceil(height / 8));
  let x = seed * 2654435761;
  for (let i = 0; i < small.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    small[i] = 200 + (x >>> 24) / 5;
  }
  return sharp(small, { raw: { width: Math.ceil(width / 8), height: Math.ceil(height / 8), channels: 1 } })
    .resize(width, height)
    .jpeg({ quality: 70 })
    .toBuffer();
}

async function documentPdf(pages: number, images: Buffer[], title: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const image = await doc.embedJpg(images[p % images.length]!);
    const page = doc.addPage([595, 842]);
    page.drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
    page.drawText(`${title} page ${p + 1}`, { x: 40, y: 800, size: 12, font });
  }
  return doc.save();
}

export async function seedCompiledCollection(
  database: Database,
  blobStore: BlobStore,
  options: { documents: number; pagesOf: (index: number) => number; images: Buffer[]; name?: string },
): Promise<CompileFixture> {
  const { db } = database;
  const { ownerId, documentIds } = await seedDocuments(database, options.documents);
  const now = Date.now();
  let pages = 0;
  let pdfBytes = 0;
  for (let i = 0; i < documentIds.length; i++) {
    const documentId = documentIds[i]!;
    const n = options.pagesOf(i);
    pages += n;
    const jobId = newId();
    const pdf = await documentPdf(n, options.images, `Invoice ${i + 1}`);
    pdfBytes += pdf.length;
    const pdfKey = `jobs/${jobId}/export/out.pdf`;
    const txtKey = `jobs/${jobId}/export/out.txt`;
    await blobStore.put(pdfKey, Buffer.from(pdf));
    await blobStore.put(txtKey, `Invoice ${i + 1}`);
    await db
      .insertInto("jobs")
      .values({
        id: jobId,
        document_id: documentId,
        owner_id: ownerId,
        batch_id: null,
        pipeline: "ocr",
        options: JSON.stringify({ outputs: ["txt", "pdf"] }),
        status: "completed",
        priority: 5,
        attempt: 1,
        max_attempts: 3,
        run_at: now,
        lease_owner: null,
        lease_expires_at: null,
        cancel_requested_at: null,
        progress_phase: "export",
        progress_step: 1,
        progress_total: 1,
        progress_percent: 100,
        progress_message: null,
        error_code: null,
        error_message: null,
        review_reason: null,
        created_at: now,
        started_at: now,
        completed_at: now,
        updated_at: now,
        version: i + 1,
      })
      .execute();
    await db
      .insertInto("job_steps")
      .values({
        job_id: jobId,
        name: "extract_fields",
        position: 0,
        status: "success",
        attempts: 1,
        job_attempt: 1,
        started_at: now,
        finished_at: now,
        error_code: null,
        error_message: null,
        detail: null,
        progress_done: 0,
        progress_total: 0,
      })
      .execute();
    for (const [kind, key, mime, size] of [
      ["pdf", pdfKey, "application/pdf", pdf.length],
      ["txt", txtKey, "text/plain; charset=utf-8", 10],
    ] as const)
      await db
        .insertInto("artifacts")
        .values({
          id: newId(),
          job_id: jobId,
          document_id: documentId,
          owner_id: ownerId,
          kind,
          blob_key: key,
          mime_type: mime,
          size_bytes: size,
          created_at: now,
        })
        .execute();
    const currency = i % 3 === 0 ? "EUR" : "PLN";
    const field = (value: string) => ({ value, raw: value, confidence: 0.95, source: null, origin: "rule" });
    await db
      .insertInto("document_fields")
      .values({
        job_id: jobId,
        document_id: documentId,
        owner_id: ownerId,
        document_type: "invoice",
        type_confidence: 0.9,
        fields: JSON.stringify({
          document_number: field(`FV/${i + 1}`),
          currency: field(currency),
          total_net: field("100.00"),
          total_vat: field("23.00"),
          total_gross: field("123.00"),
        }),
        line_items: "[]",
        vat_breakdown: JSON.stringify([{ rate: "23", net: "100.00", vat: "23.00", gross: "123.00" }]),
        checks: "[]",
        ocr_confidence: 95,
        template: null,
        review_reasons: "[]",
        needs_review: 0,
        review_state: "pending",
        review_by: null,
        review_at: null,
        review_note: null,
        created_at: now,
        updated_at: now,
        version: 0,
      })
      .execute();
    await db
      .updateTable("documents")
      .set({ latest_job_id: jobId, num_pages: n })
      .where("id", "=", documentId)
      .execute();
  }
  const collectionId = newId();
  await db
    .insertInto("collections")
    .values({
      id: collectionId,
      owner_id: ownerId,
      name: options.name ?? "Bench",
      created_at: now,
      updated_at: now,
      deleted_at: null,
      version: 1,
    })
    .execute();
  for (let i = 0; i < documentIds.length; i += 200)
    await db
      .insertInto("collection_documents")
      .values(
        documentIds.slice(i, i + 200).map((id, k) => ({
          collection_id: collectionId,
          document_id: id,
          owner_id: ownerId,
          position: i + k,
          added_at: now,
        })),
      )
      .execute();
  return { ownerId, collectionId, memberIds: documentIds, pages, pdfBytes };
}
