/**
 * VAT ids of the 27 EU states (and XI, GB, CH, NO): the country prefix chooses the format and
 * the check digits, which python-stdnum's port `stdnum` knows for every one of them. Greece
 * prints "EL", Northern Ireland "XI" (a UK number), Switzerland "CHE-… MWST", Norway "… MVA".
 */
import { createRequire } from "node:module";
import type { Validator } from "stdnum";

type Stdnum = typeof import("stdnum");
let library: Stdnum | undefined;

/**
 * stdnum, loaded at the first VAT id checked rather than at start-up: its validators for
 * every country cost each process a third of a second of CPU to load, and most never check
 * one (an API process, or a worker restarted after a crash, before its first extraction).
 * Its package is CommonJS, so it loads synchronously, as the checks that call it are.
 */
function stdnumLibrary(): Stdnum {
  return (library ??= createRequire(import.meta.url)("stdnum") as Stdnum);
}

/** Prefix → validators; the prefixes a VAT id may carry beyond stdnum's EU table. */
function validatorsFor(prefix: string): Validator[] {
  const { euVat, stdnum } = stdnumLibrary();
  switch (prefix) {
    case "EL":
      return euVat.GR ?? [];
    case "XI":
    case "GB":
      return stdnum.GB?.vat ? [stdnum.GB.vat] : [];
    case "NO":
      return stdnum.NO?.mva ? [stdnum.NO.mva] : [];
    case "CH":
      return stdnum.CH?.vat ? [stdnum.CH.vat] : [];
    default:
      return euVat[prefix] ?? [];
  }
}

/** The two-letter prefix a compact VAT id starts with ("CHE…" is Swiss), or null. */
export function vatIdCountry(value: string): string | null {
  const compact = compactVatId(value);
  if (/^CHE\d/.test(compact)) return "CH";
  const prefix = /^([A-Z]{2})[0-9A-Z]/.exec(compact)?.[1];
  return prefix && validatorsFor(prefix).length > 0 ? prefix : null;
}

export function compactVatId(value: string): string {
  return value.replace(/[\s\-./]/g, "").toUpperCase();
}

/** Whether a VAT id with its country prefix has that country's format and check digits. */
export function isValidEuVatId(value: string): boolean {
  const compact = compactVatId(value);
  const country = vatIdCountry(compact);
  if (country === null) return false;
  // Greek and Northern Irish numbers are checked by their GR and GB rules, which expect those prefixes or none.
  const number = country === "CH" ? compact : compact.slice(2);
  return validatorsFor(country).some((v) => {
    try {
      return v.validate(number).isValid;
    } catch {
      return false;
    }
  });
}
