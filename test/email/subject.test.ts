import { describe, expect, it } from 'vitest';
import { reportSubject } from '../../src/email/subject.js';
import type { ReportModel, SummaryItem } from '../../src/report/ReportModel.js';
import { quarterPeriod } from '../../src/time/periods.js';

const TZ = 'UTC';
const period = quarterPeriod(Date.UTC(2027, 0, 1), { fiscalYearStartMonth: 1, timeZone: TZ });
const next = quarterPeriod(Date.UTC(2027, 3, 1), { fiscalYearStartMonth: 1, timeZone: TZ });
const item = (shortName: string, p50: string | null, status: SummaryItem['status'] = 'within'): SummaryItem => ({
  seriesId: shortName, shortName, name: shortName, resource: 'disk', status, p10Ms: null, p50Ms: p50 === null ? null : Date.parse(p50), p90Ms: null, headroomRatio: 0.1, action: '',
});
const model = (now: SummaryItem[], later: SummaryItem[] = []): ReportModel =>
  ({
    title: 'Capacity headroom report',
    timeZone: TZ,
    period,
    run: { runId: 1 },
    summary: { buckets: [{ ...period, items: now }, { ...next, items: later }] },
  }) as unknown as ReportModel;

describe('email subject', () => {
  it('counts what is at risk by the end of the period and names the soonest', () => {
    expect(reportSubject(model([item('db-7 /data', '2027-03-02T12:00:00Z'), item('b', null), item('c', null)]))).toBe('3 resources exhaust before 2027-03-31: db-7 /data on Mar 2');
    expect(reportSubject(model([item('db-7 /data', '2026-12-30T00:00:00Z')]))).toBe('1 resource exhausts before 2027-03-31: db-7 /data on Dec 30, 2026');
    expect(reportSubject(model([item('full-01', null, 'past')]))).toBe('1 resource exhausts before 2027-03-31: full-01 already full');
    expect(reportSubject(model([], [item('x', '2027-05-01T00:00:00Z')]))).toBe('No resource exhausts before 2027-03-31; 1 at risk in 2027-Q2: x on May 1');
    expect(reportSubject(model([]))).toBe('No resource exhausts before 2027-03-31');
    expect(reportSubject({ ...model([]), run: null })).toBe('Capacity headroom report: no forecast data');
  });

  it('counts late orders, critical thresholds and error budgets too, not only "full"', () => {
    const counts = { full: 0, lateOrders: 1, ordersDue: 0, critical: 1, budgetsSpent: 1, budgetsBurning: 0 };
    const m = model([]);
    expect(reportSubject({ ...m, summary: { ...m.summary, counts } })).toBe('No resource exhausts before 2027-03-31; 1 late order, 1 series at or near critical, 1 error budget spent');
  });

  it('stays one line and bounded, whatever the labels hold', () => {
    const s = reportSubject(model([item(`evil\r\nBcc: x@y ${'z'.repeat(300)}`, '2027-03-02T00:00:00Z')]));
    expect(s).not.toMatch(/[\r\n]/);
    expect(s.length).toBeLessThanOrEqual(180);
  });
});
