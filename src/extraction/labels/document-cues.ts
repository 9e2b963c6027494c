/** Words that announce an invoice, a receipt or a credit note, for classification. */
export const DOCUMENT_CUES = {
  invoice: [
    "faktura",
    "faktura vat",
    "invoice",
    "tax invoice",
    "rechnung",
    "facture",
    "factuur",
    "nota",
    "proforma",
    "faktura korygujaca",
    "credit note",
    "gutschrift",
    "avoir",
    "bill to",
    "nabywca",
    "sprzedawca",
    "due date",
    "termin platnosci",
    "iban",
    "nip",
    "ust-idnr",
    "tva",
    "vat id",
  ],
  receipt: [
    "paragon",
    "paragon fiskalny",
    "receipt",
    "cash",
    "change",
    "tendered",
    "cashier",
    "kasjer",
    "gst",
    "sst",
    "thank you",
    "terima kasih",
    "kassenbon",
    "quittung",
    "ticket de caisse",
    "bon",
    "rounding",
    "qty",
    "reszta",
    "gotowka",
    "total rm",
    "sdn bhd",
    "member",
    "table",
    "server",
  ],
} as const;

/**
 * Receipt total lines, matched against a whole folded row ("total amt rounded", "nett total
 * rm"): a higher rank is a more final amount. Rounded and payable totals beat a plain total.
 */
export const RECEIPT_TOTAL_CUES: ReadonlyArray<{ rank: number; pattern: RegExp }> = [
  {
    rank: 4,
    pattern:
      /\b(?:rounded total|total rounded|total amt rounded|total amount rounded|rounded amount|round(?:ed)? amt|grand total|total payable|amount payable|amount due|total due|balance due|nett? total|total nett?|do zaplaty|suma pln|zu zahlen|net a payer|total ttc|montant ttc|te betalen)\b/,
  },
  {
    rank: 3,
    pattern:
      /\b(?:total (?:\(?incl(?:usive)?\.?|including)(?: of)? (?:gst|sst|tax|vat)\)?|total sales \(?incl|total amount|total amt|total rm|total myr|total \(rm\)|jumlah|razem|suma|summe|gesamtbetrag|endsumme|totaal)\b/,
  },
  { rank: 2, pattern: /^(?:\W*)(?:total|gesamt|montant|amount)\b/ },
  { rank: 1, pattern: /\btotal\b/ },
];

/** Rows that say "total" but are not the amount paid. */
export const RECEIPT_TOTAL_EXCLUDED: readonly RegExp[] = [
  /\b(?:sub\s?-?\s?total|subtotal|total (?:qty|quantity|items?|disc(?:ount)?|savings?|saved|tax|gst|sst|vat|excl?\.?|exclusive|excluding|before|point|pts|weight|no\.? of)|total (?:\(?excl?)|excl(?:\.|uding|usive)? (?:of )?(?:gst|sst|tax|vat)|\bqty\b|change|cash|tendered|paid|rounding|round(?:ing)? adj|gst summary|tax summary|points?)\b/,
  /\b(?:total sales \(?excl|amount \(?excl|before gst|ex(?:cl)?\.? gst)\b/,
];

/** Lines under a receipt's company that end its address: phone, tax registration, document data. */
export const RECEIPT_ADDRESS_STOP: readonly RegExp[] = [
  /\b(?:tel|tel no|telephone|phone|ph|fax|hp|h\/p|mobile|email|e-mail|website|www|gst|gst id|gst reg|sst|tax invoice|invoice|receipt|cash bill|doc(?:ument)? no|bill no|date|cashier|table|order|nip|regon|vat|ust|tva|site|branch|outlet)\b/,
  /\S@\S+\.[a-z]{2,}|https?:/,
];

/** Top-of-receipt lines that are neither company nor address (registration numbers, slogans, titles). */
export const RECEIPT_HEADER_NOISE: readonly RegExp[] = [
  /^\(?[\w-]*\d[\w-]*\)?$/,
  /^\(.*\)$/,
  /\b(?:co[.\-\s]*reg|co\.?\s*no\b|company no|company reg|reg\.? no|roc no|business reg|(?:\(|^)\d{5,}-[a-z]\)?|welcome|thank you|terima kasih|goods sold|original|copy|duplicate|simplified|tax invoice|official receipt|cash bill|receipt)\b/,
];
