/**
 * Polish scans generated from known text for bench:ocr: lines with every Polish diacritic
 * (ą ć ę ł ń ó ś ź ż, upper and lower case) set in the system's DejaVu and Liberation faces
 * (fontconfig, through sharp's SVG renderer) at 10 and 12 pt, rendered at 300 and 150 DPI,
 * clean and degraded (blur, noise, JPEG at quality 40, as a cheap office scanner or a fax
 * gateway leaves them). Read with languages pol+eng; CER per resolution.
 */
import sharp from "sharp";
import type { RasterImage } from "../src/imaging/raster.js";

export const POLISH_LINES = [
  "Faktura VAT nr 12/2024 z dnia 15 marca 2024 r.",
  "Sprzedawca: Przedsiębiorstwo Handlowe Żółw sp. z o.o.",
  "ul. Źródlana 7, 80-298 Gdańsk, NIP 584-025-36-12",
  "Nabywca: Łukasz Wąsowicz, ul. Ślężna 114/3, Wrocław",
  "Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.",
  "Usługa transportowa – 3 szt. × 249,99 zł = 749,97 zł",
  "Termin płatności: 14 dni, przelew na rachunek bankowy",
  "Dziękujemy za zakupy! Zapraszamy ponownie.",
];

export const POLISH_FONTS = ["DejaVu Sans", "DejaVu Serif", "Liberation Sans", "Liberation Serif", "Liberation Mono"];

export interface PolishScan {
  id: string;
  dpi: number;
  image: RasterImage;
  truth: string;
}

const escapeXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

async function render(font: string, pt: number, dpi: number, degraded: boolean): Promise<RasterImage> {
  const px = (pt * dpi) / 72;
  const lineHeight = px * 1.6;
  const margin = Math.round(dpi / 3);
  const width = Math.round(8.27 * dpi);
  const height = Math.round(margin * 2 + lineHeight * POLISH_LINES.length);
  const text = POLISH_LINES.map(
    (line, i) =>
      `<text x="${margin}" y="${(margin + px + i * lineHeight).toFixed(1)}" font-family="${font}" font-size="${px.toFixed(1)}">${escapeXml(line)}</text>`,
  ).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${text}</svg>`;
  const pipeline = sharp(Buffer.from(svg)).flatten({ background: "#ffffff" }).toColourspace("b-w");
  if (!degraded) {
    const png = await pipeline.png().toBuffer();
    return { png, width, height, dpi };
  }
  // Degraded: blur, a grey paper tone with noise, JPEG at quality 40.
  const { data, info } = await pipeline
    .blur(dpi / 300)
    .raw()
    .toBuffer({ resolveWithObject: true });
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const noise = ((seed >> 16) % 41) - 20;
    data[i] = Math.max(0, Math.min(255, Math.round(data[i]! * 0.85 + 20 + noise)));
  }
  const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
    .jpeg({ quality: 40 })
    .toBuffer();
  const png = await sharp(jpeg).toColourspace("b-w").png().toBuffer();
  return { png, width, height, dpi };
}

/** Every font × size × quality at each DPI. */
export async function polishScans(dpis: readonly number[] = [300, 150]): Promise<PolishScan[]> {
  const scans: PolishScan[] = [];
  for (const dpi of dpis)
    for (const font of POLISH_FONTS)
      for (const pt of [10, 12])
        for (const degraded of [false, true])
          scans.push({
            id: `${font} ${pt}pt ${degraded ? "degraded" : "clean"} ${dpi}dpi`,
            dpi,
            image: await render(font, pt, dpi, degraded),
            truth: POLISH_LINES.join("\n"),
          });
  return scans;
}
