/**
 * Month names in Polish (nominative and genitive), English, German, French and Dutch, with their
 * usual abbreviations, folded (no accents, lower case) as the date reader compares them.
 */
import { foldText } from "./text.js";

const NAMES_BY_MONTH: readonly string[][] = [
  ["styczen", "stycznia", "sty", "january", "jan", "januar", "janner", "jaenner", "janvier", "janv", "januari"],
  ["luty", "lutego", "lut", "february", "feb", "februar", "feber", "fevrier", "fevr", "fev", "februari"],
  ["marzec", "marca", "mar", "march", "marz", "maerz", "mrz", "mars", "maart", "mrt"],
  ["kwiecien", "kwietnia", "kwi", "april", "apr", "avril", "avr"],
  ["maj", "maja", "may", "mai", "mei"],
  ["czerwiec", "czerwca", "cze", "june", "jun", "juni", "juin"],
  ["lipiec", "lipca", "lip", "july", "jul", "juli", "juillet", "juil"],
  ["sierpien", "sierpnia", "sie", "august", "aug", "aout", "augustus"],
  ["wrzesien", "wrzesnia", "wrz", "september", "sep", "sept", "septembre"],
  ["pazdziernik", "pazdziernika", "paz", "october", "oct", "oktober", "okt", "octobre"],
  ["listopad", "listopada", "lis", "november", "nov", "novembre"],
  ["grudzien", "grudnia", "gru", "december", "dec", "dezember", "dez", "decembre"],
];

const MONTH_BY_NAME = new Map<string, number>();
NAMES_BY_MONTH.forEach((names, i) => {
  for (const name of names) MONTH_BY_NAME.set(name, i + 1);
});

/** Any month name, longest first so "marca" is not read as "mar" + "ca"; whole words only. */
export const MONTH_NAME_PATTERN = `(?:${[...MONTH_BY_NAME.keys()].sort((a, b) => b.length - a.length).join("|")})(?![a-z])`;

/** The month (1–12) a name or abbreviation stands for, in any of the four languages, or null. */
export function monthNumber(name: string): number | null {
  return MONTH_BY_NAME.get(foldText(name).replace(/\.$/, "")) ?? null;
}

const ROMAN_MONTHS = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"];

/** Roman-numeral months as Polish dates print them ("5 III 2024"), whole words only. */
export const ROMAN_MONTH_PATTERN = `(?:${[...ROMAN_MONTHS].sort((a, b) => b.length - a.length).join("|")})(?![a-z])`;

export function romanMonth(text: string): number | null {
  const index = ROMAN_MONTHS.indexOf(text.toLowerCase());
  return index < 0 ? null : index + 1;
}
