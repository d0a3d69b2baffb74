import { formatDate, formatDateTime } from '../time/dates.js';
import { escapeHtml } from './escape.js';
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

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;margin:2rem auto;max-width:1200px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h3{font-size:1rem;margin-top:1.2rem}
.meta{color:#59636e}.headline{font-size:1.1rem;font-weight:600}.notice{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5rem .75rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:normal;word-break:normal;hyphens:none}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}
tr.past td{background:#ffebe9}tr.critical td:first-child{border-left:4px solid #bc4c00}tr.within td:first-child{border-left:4px solid #d1242f}tr.beyond_horizon td:first-child{border-left:4px solid #1a7f37}
tr.total td{font-weight:600;background:#f6f8fa}
td.num,th.num{text-align:right;white-space:nowrap}
.wide{overflow-x:auto}.nw{white-space:nowrap}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:1rem}
figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;break-inside:avoid}
figure svg{max-width:100%;height:auto;display:block}figcaption{color:#59636e;font-size:.85rem;margin-top:.25rem}
@media print{body{margin:0;max-width:none;font-size:11px}h2,h3{break-after:avoid}tr,figure{break-inside:avoid}thead{display:table-header-group}.wide{overflow:visible}.charts{grid-template-columns:1fr 1fr}}
`;

/** The report as one self-contained HTML page (no external resources, no scripts); charts are inline SVG. */
export function renderHtml(model: ReportModel): string {
  const tz = model.timeZone;
  const e = escapeHtml;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8">`);
  parts.push(`<meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>${e(model.title)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>${e(model.title)}</h1>`);
  const meta =
    `Generated ${formatDateTime(model.generatedAtMs, tz)} ${tz} · period ${model.period.label}` +
    (model.run
      ? ` · forecast run #${model.run.runId} on data up to ${formatDateTime(model.run.asOfMs, tz)} · horizon to ${formatDate(model.run.horizonEndMs, tz)}`
      : '') +
    ` · all dates ${tz}`;
  parts.push(`<p class="meta">${e(meta)}</p>`);
  if (!model.run) {
    parts.push(`<p>No forecast run found in this database: run <code>capplan demo</code> or <code>capplan forecast</code> first.</p></body></html>`);
    return parts.join('\n') + '\n';
  }
  for (const n of model.notices) parts.push(`<p class="notice">${e(n)}</p>`);

  parts.push(`<section id="summary"><h2>Executive summary</h2><p class="headline">${e(headline(model))}.</p><p>${e(summaryLead(model))}</p>`);
  model.summary.buckets.forEach((b, i) => {
    parts.push(`<h3>${e(bucketTitle(model, b, i))}</h3>`);
    parts.push(b.items.length > 0 ? table(summaryTable(model, b), { id: `bucket-${i + 1}`, rowClass: b.items.map((x) => x.status) }) : `<p>${e(bucketEmptyText(model, b, i))}</p>`);
  });
  parts.push(`</section>`);

  parts.push(`<section id="orders"><h2>What to order, by when</h2>`);
  if (model.orders.length === 0) parts.push(`<p>${e(`Nothing to order: every resource keeps its target headroom through ${formatDate(model.run.horizonEndMs, tz)}.`)}</p>`);
  else {
    parts.push(`<p>Amounts keep the plan's target headroom through the horizon; order by = needed by minus the lead time.</p>`);
    parts.push(table(ordersTable(model), { id: 'order-table', rowClass: model.orders.map((o) => (o.late ? 'past' : '')) }));
  }
  parts.push(`</section>`);

  parts.push(`<section id="changes"><h2>What changed since the last report</h2>`);
  const changes = changeLines(model);
  if (changes === null) parts.push(`<p>No earlier forecast run to compare with.</p>`);
  else {
    parts.push(`<p>${e(changes[0])}</p>`);
    if (changes.length > 1) parts.push(`<ul>${changes.slice(1).map((l) => `<li>${e(l)}</li>`).join('')}</ul>`);
  }
  parts.push(`</section>`);

  const groups = groupsTable(model);
  const totals = model.groups.total.length;
  parts.push(`<section id="groups"><h2>Headroom by ${e(model.groups.label ?? 'resource')}</h2>`);
  parts.push(table(groups, { id: 'group-table', numeric: numericColumns(groups.columns), rowClass: groups.rows.map((_, i) => (i >= groups.rows.length - totals && model.groups.label !== null ? 'total' : '')) }));
  parts.push(`</section>`);

  if (model.charts.length > 0) {
    parts.push(`<section id="charts"><h2>Charts of the resources most at risk</h2><div class="charts">`);
    for (const c of model.charts) {
      parts.push(`<figure class="chart" data-series-id="${e(c.seriesId)}">${c.svg}<figcaption>${e(chartCaption(model, c))}</figcaption></figure>`);
    }
    parts.push(`</div>`);
    if (model.groupCharts.length > 0) {
      parts.push(`<h3>Pools at risk, members summed</h3><div class="charts">`);
      for (const c of model.groupCharts) parts.push(`<figure class="chart group-chart" data-series-id="${e(c.seriesId)}">${c.svg}<figcaption>${e(chartCaption(model, c))}</figcaption></figure>`);
      parts.push(`</div>`);
    }
    parts.push(`</section>`);
  }

  parts.push(`<section id="resources"><h2>Resources, soonest to exhaust first</h2>`);
  parts.push(
    `<p>Dates are when usage is forecast to reach capacity: the median (p50) and the 80% interval (p10 is the earliest plausible date). Resources are ranked by the earliest plausible date.</p>`,
  );
  const risks = riskTable(model);
  parts.push(table(risks, { id: 'risks', numeric: risks.numeric, rowClass: risks.status }));
  if (model.quarters.length > 0) {
    parts.push(`<h3>Headroom per quarter</h3><p>Conservative headroom (capacity minus the quarter's peak at the 80% band's upper edge), as <code>capplan headroom</code> prints it; * the forecast ends inside the quarter.</p>`);
    const qt = quarterTable(model);
    parts.push(table(qt, { id: 'quarters', numeric: new Set(qt.columns.map((_, i) => i).filter((i) => i >= 2)) }));
  }
  const th = thresholdRows(model);
  if (th.columns.length > 3 && th.rows.length > 0) parts.push(`<h3>Thresholds (median date each is reached)</h3>${table(th, { id: 'thresholds' })}`);
  parts.push(`</section>`);

  if (model.scenarios.length > 0) {
    parts.push(`<section id="scenarios"><h2>Scenarios</h2><ul>${scenarioLines(model).map((l) => `<li>${e(l)}</li>`).join('')}</ul>${table(scenariosTable(model), { id: 'scenario-table' })}</section>`);
  }
  if (model.reclaimable.length > 0) {
    parts.push(`<section id="reclaimable"><h2>Reclaimable capacity</h2><p>Resources whose forecast peak (p90) stays below half their capacity through the horizon; right-sizing keeps the target headroom at that peak.</p>${table(reclaimTable(model), { id: 'reclaim-table' })}</section>`);
  }
  if (model.errorBudgets.length > 0) parts.push(`<section id="error-budgets"><h2>Error budgets</h2>${table(errorBudgetsTable(model))}</section>`);

  parts.push(`<section id="methodology"><h2>Methodology and data quality</h2><ul>`);
  for (const line of methodology(model)) parts.push(`<li>${e(line)}</li>`);
  parts.push(`</ul><h3>Models</h3>${table(modelsTable(model), { id: 'models' })}`);
  const issues = dataIssuesTable(model);
  if (issues.rows.length > 0) parts.push(`<h3>Series with gaps, partial data or fallbacks</h3>${table(issues, { id: 'data-issues' })}`);
  const pulls = pullIssuesTable(model);
  if (pulls.rows.length > 0) parts.push(`<h3>Partial and failed pulls</h3>${table(pulls, { id: 'pull-issues' })}`);
  parts.push(`</section></body></html>`);
  return parts.join('\n') + '\n';
}

