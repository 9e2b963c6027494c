/**
 * The printed labels the rules look for, per kind and language. Labels are data: matching
 * (layout/label-matcher.ts) folds accents and case, forgives an OCR slip or two and lets a
 * label run over several words. `weight` says how sure a label makes us of what follows it:
 * "Data wystawienia" names the issue date, a bare "Data" only probably does.
 */

import type { LabelGroup } from "./labels/label-types.js";
import { NUMBER_AND_DATE_LABELS } from "./labels/number-and-date-labels.js";
import { AMOUNT_LABELS } from "./labels/amount-labels.js";
import { PARTY_AND_PAYMENT_LABELS } from "./labels/party-and-payment-labels.js";
import { TABLE_AND_TENDER_LABELS } from "./labels/table-and-tender-labels.js";

export type { LabelLanguage, LabelKind, LabelGroup } from "./labels/label-types.js";
export {
  DOCUMENT_CUES,
  RECEIPT_TOTAL_CUES,
  RECEIPT_TOTAL_EXCLUDED,
  RECEIPT_ADDRESS_STOP,
  RECEIPT_HEADER_NOISE,
} from "./labels/document-cues.js";

/** Every label group, in the order the matcher has always seen them (the files split the data, not the order). */
export const LABELS: readonly LabelGroup[] = [
  ...NUMBER_AND_DATE_LABELS,
  ...AMOUNT_LABELS,
  ...PARTY_AND_PAYMENT_LABELS,
  ...TABLE_AND_TENDER_LABELS,
];
