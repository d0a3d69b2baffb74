import { tzOffset } from '@date-fns/tz';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatDate } from '../time/dates.js';
import type { ResourceChart } from './ReportModel.js';
import { axisScale, formatQuantity } from './units.js';

const WIDTH = 640;
const HEIGHT = 220;
const RED = '#d1242f';
const BLUE = '#0969da';
const GREY = '#59636e';
const ORANGE = '#bc4c00';
/** Fonts present on Debian with fonts-dejavu, and a generic fallback for browsers. */
export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const LINES = ['Daily peak', 'Forecast (median)'] as const;

/**
 * The Vega-Lite spec of one resource chart: daily peaks, the forecast median and
 * its band, capacity and lower thresholds, the exhaustion window (p10–p90)
 * shaded and the median crossing marked. Times are shifted to wall-clock time
 * in `timeZone` and drawn on a UTC scale, so axes read in the report's zone
 * whatever the process zone is.
 */
export function chartSpec(chart: ResourceChart, asOfMs: number, timeZone: string): TopLevelSpec {
  const wall = (ms: number) => ms + tzOffset(timeZone, new Date(ms)) * 60_000;
  // The y axis reaches a little above capacity (or the band when there is no
  // capacity): a forecast running far past capacity would flatten the history.
  const capacities = chart.capacityTimeline.map((p) => p.value);
  const seen = [...chart.history.map((p) => p.value), ...(chart.capacity !== null ? [chart.capacity, ...capacities] : chart.forecast.map((p) => p.upper))];
  const top = Math.max(1e-9, ...seen.filter(Number.isFinite)) * 1.2;
  const { divisor, label } = axisScale(top, chart.unit);
  const y = (v: number) => v / divisor;
  const yScale = { domain: [0, y(top)], nice: false, zero: true };
  const full = chart.thresholds.length > 0 ? chart.thresholds[chart.thresholds.length - 1] : null;

  const lines = [
    ...chart.history.map((p) => ({ t: wall(p.tMs), v: y(p.value), series: LINES[0] })),
    ...chart.forecast.map((p) => ({ t: wall(p.tMs), v: y(p.p50), series: LINES[1] })),
  ];
  const bandLabel = chart.level === null ? 'Interval' : `${Math.round(chart.level * 100)}% interval`;
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>['layer']> = [];
  const xTime = { field: 't', type: 'temporal' as const, scale: { type: 'utc' as const }, title: null };

  if (full && full.status === 'within' && (full.p10Ms !== null || full.p50Ms !== null)) {
    const a = full.p10Ms ?? full.p50Ms ?? 0;
    const b = full.p90Ms ?? chart.forecast[chart.forecast.length - 1]?.tMs ?? a;
    layers.push({
      data: { values: [{ t: wall(a), t2: wall(b) }] },
      mark: { type: 'rect', color: RED, opacity: 0.08 },
      encoding: { x: xTime, x2: { field: 't2' } },
    });
  }
  if (chart.forecast.length > 0) {
    layers.push({
      data: { values: chart.forecast.map((p) => ({ t: wall(p.tMs), lo: y(p.lower), hi: y(p.upper), band: bandLabel })) },
      mark: { type: 'area', opacity: 0.22, clip: true },
      encoding: {
        x: xTime,
        y: { field: 'lo', type: 'quantitative', scale: yScale },
        y2: { field: 'hi' },
        fill: { field: 'band', type: 'nominal', scale: { range: [BLUE] }, legend: { title: null, orient: 'top' } },
      },
    });
  }
  layers.push({
    data: { values: lines },
    mark: { type: 'line', strokeWidth: 1.6, clip: true },
    encoding: {
      x: xTime,
      y: { field: 'v', type: 'quantitative', title: label || null, scale: yScale },
      color: { field: 'series', type: 'nominal', scale: { domain: [...LINES], range: [GREY, BLUE] }, legend: { title: null, orient: 'top' } },
      strokeDash: { field: 'series', type: 'nominal', scale: { domain: [...LINES], range: [[1, 0], [6, 3]] }, legend: null },
    },
  });
  if (chart.plannedChanges.length > 0 && chart.capacityTimeline.length > 0) {
    // Capacity as a series of its own: planned changes drawn as annotated steps.
    layers.push({
      data: { values: chart.capacityTimeline.map((p) => ({ t: wall(p.tMs), v: y(p.value) })) },
      mark: { type: 'line', interpolate: 'step-after', color: RED, strokeWidth: 1.4, clip: true },
      encoding: { x: xTime, y: { field: 'v', type: 'quantitative', scale: yScale } },
    });
    const capAt = (t: number) => [...chart.capacityTimeline].reverse().find((p) => p.tMs <= t)?.value ?? chart.capacity ?? 0;
    layers.push({
      data: { values: chart.plannedChanges.map((c) => ({ t: wall(c.atMs), v: y(Math.min(capAt(c.atMs), top / 1.05)), text: c.note ?? `${c.kind === 'set' ? 'set to' : '+'}${formatQuantity(c.amount, chart.unit)}` })) },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 10, color: RED, clip: true },
      encoding: { x: xTime, y: { field: 'v', type: 'quantitative', scale: yScale }, text: { field: 'text' } },
    });
  }
  layers.push({
    data: { values: [{ t: wall(asOfMs), text: 'data end' }] },
    mark: { type: 'rule', color: GREY, strokeDash: [2, 2] },
    encoding: { x: xTime },
  });
  if (chart.capacity !== null) {
    const rules = chart.thresholds.map((th) => ({
      v: y(th.threshold * (chart.capacity as number)),
      text: th.threshold === 1 ? `capacity ${formatQuantity(chart.capacity, chart.unit)}` : `${Math.round(th.threshold * 100)}%`,
      full: th.threshold >= 1,
    }));
    if (!rules.some((r) => r.full)) rules.push({ v: y(chart.capacity), text: `capacity ${formatQuantity(chart.capacity, chart.unit)}`, full: true });
    layers.push({
      data: { values: rules },
      mark: { type: 'rule', strokeWidth: 1.2 },
      encoding: {
        y: { field: 'v', type: 'quantitative', scale: yScale },
        color: { condition: { test: 'datum.full', value: RED }, value: ORANGE },
        strokeDash: { condition: { test: 'datum.full', value: [1, 0] }, value: [4, 3] },
      },
    });
    layers.push({
      data: { values: rules },
      mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -2, fontSize: 10, x: 0 },
      encoding: {
        y: { field: 'v', type: 'quantitative', scale: yScale },
        text: { field: 'text' },
        color: { condition: { test: 'datum.full', value: RED }, value: ORANGE },
      },
    });
    const crossings = chart.thresholds
      .filter((th) => th.status === 'within' && th.p50Ms !== null)
      .map((th) => ({ t: wall(th.p50Ms as number), v: y(th.threshold * (chart.capacity as number)), text: formatDate(th.p50Ms, timeZone), full: th.threshold >= 1 }));
    if (crossings.length > 0) {
      layers.push({
        data: { values: crossings },
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: { x: xTime, y: { field: 'v', type: 'quantitative', scale: yScale }, color: { condition: { test: 'datum.full', value: RED }, value: ORANGE } },
      });
      layers.push({
        data: { values: crossings.filter((c) => c.full) },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -6, dy: -6, fontSize: 11, fontWeight: 'bold', color: RED },
        encoding: { x: xTime, y: { field: 'v', type: 'quantitative', scale: yScale }, text: { field: 'text' } },
      });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${chart.shortName}: usage history, forecast and capacity`,
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    padding: 8,
    title: { text: chart.shortName, subtitle: chart.name === chart.shortName ? '' : chart.name, anchor: 'start', fontSize: 13, subtitleFontSize: 10, subtitleColor: GREY },
    config: { font: FONT, view: { stroke: null }, axis: { labelFontSize: 10, titleFontSize: 10, grid: true, gridColor: '#eaeef2' } },
    resolve: { scale: { color: 'independent' } },
    layer: layers,
  };
}

/**
 * Renders a Vega-Lite spec to SVG headlessly. Vega numbers clip paths and
 * gradients with a process-wide counter; they are renamed with `idPrefix` so
 * output is deterministic and several charts can share one HTML page.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return renameIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

export function renameIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1])) ids.set(m[1], `${prefix}-${ids.size + 1}`);
  if (ids.size === 0) return svg;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${ids.get(id) ?? id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${ids.get(id) ?? id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${ids.get(id) ?? id}"`);
}

/** Renders every chart of a model; charts keep their order. */
export async function renderCharts(charts: readonly ResourceChart[], asOfMs: number, timeZone: string, idPrefix = 'chart'): Promise<ResourceChart[]> {
  const out: ResourceChart[] = [];
  for (const [i, c] of charts.entries()) out.push({ ...c, svg: await renderSvg(chartSpec(c, asOfMs, timeZone), `${idPrefix}${i + 1}`) });
  return out;
}
