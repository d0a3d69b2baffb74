import { formatDate, formatDateTime } from '../time/dates.js';
import { escapeMarkdownCell, escapeMarkdownInline } from './escape.js';
import { methodology } from './methodology.js';
import type { ReportModel } from './ReportModel.js';
import { headline, riskTable, thresholdRows } from './riskRows.js';
import {
  bucketEmptyText,
  bucketTitle,
  changeLines,
  chartCaption,
  dataIssuesTable,
  errorBudgetsTable,
  groupsTable,
  modelsTable,
  ordersTable,
  pullIssuesTable,
  quarterTable,
  reclaimTable,
  scenarioLines,
  scenariosTable,
  summaryLead,
  summaryTable,
  type TextTable,
} from './sections.js';

/** The report as GitHub-flavoured Markdown. */
export function renderMarkdown(model: ReportModel): string {
  const tz = model.timeZone;
  const out: string[] = [];
  const text = (s: string) => escapeMarkdownInline(s);
  out.push(`# ${text(model.title)}`, '');
  out.push(
    text(
      `Generated ${formatDateTime(model.generatedAtMs, tz)} ${tz} · period ${model.period.label}` +
        (model.run
          ? ` · forecast run #${model.run.runId} on data up to ${formatDateTime(model.run.asOfMs, tz)} · horizon to ${formatDate(model.run.horizonEndMs, tz)}`
          : '') +
        ` · all dates ${tz}`,
    ),
    '',
  );
  if (!model.run) {
    out.push('No forecast run found in this database: run `capplan demo` or `capplan forecast` first.', '');
    return out.join('\n');
  }
  for (const n of model.notices) out.push(`> **Note:** ${text(n)}`, '');
  out.push('## Executive summary', '', `**${text(headline(model))}.**`, '', text(summaryLead(model)), '');
  model.summary.buckets.forEach((b, i) => {
    out.push(`### ${text(bucketTitle(model, b, i))}`, '');
    out.push(b.items.length > 0 ? table(summaryTable(model, b)) : `${text(bucketEmptyText(model, b, i))}\n`);
  });
  out.push('## What to order, by when', '');
  if (model.orders.length === 0) out.push(text(`Nothing to order: every resource keeps its target headroom through ${formatDate(model.run.horizonEndMs, tz)}.`), '');
  else out.push(text('Amounts keep the plan\'s target headroom through the horizon; order by = needed by minus the lead time.'), '', table(ordersTable(model)));
  out.push('## What changed since the last report', '');
  const changes = changeLines(model);
  if (changes === null) out.push('No earlier forecast run to compare with.', '');
  else out.push(text(changes[0]), '', ...changes.slice(1).map((l) => `- ${text(l)}`), ...(changes.length > 1 ? [''] : []));
  out.push(`## Headroom by ${text(model.groups.label ?? 'resource')}`, '', table(groupsTable(model)));
  if (model.charts.length > 0) {
    out.push('## Charts of the resources most at risk', '', 'The HTML report draws these; here are their key facts.', '');
    for (const c of [...model.charts, ...model.groupCharts]) out.push(`- ${text(chartCaption(model, c))}`);
    out.push('');
  }
  out.push(
    '## Resources, soonest to exhaust first',
    '',
    'Dates are when usage is forecast to reach capacity: the median (p50) and the 80% interval (p10 is the earliest plausible date). ' +
      'Resources are ranked by the earliest plausible date.',
    '',
  );
  out.push(table(riskTable(model)));
  if (model.quarters.length > 0) {
    out.push('## Headroom per quarter', '', text(`Conservative headroom (capacity minus the quarter's peak at the 80% band's upper edge), as capplan headroom prints it; * the forecast ends inside the quarter.`), '', table(quarterTable(model)));
  }
  const th = thresholdRows(model);
  if (th.columns.length > 3 && th.rows.length > 0) out.push('## Thresholds (median date each is reached)', '', table(th));
  if (model.scenarios.length > 0) out.push('## Scenarios', '', ...scenarioLines(model).map((l) => `- ${text(l)}`), '', table(scenariosTable(model)));
  if (model.reclaimable.length > 0) {
    out.push('## Reclaimable capacity', '', text('Resources whose forecast peak (p90) stays below half their capacity through the horizon; right-sizing keeps the target headroom at that peak.'), '', table(reclaimTable(model)));
  }
  if (model.errorBudgets.length > 0) out.push('## Error budgets', '', table(errorBudgetsTable(model)));
  out.push('## Methodology and data quality', '');
  for (const line of methodology(model)) out.push(`- ${text(line)}`);
  out.push('', '### Models', '', table(modelsTable(model)));
  const issues = dataIssuesTable(model);
  if (issues.rows.length > 0) out.push('### Series with gaps, partial data or fallbacks', '', table(issues));
  const pulls = pullIssuesTable(model);
  if (pulls.rows.length > 0) out.push('### Partial and failed pulls', '', table(pulls));
  return out.join('\n');
}

function table(t: TextTable): string {
  const head = `| ${t.columns.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${t.columns.map(() => '---').join('|')}|`;
  const body = t.rows.map((r) => `| ${r.map(escapeMarkdownCell).join(' | ')} |`);
  return [head, rule, ...body, ''].join('\n');
}
