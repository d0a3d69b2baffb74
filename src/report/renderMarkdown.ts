import { formatDate, formatDateTime } from './dates.js';
import { escapeMarkdownCell, escapeMarkdownInline } from './escape.js';
import { methodology } from './methodology.js';
import type { ReportModel } from './ReportModel.js';
import { headline, RISK_COLUMNS, riskRows, thresholdRows } from './riskRows.js';

/** The report as GitHub-flavoured Markdown. */
export function renderMarkdown(model: ReportModel): string {
  const tz = model.timeZone;
  const out: string[] = [];
  out.push(`# ${escapeMarkdownInline(model.title)}`, '');
  out.push(
    `Generated ${formatDateTime(model.generatedAtMs, tz)} ${tz}` +
      (model.run
        ? ` · forecast run #${model.run.runId} on data up to ${formatDateTime(model.run.asOfMs, tz)} · horizon to ${formatDate(model.run.horizonEndMs, tz)}`
        : '') +
      ` · all dates ${tz}`,
    '',
  );
  if (!model.run) {
    out.push('No forecast run found in this database: run `capplan demo` or `capplan forecast` first.', '');
    return out.join('\n');
  }
  out.push('## Summary', '', `**${escapeMarkdownInline(headline(model))}.**`, '');
  out.push(
    `Dates are when usage is forecast to reach capacity: the median (p50) and the 80% interval (p10 is the earliest plausible date). ` +
      `Resources are ranked by the earliest plausible date.`,
    '',
  );
  out.push('## Resources, soonest to exhaust first', '');
  out.push(table(RISK_COLUMNS, riskRows(model).map((r) => [String(r.rank), r.resource, r.name, r.usage, r.capacity, r.headroom, r.full, r.interval, r.model, r.data])));
  const th = thresholdRows(model);
  if (th.columns.length > 2) {
    out.push('## Thresholds (median date each is reached)', '');
    out.push(table(th.columns, th.rows));
  }
  out.push('## Methodology and data quality', '');
  for (const line of methodology(model)) out.push(`- ${escapeMarkdownInline(line)}`);
  out.push('');
  return out.join('\n');
}

function table(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `| ${columns.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${columns.map(() => '---').join('|')}|`;
  const body = rows.map((r) => `| ${r.map(escapeMarkdownCell).join(' | ')} |`);
  return [head, rule, ...body, ''].join('\n');
}
