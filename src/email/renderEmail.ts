import { Resvg } from '@resvg/resvg-js';
import type { Attachment } from 'nodemailer/lib/mailer/index.js';
import { formatDate, formatDateTime } from '../time/dates.js';
import { escapeHtml } from '../report/escape.js';
import type { ReportModel } from '../report/ReportModel.js';
import { renderCsv } from '../report/renderJson.js';
import { headline } from '../report/riskRows.js';
import { formatPercent, formatQuantity } from '../report/units.js';
import {
  bucketEmptyText,
  bucketTitle,
  changeLines,
  chartCaption,
  errorBudgetsTable,
  groupsTable,
  ordersTable,
  spreadText,
  summaryLead,
  type TextTable,
} from '../report/sections.js';
import { reportSubject } from './subject.js';

/** What goes into the message, independent of how it is sent. */
export interface ReportEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: Attachment[];
}

export interface ReportEmailOptions {
  /** File name stem of the attachments, default `headroom-<date>`. */
  readonly stem?: string;
  /** Extra attachments, e.g. the HTML or PDF report written to disk. */
  readonly attachments?: readonly Attachment[];
}

const FONT = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;';
const CELL = 'padding:4px 8px;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top;font-size:13px;';

/**
 * The report as an email: an HTML body that mail clients render (tables and
 * inline styles, charts as CID-referenced PNGs, no SVG, no scripts), a
 * plain-text alternative, and the CSV attached.
 */
export function buildReportEmail(model: ReportModel, options: ReportEmailOptions = {}): ReportEmail {
  const stem = options.stem ?? `headroom-${formatDate(model.generatedAtMs, model.timeZone)}`;
  const charts = model.charts
    .filter((c) => c.svg !== '')
    .map((c, i) => ({ chart: c, cid: `chart-${i + 1}@capplan`, file: `chart-${i + 1}.png`, ...chartPng(c.svg) }));
  const attachments: Attachment[] = [
    ...charts.map((c) => ({ filename: c.file, cid: c.cid, content: c.png, contentType: 'image/png', contentDisposition: 'inline' as const })),
    { filename: `${stem}.csv`, content: renderCsv(model), contentType: 'text/csv; charset=utf-8' },
    ...(options.attachments ?? []),
  ];
  return {
    subject: reportSubject(model),
    text: emailText(model, `${stem}.csv`),
    html: emailHtml(model, charts.map((c) => ({ cid: c.cid, width: c.width, height: c.height, alt: chartCaption(model, c.chart) }))),
    attachments,
  };
}

/** Rasterises a chart at twice its size for sharp display; width/height are the CSS size. */
export function chartPng(svg: string): { png: Buffer; width: number; height: number } {
  const r = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } });
  const image = r.render();
  return { png: image.asPng(), width: Math.round(image.width / 2), height: Math.round(image.height / 2) };
}

function emailText(model: ReportModel, csvName: string): string {
  const tz = model.timeZone;
  const out: string[] = [model.title, '='.repeat(Math.min(model.title.length, 72)), ''];
  out.push(`Period ${model.period.label}, generated ${formatDateTime(model.generatedAtMs, tz)} ${tz}.`);
  if (!model.run) {
    out.push('', 'No forecast run found in the database: nothing to report yet.');
    return out.join('\n') + '\n';
  }
  out.push(`Forecast run #${model.run.runId} on data up to ${formatDateTime(model.run.asOfMs, tz)}; dates are ${tz}.`, '');
  for (const n of model.notices) out.push(`Note: ${n}`, '');
  out.push(`${headline(model)}.`, summaryLead(model), '');
  model.summary.buckets.forEach((b, i) => {
    out.push(bucketTitle(model, b, i));
    if (b.items.length === 0) out.push(`  ${bucketEmptyText(model, b, i)}`);
    for (const item of b.items) out.push(`  - ${item.shortName} (${item.resource}): ${spreadText(item, model)}`, `    ${item.action}`);
    out.push('');
  });
  const changes = changeLines(model);
  out.push('What changed since the last report');
  if (changes === null) out.push('  No earlier forecast run to compare with.');
  else out.push(`  ${changes[0]}`, ...changes.slice(1).map((l) => `  - ${l}`));
  out.push('', 'What to order, by when');
  const orders = ordersTable(model);
  if (orders.rows.length === 0) out.push(`  Nothing to order before ${formatDate(model.run.horizonEndMs, tz)}.`);
  for (const row of orders.rows) {
    const [series, resource, add, needed, orderBy, lead, late, planned] = row;
    out.push(`  - ${series} (${resource}): ${add === '–' ? 'no order' : `add ${add}, order by ${orderBy}${late === 'LATE' ? ' (LATE)' : ''}, needed by ${needed}, ${lead} lead time`}${planned === '–' ? '' : `; planned: ${planned}`}`);
  }
  if (model.errorBudgets.length > 0) {
    out.push('', 'Error budgets');
    const b = errorBudgetsTable(model);
    for (const row of b.rows) out.push(`  - ${row[0]} (${row[1]}): ${row[2]} left, burn rate ${row[3]}, alerts firing: ${row[4]}; exhausted: ${row[5]}`);
  }
  out.push('', `Headroom by ${model.groups.label ?? 'resource'}`);
  for (const line of groupLines(model)) out.push(`  - ${line}`);
  out.push('', `All resources are in the attached ${csvName}.`);
  return out.map(oneLineText).join('\n') + '\n';
}

