import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../src/report/renderPdf.js';
import { runCli } from '../support/runCli.js';
import { FROZEN_NOW } from '../support/clock.js';

/**
 * Opens the HTML report of the small demo fleet in real headless Chromium
 * (Debian's /usr/bin/chromium, or CAPPLAN_CHROMIUM): no console errors, every
 * chart drawn with a size, the key text present. Saves a screenshot to
 * test-artifacts/ for people to look at.
 */
const CHROMIUM = chromiumPath({ env: process.env });
const NOW = FROZEN_NOW;
const ARTIFACTS = resolve('test-artifacts');

describe('HTML report in headless Chromium', () => {
  let dir: string;
  let html: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-browser-'));
    const db = join(dir, 'demo.duckdb');
    const demo = await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'demo-reports'), '--workers', '2'], { nowMs: NOW, cwd: dir });
    expect(demo.code).toBe(0);
    html = join(dir, 'report.html');
    const report = await runCli(['report', '--db', db, '--format', 'html', '--out', html, '--tz', 'Europe/Berlin', '--quarter', '2027-Q1'], { nowMs: NOW, cwd: dir });
    expect(report.stderr).toContain(`report written to ${html}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs() });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders without console errors; charts have size; the key text is there', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) failed.push(`external request ${r.url()}`);
    });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

    const charts = page.locator('figure.chart svg');
    expect(await charts.count()).toBeGreaterThan(0);
    for (const svg of await charts.all()) {
      const box = await svg.boundingBox();
      expect(box && box.width > 300 && box.height > 150, JSON.stringify(box)).toBe(true);
      // Vega drew marks: lines and the band are paths with geometry
      expect(await svg.locator('path').count()).toBeGreaterThan(5);
    }
    const text = await page.locator('body').innerText();
    for (const s of [
      'Capacity headroom report',
      'Executive summary',
      'Report quarter: 2027-Q1',
      'Following quarter: 2027-Q2',
      'What to order, by when',
      'db-01 /data',
      'Recommended action',
      'What changed since the last report',
      'Headroom by cluster',
      'Charts of the resources most at risk',
      'Resources, soonest to exhaust first',
      'Methodology and data quality',
      'all dates Europe/Berlin',
    ]) {
      expect(text).toContain(s);
    }
    // no table overflows the page
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-demo.png'), fullPage: true });
    expect(statSync(join(ARTIFACTS, 'report-demo.png')).size).toBeGreaterThan(50_000);
    expect(errors).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  });

  it('capplan report --format pdf prints it through Chromium', async () => {
    const pdf = join(dir, 'report.pdf');
    const run = await runCli(['report', '--db', join(dir, 'demo.duckdb'), '--format', 'pdf', '--out', pdf], { nowMs: NOW, cwd: dir, env: { CAPPLAN_CHROMIUM: CHROMIUM } });
    expect(run.stderr).toContain(`report written to ${pdf}`);
    expect(run.code).toBe(0);
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(20_000);
  });
});

describe('HTML report print quality in headless Chromium', () => {
  let dir: string;
  let html: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capplan-print-'));
    const db = join(dir, 'demo.duckdb');
    expect((await runCli(['demo', '--size', 'small', '--db', db, '--out', join(dir, 'r'), '--workers', '2'], { nowMs: NOW, cwd: dir })).code).toBe(0);
    html = join(dir, 'report.html');
    expect((await runCli(['report', '--db', db, '--format', 'html', '--out', html], { nowMs: NOW, cwd: dir })).code).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs() });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Words (runs without white space) of table cells that the layout split over two lines, e.g. "Resourc|e", "2027-|01-09". */
  const brokenWords = `(() => {
    const out = [];
    for (const cell of document.querySelectorAll('th, td')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const re = /\\S+/g;
        for (let m = re.exec(n.data); m; m = re.exec(n.data)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
          if (tops.size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  })()`;

  it('no word, date or number in a table breaks across lines, at desktop, narrow and print widths', async () => {
    for (const width of [1280, 900, 1047]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      if (width === 1047) await page.emulateMedia({ media: 'print' });
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      expect(await page.evaluate(brokenWords), `width ${width}`).toEqual([]);
      await page.close();
    }
  });

  it('every chart stays inside its plot: lines and bands within the plot area, the plot within its figure', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    const report = (await page.evaluate(`(() => [...document.querySelectorAll('figure.chart')].map((fig) => {
      const f = fig.getBoundingClientRect();
      const svg = fig.querySelector('svg').getBoundingClientRect();
      const plot = [...fig.querySelectorAll('path.background')].map((p) => p.getBoundingClientRect()).sort((a, b) => b.width * b.height - a.width * a.height)[0];
      const marks = [...fig.querySelectorAll('.mark-line path, .mark-area path')].map((p) => p.getBoundingClientRect()).filter((r) => r.width > 0 || r.height > 0);
      const outside = marks.filter((r) => r.top < plot.top - 1 || r.bottom > plot.bottom + 1 || r.left < plot.left - 1 || r.right > plot.right + 1).length;
      return { inFigure: svg.left >= f.left - 1 && svg.right <= f.right + 1 && svg.top >= f.top - 1 && svg.bottom <= f.bottom + 1, marks: marks.length, outside };
    }))()`)) as { inFigure: boolean; marks: number; outside: number }[];
    expect(report.length).toBeGreaterThan(0);
    for (const c of report) {
      expect(c.inFigure).toBe(true);
      expect(c.marks).toBeGreaterThan(1);
      expect(c.outside).toBe(0);
    }
    await page.close();
  });

  it('the PDF is landscape A4 of a few pages and page 1 holds the executive summary', async () => {
    const pdf = join(dir, 'report.pdf');
    const run = await runCli(['report', '--db', join(dir, 'demo.duckdb'), '--format', 'pdf', '--out', pdf], { nowMs: NOW, cwd: dir, env: { CAPPLAN_CHROMIUM: CHROMIUM } });
    expect(run.code).toBe(0);
    const text = readFileSync(pdf).toString('latin1');
    const pages = text.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(8);
    // A4 landscape media box: about 842 × 595 points (wider than high).
    expect(text).toMatch(/\/MediaBox\s*\[0 0 84\d(\.\d+)? 59\d(\.\d+)?\]/);
    // Page 1 in the same print layout: 277 mm × 190 mm of content at 96 dpi.
    const page = await browser.newPage({ viewport: { width: 1047, height: 718 } });
    await page.emulateMedia({ media: 'print' });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    const top = (await page.evaluate(`(() => { const h = document.querySelector('#summary .headline').getBoundingClientRect(); const t = document.querySelector('#summary table, #summary h3 + p'); return [h.bottom, t.getBoundingClientRect().top]; })()`)) as number[];
    expect(top[0]).toBeLessThan(718);
    expect(top[1]).toBeLessThan(718);
    await page.close();
  });
});
