/**
 * Text shapes that mark structure, shared by layout analysis (text-layer pages) and the
 * Markdown export (which must also recognise them on OCR pages).
 */

/** A bullet glyph or dash used as a bullet, alone as the first word. */
export const BULLET_WORD = /^[•◦▪▫■□●○◆◇►▸‣⁃∙·*–—-]$/u;

/** "1." "1)" "12." "a)" "(iv)" "IV." at the start of a line, alone as the first word. */
export const ENUMERATOR_WORD = /^(?:\(?(?:\d{1,3}|[a-z]|[ivxlc]{1,6})[.)]|\((?:\d{1,3}|[a-z]|[ivxlc]{1,6})\))$/iu;

/** The list marker a line starts with, when its first word is a bullet or an enumerator. */
export function listMarker(firstWord: string | undefined): { kind: "bullet" | "number"; marker: string } | null {
  if (firstWord === undefined) return null;
  if (BULLET_WORD.test(firstWord)) return { kind: "bullet", marker: firstWord };
  if (ENUMERATOR_WORD.test(firstWord)) return { kind: "number", marker: firstWord };
  // A bullet glued to its word ("•Item"): common in PDFs without a space after the glyph.
  const glued = /^([•◦▪■●○►▸‣∙])(\S.*)$/u.exec(firstWord);
  if (glued?.[1]) return { kind: "bullet", marker: glued[1] };
  return null;
}
