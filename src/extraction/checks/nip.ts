/**
 * The Polish tax id (NIP): ten digits, the last a mod-11 check digit over the first nine with
 * weights 6 5 7 2 3 4 5 6 7. A remainder of 10 means no valid NIP has those nine digits.
 */
const WEIGHTS = [6, 5, 7, 2, 3, 4, 5, 6, 7];

/** The ten digits of a printed NIP ("PL 774-00-01-454" → "7740001454"), or null when it has not ten. */
export function nipDigits(value: string): string | null {
  const digits = value.replace(/^\s*PL/i, "").replace(/[\s\-.]/g, "");
  return /^\d{10}$/.test(digits) ? digits : null;
}

export function isValidNip(value: string): boolean {
  const digits = nipDigits(value);
  if (digits === null || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * WEIGHTS[i]!;
  const check = sum % 11;
  return check !== 10 && check === Number(digits[9]);
}
