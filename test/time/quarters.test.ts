import { describe, expect, it } from 'vitest';
import { nextPeriod, parseRange, quarterPeriod } from '../../src/time/periods.js';
import { parseQuarter, quarterOf, quartersFrom } from '../../src/time/quarters.js';
import { DAY } from '../../src/time/constants.js';

const UTC = { fiscalYearStartMonth: 1, timeZone: 'UTC' };
const APRIL = { fiscalYearStartMonth: 4, timeZone: 'UTC' };
const iso = (ms: number) => new Date(ms).toISOString();

describe('quarters: one calendar for headroom, reports and CSV input', () => {
  it('calendar and fiscal quarters in UTC', () => {
    expect(quarterOf(Date.UTC(2026, 10, 24), UTC)).toEqual({ label: '2026-Q4', startMs: Date.UTC(2026, 9, 1), endMs: Date.UTC(2027, 0, 1) });
    // Fiscal year from April, named by the year it ends in: Nov 2026 is FY2027-Q3, Jan–Mar 2027 is FY2027-Q4.
    expect(quarterOf(Date.UTC(2026, 10, 24), APRIL)).toEqual({ label: 'FY2027-Q3', startMs: Date.UTC(2026, 9, 1), endMs: Date.UTC(2027, 0, 1) });
    expect(quarterOf(Date.UTC(2027, 1, 3), APRIL)).toEqual({ label: 'FY2027-Q4', startMs: Date.UTC(2027, 0, 1), endMs: Date.UTC(2027, 3, 1) });
    expect(quarterOf(Date.UTC(2027, 3, 1), APRIL).label).toBe('FY2028-Q1');
    // A fiscal year starting in February: January belongs to the quarter that began in November.
    expect(quarterOf(Date.UTC(2027, 0, 15), { fiscalYearStartMonth: 2, timeZone: 'UTC' })).toEqual({ label: 'FY2027-Q4', startMs: Date.UTC(2026, 10, 1), endMs: Date.UTC(2027, 1, 1) });
    expect(quartersFrom(Date.UTC(2026, 10, 24), 3, UTC).map((q) => q.label)).toEqual(['2026-Q4', '2027-Q1', '2027-Q2']);
    expect(quartersFrom(Date.UTC(2026, 10, 24), 3, APRIL).map((q) => q.label)).toEqual(['FY2027-Q3', 'FY2027-Q4', 'FY2028-Q1']);
  });

  it('parses calendar and fiscal labels back to the same quarter; null when not a quarter', () => {
    expect(parseQuarter('2027-Q1', UTC)).toEqual({ label: '2027-Q1', startMs: Date.UTC(2027, 0, 1), endMs: Date.UTC(2027, 3, 1) });
    expect(parseQuarter('FY2027-Q1', APRIL)?.startMs).toBe(Date.UTC(2026, 3, 1));
    expect(parseQuarter('FY2027-Q4', APRIL)).toEqual(quarterOf(Date.UTC(2027, 1, 3), APRIL));
    for (const ms of [Date.UTC(2026, 5, 30), Date.UTC(2027, 11, 31, 23)]) {
      const q = quarterOf(ms, APRIL);
      expect(parseQuarter(q.label, APRIL)).toEqual(q);
    }
    expect(parseQuarter('2027-Q5', UTC)).toBeNull();
    expect(parseQuarter('next quarter', UTC)).toBeNull();
    expect(() => quarterOf(0, { fiscalYearStartMonth: 13, timeZone: 'UTC' })).toThrow(RangeError);
  });

  it('boundaries are local midnight in the zone, fiscal years included', () => {
    // 2026-12-31T23:30Z is already 2027-01-01 in Berlin.
    const q = quarterOf(Date.UTC(2026, 11, 31, 23, 30), { fiscalYearStartMonth: 1, timeZone: 'Europe/Berlin' });
    expect([q.label, iso(q.startMs), iso(q.endMs)]).toEqual(['2027-Q1', '2026-12-31T23:00:00.000Z', '2027-03-31T22:00:00.000Z']);
    expect(quarterOf(Date.UTC(2026, 11, 31, 23, 30), UTC).label).toBe('2026-Q4');
    const f = quarterOf(Date.UTC(2027, 2, 31, 22, 30), { fiscalYearStartMonth: 4, timeZone: 'Europe/Berlin' });
    expect(f.label).toBe('FY2028-Q1');
    expect(iso(f.startMs)).toBe('2027-03-31T22:00:00.000Z');
  });

  it('periods: ranges of whole days and the next period', () => {
    const q = quarterPeriod(Date.UTC(2027, 4, 1), UTC);
    const r = parseRange('2027-01-01', '2027-01-31', 'UTC');
    expect(r && [r.label, (r.endMs - r.startMs) / DAY]).toEqual(['2027-01-01 – 2027-01-31', 31]);
    expect(parseRange('2027-02-30', '2027-03-01', 'UTC')).toBeNull();
    expect(parseRange('2027-03-01', '2027-02-01', 'UTC')).toBeNull();
    expect(nextPeriod(q, UTC).label).toBe('2027-Q3');
    expect(nextPeriod(quarterPeriod(Date.UTC(2027, 1, 1), APRIL), APRIL).label).toBe('FY2028-Q1');
    expect(nextPeriod(r!, UTC).label).toBe('2027-02-01 – 2027-03-03');
  });
});
