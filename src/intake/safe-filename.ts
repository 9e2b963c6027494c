import { extensionFor, SUPPORTED_MIME_TYPES, type SupportedMimeType } from "./sniff-type.js";

/**
 * A file name that is safe to show, to put in a Content-Disposition header and to use as the
 * last segment of a path on any common filesystem. Docket never stores files under a
 * client's name (blobs are content-addressed); this name is for display and downloads only.
 * The client's original name is kept verbatim as metadata.
 */

export interface SafeFilenameOptions {
  /**
   * The sniffed type. When given, the extension is made to agree with the content: a
   * wrong extension of another supported type is replaced ("scan.pdf" holding a PNG →
   * "scan.png"), any other is kept and the right one appended ("x.exe" → "x.exe.png").
   */
  mimeType?: SupportedMimeType | undefined;
  /** Maximum length in UTF-8 bytes (filesystems allow 255; leave room for suffixes). */
  maxBytes?: number;
  /** Base name used when nothing usable is left (e.g. the name was "../../"). */
  fallback?: string;
}

const DEFAULT_MAX_BYTES = 200;
const DEFAULT_FALLBACK = "document";
const MAX_EXTENSION_LENGTH = 10;

// C0/C1 controls and DEL; bidi overrides and isolates (they make "evil\u202Egpj.exe" read as
// "evilexe.jpg"); zero-width characters and the BOM (invisible look-alikes).
// Also the Arabic letter mark, line/paragraph separators, the Mongolian vowel separator and
// interlinear annotation marks: every Bidi_Control character and every other invisible format one.
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
// Characters Windows forbids in names (path separators were already split off).
const FORBIDDEN = /[<>:"|?*]/g;
// Device names Windows reserves with any extension ("con.txt" too).
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

const EXTENSIONS_OF_SUPPORTED_TYPES = new Set([
  ...SUPPORTED_MIME_TYPES.map((m) => extensionFor(m)),
  ".jpeg",
  ".jpe",
  ".jfif",
  ".tiff",
]);

const ALTERNATIVE_EXTENSIONS: Partial<Record<SupportedMimeType, string[]>> = {
  "image/jpeg": [".jpeg", ".jpe", ".jfif"],
  "image/tiff": [".tiff"],
};

function splitExtension(name: string): { base: string; ext: string } {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return { base: name, ext: "" };
  const ext = name.slice(dot);
  if (ext.length > MAX_EXTENSION_LENGTH || !/^\.[\p{L}\p{N}_-]+$/u.test(ext)) return { base: name, ext: "" };
  return { base: name.slice(0, dot), ext };
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Cut to at most `maxBytes` UTF-8 bytes on a code point boundary. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let out = "";
  for (const ch of text) {
    if (utf8Length(out + ch) > maxBytes) break;
    out += ch;
  }
  return out;
}

function tidy(text: string): string {
  return (
    text
      .replace(INVISIBLE, "")
      .replace(FORBIDDEN, "_")
      .replace(/\s+/gu, " ")
      // Leading dots hide files (".htaccess"); trailing dots and spaces are dropped by Windows.
      .replace(/^[\s.]+|[\s.]+$/gu, "")
  );
}

function fixExtension(base: string, ext: string, mime: SupportedMimeType | undefined): { base: string; ext: string } {
  if (mime === undefined) return { base, ext };
  const canonical = extensionFor(mime);
  const lower = ext.toLowerCase();
  if (lower === canonical || ALTERNATIVE_EXTENSIONS[mime]?.includes(lower)) return { base, ext };
  if (ext === "" || EXTENSIONS_OF_SUPPORTED_TYPES.has(lower)) return { base, ext: canonical };
  return { base: base + ext, ext: canonical };
}

/** See the module comment. Never throws; always returns a non-empty name. */
/** Longest display name kept, in UTF-8 bytes (a name is metadata, not a document). */
const MAX_DISPLAY_BYTES = 1024;

/**
 * The client's file name as Docket stores and shows it: unchanged except that control,
 * bidi and invisible format characters are removed (U+202E would make "evil\u202Egpj.exe"
 * display as "evilexe.jpg" in the web UI, a terminal or a CSV), whitespace runs become one
 * space, and it is cut to 1 KiB. Unlike safeFilename it keeps separators and punctuation:
 * it is never used as a path. Null when nothing visible is left.
 */
export function displayFilename(original: string | null | undefined): string | null {
  if (original === null || original === undefined) return null;
  const shown = truncateUtf8(
    original
      .replace(/\ufeff/g, "")
      .replace(/\s+/gu, " ")
      .replace(INVISIBLE, "")
      .trim(),
    MAX_DISPLAY_BYTES,
  );
  return shown === "" ? null : shown;
}

export function safeFilename(original: string | null | undefined, options: SafeFilenameOptions = {}): string {
  const maxBytes = Math.max(16, options.maxBytes ?? DEFAULT_MAX_BYTES);
  let name = (original ?? "").normalize("NFC");
  // Only the last path segment counts, whichever separator the client's OS used.
  name = name.split(/[\\/]/).pop() ?? "";
  // A drive-relative name ("C:evil.pdf") after removing separators.
  name = name.replace(/^[A-Za-z]:/, "");
  name = tidy(name);

  let { base, ext } = splitExtension(name);
  base = tidy(base);
  if (base === "") base = tidy(options.fallback ?? DEFAULT_FALLBACK) || DEFAULT_FALLBACK;
  if (RESERVED.test(base) || RESERVED.test(base.split(".")[0] ?? "")) base = `_${base}`;
  ({ base, ext } = fixExtension(base, ext, options.mimeType));

  const room = maxBytes - utf8Length(ext);
  base = truncateUtf8(base, room).replace(/[\s.]+$/u, "");
  if (base === "") base = DEFAULT_FALLBACK;
  return base + ext;
}
