/**
 * Quarter names as text, with no time-zone library: `parseTimestamp` (loaded
 * at CLI start-up) reads `2026-Q1` through this, while time/quarters.ts (which
 * brings @date-fns/tz) places quarters in a zone and a fiscal calendar.
 */

/** The year and quarter number `2027-Q1` or `FY2027-Q1` names (case-insensitive, the dash optional); null when it names none. */
export function readQuarterText(text: string): { readonly year: number; readonly quarter: 1 | 2 | 3 | 4 } | null {
  const m = /^(FY)?(\d{4})-?Q([1-4])$/i.exec(text.trim());
  return m ? { year: Number(m[2]), quarter: Number(m[3]) as 1 | 2 | 3 | 4 } : null;
}
