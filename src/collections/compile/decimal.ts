/**
 * Exact sums of the fields' amounts (decimal strings such as "1234.56"): binary floating
 * point would turn 300 invoices' totals into 12345.670000000002. Amounts are held as BigInt
 * counts of 1/10,000 of the unit, enough for every currency's minor unit and for unit prices.
 */
const SCALE = 4;
const FACTOR = 10n ** BigInt(SCALE);

/** The amount in 1/10,000 units, or null when it is not a plain decimal. */
export function parseAmount(value: string | null | undefined): bigint | null {
  if (!value) return null;
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return null;
  const fraction = (m[3] ?? "").slice(0, SCALE).padEnd(SCALE, "0");
  const units = BigInt(m[2]!) * FACTOR + BigInt(fraction);
  return m[1] ? -units : units;
}

/** Back to a decimal string with at least two decimals ("1234.5" → "1234.50"). */
export function formatAmount(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / FACTOR;
  let fraction = (abs % FACTOR).toString().padStart(SCALE, "0").replace(/0+$/, "");
  if (fraction.length < 2) fraction = fraction.padEnd(2, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}
