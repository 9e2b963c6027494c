import type { LabelGroup } from "./label-types.js";

/** Cues the rules use otherwise: money tendered, VAT rate columns, sum rows and item table headers. */
export const TABLE_AND_TENDER_LABELS: readonly LabelGroup[] = [
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
