import { formatDate, formatDateTime } from './dates.js';
import { escapeHtml } from './escape.js';
import { methodology } from './methodology.js';
import type { ReportModel } from './ReportModel.js';
import { headline, RISK_COLUMNS, riskRows, thresholdRows } from './riskRows.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:2rem auto;max-width:1200px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.meta{color:#59636e}.headline{font-size:1.1rem;font-weight:600}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
tr.past td{background:#ffebe9}tr.within td:first-child{border-left:4px solid #d1242f}tr.beyond_horizon td:first-child{border-left:4px solid #1a7f37}
td.num{text-align:right}
`;

/** The report as one self-contained HTML page (no external resources). */
export function renderHtml(model: ReportModel): string {
  const tz = model.timeZone;
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8">`);
  parts.push(`<meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>${escapeHtml(model.title)}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(model.title)}</h1>`);
  const meta =
    `Generated ${formatDateTime(model.generatedAtMs, tz)} ${tz}` +
    (model.run
      ? ` · forecast run #${model.run.runId} on data up to ${formatDateTime(model.run.asOfMs, tz)} · horizon to ${formatDate(model.run.horizonEndMs, tz)}`
      : '') +
    ` · all dates ${tz}`;
  parts.push(`<p class="meta">${escapeHtml(meta)}</p>`);
  if (!model.run) {
    parts.push(`<p>No forecast run found in this database: run <code>capplan demo</code> or <code>capplan forecast</code> first.</p></body></html>`);
    return parts.join('\n');
  }
  parts.push(`<h2>Summary</h2><p class="headline">${escapeHtml(headline(model))}.</p>`);
  parts.push(
    `<p>Dates are when usage is forecast to reach capacity: the median (p50) and the 80% interval (p10 is the earliest plausible date). Resources are ranked by the earliest plausible date.</p>`,
  );
  parts.push(`<h2>Resources, soonest to exhaust first</h2>`);
  parts.push(`<table id="risks"><thead><tr>${RISK_COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>`);
  for (const r of riskRows(model)) {
    const cells = [String(r.rank), r.resource, r.name, r.usage, r.capacity, r.headroom, r.full, r.interval, r.model, r.data];
    const numeric = new Set([0, 3, 4, 5]);
    parts.push(
      `<tr class="${r.status}">${cells.map((c, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
    );
  }
  parts.push(`</tbody></table>`);
  const th = thresholdRows(model);
  if (th.rows.length > 0) {
    parts.push(`<h2>Thresholds (median date each is reached)</h2><table id="thresholds"><thead><tr>`);
    parts.push(th.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('') + `</tr></thead><tbody>`);
    for (const row of th.rows) parts.push(`<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`);
    parts.push(`</tbody></table>`);
  }
  parts.push(`<h2>Methodology and data quality</h2><ul>`);
  for (const line of methodology(model)) parts.push(`<li>${escapeHtml(line)}</li>`);
  parts.push(`</ul></body></html>`);
  return parts.join('\n');
}
