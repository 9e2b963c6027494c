/**
 * The printed labels the rules look for, per kind and language. Labels are data: matching
 * (layout/label-matcher.ts) folds accents and case, forgives an OCR slip or two and lets a
 * label run over several words. `weight` says how sure a label makes us of what follows it:
 * "Data wystawienia" names the issue date, a bare "Data" only probably does.
 */

export type LabelLanguage = "pl" | "en" | "de" | "fr" | "nl";

/** What a label introduces: a field's value, a party's block, or a cue the rules use otherwise. */
export type LabelKind =
  | "document_number"
  | "issue_date"
  | "sale_date"
  | "due_date"
  | "currency"
  | "total_net"
  | "total_vat"
  | "total_gross"
  | "tax_id"
  | "seller_tax_id"
  | "buyer_tax_id"
  | "iban"
  | "payment_method"
  | "seller"
  | "buyer"
  | "name"
  | "address"
  | "contact"
  | "bank_name"
  | "receipt_total"
  | "tendered"
  | "vat_rate"
  | "sum_row"
  | "item_header";

export interface LabelGroup {
  kind: LabelKind;
  weight: number;
  phrases: Partial<Record<LabelLanguage, readonly string[]>>;
}

export const LABELS: readonly LabelGroup[] = [
  {
    kind: "document_number",
    weight: 1,
    phrases: {
      pl: [
        "Faktura VAT nr",
        "Faktura nr",
        "Nr faktury",
        "Numer faktury",
        "Faktura VAT numer",
        "Faktura numer",
        "Nr dokumentu",
        "Numer dokumentu",
        "Paragon nr",
        "Nr paragonu",
        "Rachunek nr",
        "Faktura korygująca nr",
      ],
      en: [
        "Invoice No",
        "Invoice Number",
        "Invoice #",
        "Invoice nr",
        "Inv No",
        "Invoice ID",
        "Bill No",
        "Receipt No",
        "Receipt #",
        "Receipt Number",
        "Document No",
        "Doc No",
        "Tax Invoice No",
        "Invoice No / Nr",
        "Nr / No",
      ],
      de: [
        "Rechnungsnummer",
        "Rechnungsnr",
        "Rechnung Nr",
        "Rechnungs-Nr",
        "Beleg-Nr",
        "Belegnummer",
        "Rechnung Nummer",
      ],
      fr: ["Numéro de facture", "N° de facture", "Facture n°", "Facture No", "Facture numéro", "No de facture"],
      nl: ["Factuurnummer", "Factuur nr", "Factuurnr"],
    },
  },
  {
    kind: "document_number",
    weight: 0.6,
    phrases: {
      pl: ["nr", "numer", "Faktura"],
      en: ["No", "Number", "Invoice", "Bill"],
      de: ["Nr", "Nummer", "Rechnung"],
      fr: ["N°", "Facture"],
      nl: ["Factuur"],
    },
  },
  {
    kind: "issue_date",
    weight: 1,
    phrases: {
      pl: ["Data wystawienia", "Data faktury", "Data dokumentu", "Wystawiono dnia", "Data wystawienia faktury"],
      en: [
        "Date of issue",
        "Issue date",
        "Invoice date",
        "Date issued",
        "Issued on",
        "Bill date",
        "Receipt date",
        "Document date",
        "Invoice Date / Data",
      ],
      de: ["Rechnungsdatum", "Ausstellungsdatum", "Belegdatum", "Datum der Rechnung"],
      fr: ["Date de facture", "Date d'émission", "Date de facturation", "Date facture", "Émise le", "Date d émission"],
      nl: ["Factuurdatum"],
    },
  },
  {
    kind: "issue_date",
    weight: 0.7,
    phrases: { pl: ["Data"], en: ["Date", "Dated", "Tarikh"], de: ["Datum"], fr: ["Date"] },
  },
  {
    kind: "sale_date",
    weight: 1,
    phrases: {
      pl: [
        "Data sprzedaży",
        "Data dostawy",
        "Data wykonania usługi",
        "Data zakończenia dostawy",
        "Data dokonania dostawy",
        "Data dostawy/wykonania usługi",
        "Data sprzedaży/wykonania usługi",
      ],
      en: [
        "Sale date",
        "Date of sale",
        "Delivery date",
        "Date of supply",
        "Supply date",
        "Tax point",
        "Service date",
        "Date of delivery",
      ],
      de: ["Leistungsdatum", "Lieferdatum", "Liefer-/Leistungsdatum", "Leistungszeitraum"],
      fr: ["Date de livraison", "Date de vente", "Date de prestation"],
      nl: ["Leverdatum", "Orderdatum"],
    },
  },
  {
    kind: "due_date",
    weight: 1,
    phrases: {
      pl: ["Termin płatności", "Termin zapłaty", "Płatne do", "Zapłata do", "Płatność do", "Termin"],
      en: ["Due date", "Payment due", "Date due", "Due", "Pay by", "Payment due date", "Due on"],
      de: ["Fälligkeitsdatum", "Fällig am", "Fällig bis", "Zahlbar bis", "Zahlungsziel", "Fälligkeit"],
      fr: [
        "Échéance",
        "Date d'échéance",
        "Date limite de paiement",
        "À payer avant le",
        "Payable avant",
        "Date d échéance",
      ],
      nl: ["Vervaldatum"],
    },
  },
  {
    kind: "total_gross",
    weight: 1,
    phrases: {
      pl: [
        "Do zapłaty",
        "Razem do zapłaty",
        "Wartość brutto",
        "Kwota brutto",
        "Suma brutto",
        "Razem brutto",
        "Należność ogółem",
        "Ogółem do zapłaty",
        "Kwota do zapłaty",
        "Pozostało do zapłaty",
        "Suma PLN",
      ],
      en: [
        "Grand total",
        "Total due",
        "Amount due",
        "Balance due",
        "Total amount",
        "Invoice total",
        "Total incl VAT",
        "Total including VAT",
        "Total (incl. VAT)",
        "Total payable",
        "Amount payable",
        "Total to pay",
        "Total for this invoice",
        "Total Amount Due",
        "Gross amount",
        "Total gross",
      ],
      de: [
        "Gesamtbetrag",
        "Rechnungsbetrag",
        "Endbetrag",
        "Bruttobetrag",
        "Zu zahlen",
        "Zahlbetrag",
        "Gesamtsumme",
        "Summe brutto",
        "Gesamt brutto",
        "Rechnungssumme",
      ],
      fr: [
        "Montant TTC",
        "Total TTC",
        "Net à payer",
        "Montant total",
        "Montant dû",
        "À payer",
        "Total à payer",
        "Reste à payer",
      ],
      nl: ["Totaal", "Totaal incl BTW", "Te betalen", "Totaalbedrag"],
    },
  },
  {
    kind: "receipt_total",
    weight: 1,
    phrases: {
      en: [
        "Total",
        "Rounded Total",
        "Total (incl GST)",
        "Total incl GST",
        "Total Inclusive GST",
        "Total Sales (Inclusive GST)",
        "Total Sales",
        "Net Total",
        "Nett Total",
        "Total RM",
        "Total Amount",
        "Amount",
        "Total Payable",
        "Rounded Amount",
        "Grand Total",
        "Total Sales Incl GST",
        "Total Inclusive of GST",
      ],
      pl: ["Razem", "Suma", "Suma PLN", "Do zapłaty", "Należność"],
      de: ["Summe", "Gesamt", "Total EUR", "Zu zahlen", "Endsumme", "Betrag"],
      fr: ["Total TTC", "Total", "Montant", "À payer"],
      nl: ["Totaal"],
    },
  },
  {
    kind: "total_net",
    weight: 1,
    phrases: {
      pl: ["Wartość netto", "Razem netto", "Suma netto", "Kwota netto", "Wartość netto razem"],
      en: [
        "Subtotal",
        "Sub total",
        "Sub-total",
        "Total net",
        "Net amount",
        "Total excl VAT",
        "Total excluding VAT",
        "Total before tax",
        "Amount excl VAT",
        "Total (excl. VAT)",
        "Total excl. tax",
        "Total Excl GST",
        "Total Excluding GST",
        "Total Sales (Excluding GST)",
      ],
      de: [
        "Nettobetrag",
        "Summe netto",
        "Gesamt netto",
        "Zwischensumme",
        "Warenwert",
        "Nettosumme",
        "Rechnungsbetrag netto",
      ],
      fr: ["Total HT", "Montant HT", "Sous-total", "Total hors taxes", "Montant hors taxes"],
      nl: ["Subtotaal", "Exclusief BTW", "Totaal excl BTW"],
    },
  },
  {
    kind: "total_vat",
    weight: 1,
    phrases: {
      pl: ["Kwota VAT", "Wartość VAT", "Razem VAT", "Suma VAT", "Podatek VAT", "Razem kwota VAT"],
      en: [
        "VAT amount",
        "Total VAT",
        "Total tax",
        "Tax amount",
        "Total GST",
        "GST amount",
        "GST payable",
        "Service tax",
        "Sales tax",
      ],
      de: ["Umsatzsteuer", "Mehrwertsteuer", "Summe MwSt", "zzgl MwSt", "zzgl USt", "MwSt-Betrag", "USt-Betrag"],
      fr: ["Montant TVA", "Total TVA"],
      nl: ["BTW bedrag"],
    },
  },
  /** Bare column words: they name a total only as often as they head a column. */
  {
    kind: "total_gross",
    weight: 0.8,
    phrases: { pl: ["Brutto"], en: ["Gross", "Total"], de: ["Brutto", "Summe", "Gesamt"], fr: ["Total"] },
  },
  { kind: "total_net", weight: 0.8, phrases: { pl: ["Netto"], en: ["Net"], de: ["Netto"], fr: ["HT"] } },
  {
    kind: "total_vat",
    weight: 0.8,
    phrases: { pl: ["VAT"], en: ["VAT", "Tax", "GST", "SST"], de: ["USt", "MwSt"], fr: ["TVA"], nl: ["BTW"] },
  },
  {
    kind: "tax_id",
    weight: 1,
    phrases: {
      pl: ["NIP", "NIP/VAT", "NIP UE", "NIP / VAT ID", "VAT UE"],
      en: [
        "VAT ID",
        "VAT No",
        "VAT Reg No",
        "VAT number",
        "VAT Registration No",
        "VAT Reg",
        "Tax ID",
        "TIN",
        "GST ID",
        "GST Reg No",
        "GST No",
        "GST Reg",
        "SST ID",
        "GSTIN",
        "SST Reg No",
        "Tax Reg No",
        "Company VAT",
      ],
      de: [
        "USt-IdNr",
        "USt-ID",
        "UStId",
        "USt-Id-Nr",
        "UID",
        "UID-Nr",
        "Steuernummer",
        "St.-Nr",
        "Umsatzsteuer-ID",
        "USt-IdNr.",
      ],
      fr: [
        "N° TVA",
        "TVA intracommunautaire",
        "Numéro de TVA",
        "N° TVA intracommunautaire",
        "TVA Intra",
        "Identifiant TVA",
      ],
      nl: ["BTW nummer", "BTW-nr", "BTW nr", "BTW-nummer", "BTW"],
    },
  },
  {
    kind: "seller_tax_id",
    weight: 1,
    phrases: {
      pl: ["NIP sprzedawcy", "NIP wystawcy"],
      en: ["Seller VAT ID", "Supplier VAT", "Our VAT No", "Seller Tax ID"],
      de: ["Unsere USt-IdNr"],
      fr: ["N° TVA vendeur", "Notre N° TVA"],
    },
  },
  {
    kind: "buyer_tax_id",
    weight: 1,
    phrases: {
      pl: ["NIP nabywcy", "NIP odbiorcy"],
      en: ["Buyer VAT ID", "Customer VAT", "Customer VAT ID", "Your VAT No", "Buyer Tax ID"],
      de: ["USt-IdNr des Kunden", "Ihre USt-IdNr", "Kunden-USt-IdNr"],
      fr: ["N° TVA client", "TVA client"],
    },
  },
  {
    kind: "iban",
    weight: 1,
    phrases: {
      pl: [
        "Nr rachunku",
        "Numer rachunku",
        "Rachunek bankowy",
        "Nr konta",
        "Numer konta",
        "Konto",
        "Rachunek",
        "Numer rachunku bankowego",
        "Nr rachunku bankowego",
      ],
      en: ["Bank account", "Account number", "Account No", "IBAN", "Bank account number", "Account"],
      de: ["Bankverbindung", "Kontonummer", "Konto", "Kto-Nr", "IBAN"],
      fr: ["Compte bancaire", "RIB", "Coordonnées bancaires", "IBAN"],
      nl: ["Rekeningnummer", "IBAN"],
    },
  },
  {
    kind: "payment_method",
    weight: 1,
    phrases: {
      pl: [
        "Forma płatności",
        "Sposób płatności",
        "Metoda płatności",
        "Rodzaj płatności",
        "Płatność",
        "Forma zapłaty",
        "Zapłacono",
      ],
      en: [
        "Payment method",
        "Payment type",
        "Method of payment",
        "Payment mode",
        "Paid by",
        "Payment",
        "Paid with",
        "Mode of payment",
      ],
      de: ["Zahlungsart", "Zahlungsweise", "Zahlungsmethode", "Zahlungsform", "Zahlungsbedingungen", "Bezahlt mit"],
      fr: ["Mode de paiement", "Mode de règlement", "Moyen de paiement", "Règlement", "Conditions de paiement"],
      nl: ["Betaalmethode", "Betaalwijze"],
    },
  },
  {
    kind: "currency",
    weight: 1,
    phrases: { pl: ["Waluta"], en: ["Currency"], de: ["Währung"], fr: ["Devise", "Monnaie"], nl: ["Valuta"] },
  },
  {
    kind: "seller",
    weight: 1,
    phrases: {
      pl: ["Sprzedawca", "Sprzedający", "Wystawca", "Dostawca", "Usługodawca", "Sprzedawca / Seller"],
      en: ["Seller", "Vendor", "Supplier", "Issued by", "Sold by", "From", "Service provider", "Bill from"],
      de: ["Verkäufer", "Lieferant", "Rechnungssteller", "Leistungserbringer", "Absender"],
      fr: ["Vendeur", "Fournisseur", "Émetteur", "Prestataire"],
      nl: ["Verkoper", "Leverancier"],
    },
  },
  {
    kind: "buyer",
    weight: 1,
    phrases: {
      pl: ["Nabywca", "Kupujący", "Odbiorca", "Płatnik", "Zamawiający", "Usługobiorca", "Nabywca / Buyer"],
      en: [
        "Buyer",
        "Customer",
        "Bill to",
        "Billed to",
        "Invoice to",
        "Sold to",
        "Client",
        "Purchaser",
        "Ship to",
        "Bill to Address",
        "Recipient",
        "Billing address",
        "Invoice address",
      ],
      de: [
        "Käufer",
        "Kunde",
        "Rechnungsempfänger",
        "Empfänger",
        "Leistungsempfänger",
        "Auftraggeber",
        "Rechnungsadresse",
      ],
      fr: ["Acheteur", "Client", "Facturé à", "Destinataire", "Adresse de facturation"],
      nl: ["Klant", "Koper", "Afnemer", "Factuuradres"],
    },
  },
  {
    kind: "name",
    weight: 1,
    phrases: {
      pl: ["Nazwa", "Nazwa firmy"],
      en: ["Name", "Company", "Company name"],
      de: ["Firma", "Name"],
      fr: ["Nom", "Raison sociale", "Société"],
      nl: ["Naam", "Bedrijf"],
    },
  },
  {
    kind: "address",
    weight: 1,
    phrases: {
      pl: ["Adres", "Siedziba", "Ulica"],
      en: ["Address"],
      de: ["Anschrift", "Adresse"],
      fr: ["Adresse"],
      nl: ["Adres"],
    },
  },
  {
    kind: "contact",
    weight: 1,
    phrases: {
      pl: ["tel", "telefon", "e-mail", "email", "fax", "www", "REGON", "KRS", "BDO", "PESEL", "kom"],
      en: [
        "Tel",
        "Phone",
        "Telephone",
        "Fax",
        "Email",
        "E-mail",
        "Web",
        "Website",
        "Co Reg No",
        "Company No",
        "Reg No",
        "Mobile",
        "H/P",
        "Hotline",
      ],
      de: ["Telefon", "Telefax", "HRB", "Amtsgericht", "Registergericht", "Geschäftsführer", "Handelsregister"],
      fr: ["Téléphone", "SIRET", "SIREN", "RCS", "APE", "Courriel"],
      nl: ["KvK", "Telefoon"],
    },
  },
  {
    kind: "bank_name",
    weight: 1,
    phrases: {
      pl: ["Bank"],
      en: ["Bank", "Bank name", "SWIFT", "BIC", "SWIFT/BIC"],
      de: ["Bank", "BIC"],
      fr: ["Banque", "BIC"],
      nl: ["Bank", "BIC"],
    },
  },
  {
    kind: "tendered",
    weight: 1,
    phrases: {
      pl: ["Reszta", "Gotówka", "Wpłacono", "Karta", "Zapłacono kartą", "Otrzymano"],
      en: [
        "Cash",
        "Change",
        "Tendered",
        "Cash tendered",
        "Amount tendered",
        "Paid",
        "Amount paid",
        "Balance",
        "Rounding",
        "Rounding Adj",
        "Round Adj",
        "Visa",
        "Mastercard",
        "Credit card",
        "Card",
        "Payment",
      ],
      de: ["Bar", "Gegeben", "Rückgeld", "Zurück", "EC-Karte", "Kartenzahlung"],
      fr: ["Espèces", "Rendu", "Monnaie rendue", "Carte bancaire", "CB"],
      nl: ["Contant", "Wisselgeld"],
    },
  },
  {
    kind: "vat_rate",
    weight: 1,
    phrases: {
      pl: ["Stawka VAT", "Stawka", "Według stawek", "W tym"],
      en: ["VAT rate", "Tax rate", "Rate", "GST Summary", "Tax Summary", "VAT summary"],
      de: ["USt-Satz", "MwSt-Satz", "Steuersatz"],
      fr: ["Taux TVA", "Taux"],
      nl: ["BTW tarief"],
    },
  },
  {
    kind: "sum_row",
    weight: 1,
    phrases: {
      pl: ["Razem", "Ogółem", "Suma"],
      en: ["Total", "Totals"],
      de: ["Summe", "Gesamt"],
      fr: ["Total"],
      nl: ["Totaal"],
    },
  },
  {
    kind: "item_header",
    weight: 1,
    phrases: {
      pl: [
        "Lp",
        "Nazwa towaru",
        "Nazwa towaru lub usługi",
        "Nazwa towaru / usługi",
        "Ilość",
        "J.m.",
        "Jm",
        "Cena netto",
        "Cena jedn",
        "Opis",
      ],
      en: ["Description", "Qty", "Quantity", "Unit price", "Item", "Price", "Unit", "Amount"],
      de: ["Beschreibung", "Menge", "Einzelpreis", "Artikel", "Pos", "Bezeichnung"],
      fr: ["Désignation", "Quantité", "Prix unitaire", "Qté"],
      nl: ["Omschrijving", "Aantal", "Prijs per stuk"],
    },
  },
];

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
