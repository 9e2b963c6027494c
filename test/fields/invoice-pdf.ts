/**
 * A small digital invoice (a text layer, no OCR needed) for the fields API tests: what a
 * billing program prints, laid out with labels left of their values and the parties side by
 * side. The Polish synthetic invoices of test/fixtures/invoices cover the layouts; this one
 * only has to be quick and fully known.
 */
import { PDFDocument, StandardFonts } from "pdf-lib";

export interface SimpleInvoice {
  number: string;
  issueDate: string;
  dueDate: string;
  sellerName: string;
  sellerNip: string;
  buyerName: string;
  buyerNip: string;
  net: string;
  vat: string;
  gross: string;
  /** Printed after the total (e.g. "PLN"). */
  currency: string;
  /** Makes the file unique (the server answers an identical upload as a duplicate). */
  nonce?: string;
}

export const VALID_NIP = "5260250274";
export const INVALID_NIP = "5260250275";

export function sampleInvoice(overrides: Partial<SimpleInvoice> = {}): SimpleInvoice {
  return {
    number: "FV/2024/03/15",
    issueDate: "05.03.2024",
    dueDate: "19.03.2024",
    sellerName: "Kowalski Consulting Sp. z o.o.",
    sellerNip: VALID_NIP,
    buyerName: "Nowak Trading S.A.",
    buyerNip: "7010005646",
    net: "1 000,00",
    vat: "230,00",
    gross: "1 230,00",
    currency: "PLN",
    ...overrides,
  };
}

export async function invoicePdf(inv: SimpleInvoice): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage([595, 842]);
  const text = (s: string, x: number, y: number, size = 10, f = font) =>
    page.drawText(s, { x, y: 842 - y, size, font: f });
  text(`Faktura VAT nr ${inv.number}`, 50, 60, 16, bold);
  text("Data wystawienia:", 350, 60);
  text(inv.issueDate, 460, 60);
  text("Termin platnosci:", 350, 76);
  text(inv.dueDate, 460, 76);
  text("Sprzedawca", 50, 120, 11, bold);
  text("Nabywca", 320, 120, 11, bold);
  text(inv.sellerName, 50, 136);
  text(inv.buyerName, 320, 136);
  text("ul. Prosta 1, 00-001 Warszawa", 50, 150);
  text("ul. Krzywa 2, 30-002 Krakow", 320, 150);
  text(`NIP: ${inv.sellerNip}`, 50, 164);
  text(`NIP: ${inv.buyerNip}`, 320, 164);
  text("Lp.  Nazwa                    Ilosc   Netto      VAT    Brutto", 50, 220);
  text(`1    Usluga doradcza          1       ${inv.net}   23%    ${inv.gross}`, 50, 236);
  text("Razem netto:", 330, 300);
  text(`${inv.net} ${inv.currency}`, 450, 300);
  text("Razem VAT:", 330, 316);
  text(`${inv.vat} ${inv.currency}`, 450, 316);
  text("Do zaplaty:", 330, 332, 11, bold);
  text(`${inv.gross} ${inv.currency}`, 450, 332, 11, bold);
  if (inv.nonce) text(`Ref. ${inv.nonce}`, 50, 800, 7);
  return doc.save();
}
