/** Global threshold between ink and paper, shared by skew analysis and page measurement. */

/** Otsu's threshold over a 256-bin histogram of grey values. */
export function otsuThreshold(pixels: Uint8Array): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < pixels.length; i++) hist[pixels[i]!]! += 1;
  const total = pixels.length;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) sumAll += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}