function numericColumns(columns: readonly string[]): Set<number> {
  const numeric = new Set(['Series', 'Usage', 'Capacity', 'Headroom', 'Lowest headroom', 'At risk']);
  return new Set(columns.flatMap((c, i) => (numeric.has(c) ? [i] : [])));
}

function table(t: TextTable, opts: { id?: string; numeric?: ReadonlySet<number>; rowClass?: readonly string[] } = {}): string {
  const e = escapeHtml;
  const head = `<thead><tr>${t.columns.map((c, i) => `<th${opts.numeric?.has(i) ? ' class="num"' : ''}>${e(c)}</th>`).join('')}</tr></thead>`;
  const body = t.rows
    .map((row, r) => {
      const cls = opts.rowClass?.[r];
      const cells = row.map((c, i) => `<td${opts.numeric?.has(i) ? ' class="num"' : ''}>${keepTogether(e(c))}</td>`).join('');
      return `<tr${cls ? ` class="${e(cls)}"` : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="wide"><table${opts.id ? ` id="${e(opts.id)}"` : ''}>${head}<tbody>\n${body}\n</tbody></table></div>`;
}

/**
 * Dates, numbers with units and hyphenated or slashed words ("eu-west",
 * "/var/log") never wrap inside: browsers would break them after a hyphen or
 * a slash. Works on escaped HTML; entities hold no hyphen or slash.
 */
function keepTogether(html: string): string {
  return html.replace(/\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|-?\d[\d.,]*(?:\s?(?:%|[kMGTP]?i?B|TiB|GiB|d|×|cores|conns|req\/s))?|[^\s<>]*[-/][^\s<>]*/g, (m) => `<span class="nw">${m}</span>`);
}
