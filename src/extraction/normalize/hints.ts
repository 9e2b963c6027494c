/**
 * What a caller knows about how a document prints its values (a template's `options`, a
 * person's locale): the readers use it to resolve what the text alone leaves ambiguous.
 */
export interface NormalizeHints {
  /** The decimal separator amounts use; the other one then groups thousands. */
  decimalSeparator?: "," | ".";
  /** strptime-like formats (%d %m %Y %y %B %b %H %M …, as invoice2data templates write them), tried first. */
  dateFormats?: string[];
  /** ISO 4217 code of the document's currency, when known. */
  currency?: string;
  /** Languages or locales ("pl", "en", "en-US"): "en-US" reads slashed dates month first. */
  languages?: string[];
}