/** Folds line breaks inside a value so a hostile label cannot forge lines of the text part. */
function oneLineText(line: string): string {
  return line.replace(/[\r\n\u0000-\u0008\u000b-\u001f]+/g, ' ');
}

function emailHtml(model: ReportModel, images: readonly { cid: string; width: number; height: number; alt: string }[]): string {
  const e = escapeHtml;
  const tz = model.timeZone;
  const p: string[] = [];
  p.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(model.title)}</title></head>`);
  p.push(`<body style="margin:0;padding:16px;background:#ffffff;color:#1f2328;${FONT}">`);
  p.push(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:720px;margin:0 auto;"><tr><td>`);
  p.push(`<h1 style="font-size:20px;margin:0 0 4px;">${e(model.title)}</h1>`);
  p.push(`<p style="color:#59636e;font-size:12px;margin:0 0 16px;">${e(`Period ${model.period.label} · generated ${formatDateTime(model.generatedAtMs, tz)} ${tz}`)}${model.run ? e(` · data up to ${formatDateTime(model.run.asOfMs, tz)}`) : ''}</p>`);
  if (!model.run) {
    p.push(`<p>No forecast run found in the database: nothing to report yet.</p></td></tr></table></body></html>`);
    return p.join('\n') + '\n';
  }
  for (const n of model.notices) p.push(`<p style="background:#fff8c5;border:1px solid #d4a72c;padding:8px;font-size:13px;">${e(n)}</p>`);
  p.push(`<p style="font-size:16px;font-weight:bold;margin:0 0 4px;">${e(headline(model))}.</p><p style="font-size:13px;margin:0 0 12px;">${e(summaryLead(model))}</p>`);
  model.summary.buckets.forEach((b, i) => {
    p.push(h2(bucketTitle(model, b, i)));
    if (b.items.length === 0) p.push(`<p style="font-size:13px;">${e(bucketEmptyText(model, b, i))}</p>`);
    else {
      p.push(
        table({
          columns: ['Resource', 'p10 – p50 – p90', 'Recommended action'],
          rows: b.items.map((x) => [x.shortName, spreadText(x, model), x.action]),
        }),
      );
    }
  });
  const changes = changeLines(model);
  p.push(h2('What changed since the last report'));
  if (changes === null) p.push(`<p style="font-size:13px;">No earlier forecast run to compare with.</p>`);
  else {
    p.push(`<p style="font-size:13px;">${e(changes[0])}</p>`);
    if (changes.length > 1) p.push(`<ul style="font-size:13px;">${changes.slice(1).map((l) => `<li>${e(l)}</li>`).join('')}</ul>`);
  }
  if (images.length > 0) {
    p.push(h2('Most at risk'));
    for (const img of images) {
      p.push(
        `<p style="margin:0 0 12px;"><img src="cid:${e(img.cid)}" width="${img.width}" height="${img.height}" alt="${e(img.alt)}" style="display:block;max-width:100%;height:auto;border:1px solid #d0d7de;"></p>`,
      );
    }
  }
  p.push(h2('What to order, by when'));
  if (model.orders.length === 0) p.push(`<p style="font-size:13px;">${e(`Nothing to order before ${formatDate(model.run.horizonEndMs, tz)}.`)}</p>`);
  else p.push(table(ordersTable(model)));
  if (model.errorBudgets.length > 0) p.push(h2('Error budgets'), table(errorBudgetsTable(model)));
  p.push(h2(`Headroom by ${model.groups.label ?? 'resource'}`), table(groupsTable(model)));
  p.push(`<p style="color:#59636e;font-size:12px;">All resources, with their exhaustion dates and models, are in the attached CSV.</p>`);
  p.push(`</td></tr></table></body></html>`);
  return p.join('\n') + '\n';
}

/** One sentence per group roll-up: "eu-west disk: 26% free (0.71 TiB of 2.73 TiB free), lowest 6.5%, 1 at risk". */
export function groupLines(model: ReportModel): string[] {
  const g = model.groups;
  const tz = model.timeZone;
  const rows = [...g.groups.flatMap((grp) => grp.rollups.map((r) => ({ key: grp.key, r }))), ...g.total.map((r) => ({ key: g.label === null ? null : 'all', r }))];
  return rows.map(({ key, r }) => {
    const free = r.capacity !== null && r.usage !== null ? r.capacity - r.usage : null;
    const soonest = r.soonestShortName === null ? '' : `, soonest ${r.soonestShortName}${r.soonestP50Ms === null ? ' (now)' : ` ${formatDate(r.soonestP50Ms, tz)}`}`;
    return (
      `${key === null ? '' : `${key} `}${r.resource}: ${formatPercent(r.headroomRatio)} free (${formatQuantity(free, r.unit)} of ${formatQuantity(r.capacity, r.unit)} free), ` +
      `lowest ${formatPercent(r.minHeadroomRatio)}, ${r.atRiskCount} at risk${soonest}`
    );
  });
}

function h2(text: string): string {
  return `<h2 style="font-size:15px;margin:20px 0 6px;border-bottom:1px solid #d0d7de;padding-bottom:4px;">${escapeHtml(text)}</h2>`;
}

function table(t: TextTable): string {
  const e = escapeHtml;
  const head = t.columns.map((c) => `<th style="${CELL}background:#f6f8fa;">${e(c)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((c) => `<td style="${CELL}">${e(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table role="table" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;margin:0 0 8px;"><tr>${head}</tr>\n${rows}\n</table>`;
}
