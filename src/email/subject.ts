import { oneLine } from '../report/names.js';
import { lastDay } from '../time/periods.js';
import type { ReportModel, SummaryItem } from '../report/ReportModel.js';
import { otherRisks } from '../report/riskRows.js';

const MAX = 180;

/**
 * The subject line: how many resources are at risk by the end of the period and
 * the soonest one, e.g. "3 resources exhaust before 2027-03-31: db-7 /data on Mar 2".
 */
export function reportSubject(model: ReportModel): string {
  if (!model.run) return `${model.title}: no forecast data`;
  const [now, next] = model.summary.buckets;
  const by = lastDay(model.period, model.timeZone);
  let text: string;
  if (now && now.items.length > 0) {
    const n = now.items.length;
    text = `${n} resource${n === 1 ? '' : 's'} exhaust${n === 1 ? 's' : ''} before ${by}: ${when(now.items[0], model, by)}`;
  } else if (next && next.items.length > 0) {
    text = `No resource exhausts before ${by}; ${next.items.length} at risk in ${next.label}: ${when(next.items[0], model, by)}`;
  } else {
    text = `No resource exhausts before ${by}`;
  }
  const extra = otherRisks(model);
  if (extra.length > 0) text = `${text}; ${extra.join(', ')}`;
  const line = oneLine(text);
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

function when(item: SummaryItem, model: ReportModel, by: string): string {
  if (item.status === 'past') return `${item.shortName} already full`;
  const ms = item.p50Ms ?? item.p10Ms;
  if (ms === null) return item.shortName;
  const sameYear = new Intl.DateTimeFormat('en-CA', { timeZone: model.timeZone, year: 'numeric' }).format(ms) === by.slice(0, 4);
  const date = new Intl.DateTimeFormat('en-US', { timeZone: model.timeZone, month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) }).format(ms);
  return `${item.shortName} on ${date}`;
}
